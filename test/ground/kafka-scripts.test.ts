// The ground scripts' promises to their callers (.ci/run, npm run ground:start, other helpers): a second
// `start` while the broker runs says so and exits 0, and `status` reports it. Needs the running ground.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { kafkaBrokers } from './kafka/env';

const run = promisify(execFile);

/** A broker answers on the PLAINTEXT port, whoever started it. */
function brokerAnswers(): Promise<boolean> {
	const [host, port] = kafkaBrokers[0].split(':');
	return new Promise((resolve) => {
		const socket = net.connect(Number(port), host, () => (socket.end(), resolve(true)));
		socket.once('error', () => resolve(false));
	});
}

/** npm test also runs on a broker another checkout started on the same ports: not this checkout's to probe. */
async function anotherCheckoutsBroker(statusOutput: string): Promise<boolean> {
	return /\[kafka\] not running/.test(statusOutput) && (await brokerAnswers());
}

const scripts = resolve(__dirname, '..', '..', 'scripts');

async function script(name: string, arg: string): Promise<{ code: number; out: string }> {
	try {
		const { stdout, stderr } = await run('bash', [join(scripts, name), arg], { timeout: 20_000 });
		return { code: 0, out: stdout + stderr };
	} catch (error) {
		const e = error as { code?: number; stdout?: string; stderr?: string };
		return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
	}
}

describe('scripts/kafka.sh and scripts/ground.sh on a running ground', { timeout: 60_000 }, () => {
	it('kafka.sh start when already running: says so, exits 0, keeps the same broker', async (t) => {
		const before = await script('kafka.sh', 'status');
		if (await anotherCheckoutsBroker(before.out)) return t.skip("the broker on KAFKA_PORT is another checkout's");
		assert.equal(before.code, 0, before.out);
		const pid = /pid (\d+)/.exec(before.out)?.[1];
		assert.ok(pid, before.out);

		const again = await script('kafka.sh', 'start');
		assert.equal(again.code, 0, again.out);
		assert.match(again.out, new RegExp(`already running \\(pid ${pid}\\)`));
	});

	it('ground.sh status lists the broker and exits 0', async (t) => {
		const status = await script('ground.sh', 'status');
		if (await anotherCheckoutsBroker(status.out)) return t.skip("the broker on KAFKA_PORT is another checkout's");
		assert.match(status.out, /\[kafka\] running \(pid \d+\)/);
		assert.equal(status.code, 0, status.out);
	});

	it('an unknown command is refused with usage', async () => {
		const bad = await script('kafka.sh', 'explode');
		assert.equal(bad.code, 2);
		assert.match(bad.out, /usage: .*install\|start\|stop/);
	});
});
