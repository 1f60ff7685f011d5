// The ground scripts' promises to their callers (.ci/run, npm run ground:start, other helpers): a second
// `start` while the broker runs says so and exits 0, and `status` reports it. Needs the running ground.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
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
	it('kafka.sh start when already running: says so, exits 0, keeps the same broker', async () => {
		const before = await script('kafka.sh', 'status');
		assert.equal(before.code, 0, before.out);
		const pid = /pid (\d+)/.exec(before.out)?.[1];
		assert.ok(pid, before.out);

		const again = await script('kafka.sh', 'start');
		assert.equal(again.code, 0, again.out);
		assert.match(again.out, new RegExp(`already running \\(pid ${pid}\\)`));
	});

	it('ground.sh status lists the broker and exits 0', async () => {
		const status = await script('ground.sh', 'status');
		assert.match(status.out, /\[kafka\] running \(pid \d+\)/);
		assert.equal(status.code, 0, status.out);
	});

	it('an unknown command is refused with usage', async () => {
		const bad = await script('kafka.sh', 'explode');
		assert.equal(bad.code, 2);
		assert.match(bad.out, /usage: .*install\|start\|stop/);
	});
});
