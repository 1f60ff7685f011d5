import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const registry = join(__dirname, '..', '..', '..', 'src', 'batch', 'registry.ts');

/** Runs a script in a child Node (with tsx) and returns how it ended. */
function run(script: string) {
	return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe('SIGTERM flush handler', () => {
	it("lets a host's own once-handler finish its graceful shutdown (as n8n's does)", () => {
		const result = run(`
			process.once('SIGTERM', () => { setTimeout(() => { console.log('host shut down'); process.exit(0); }, 300); });
			const { getOrCreateBatcher } = require(${JSON.stringify(registry)});
			getOrCreateBatcher('t', () => ({ flushAndWait: async () => {} }));
			setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);
			setTimeout(() => {}, 5000);
		`);
		assert.equal(result.signal, null, `killed by ${result.signal}; stderr: ${result.stderr}`);
		assert.equal(result.status, 0, result.stderr);
		assert.match(result.stdout, /host shut down/);
	});

	it('re-raises the signal after the flush when nothing else handles it', () => {
		const result = run(`
			const { getOrCreateBatcher } = require(${JSON.stringify(registry)});
			getOrCreateBatcher('t', () => ({ flushAndWait: async () => { console.log('flushed'); } }));
			setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50);
			setTimeout(() => {}, 5000);
		`);
		assert.equal(result.signal, 'SIGTERM', result.stderr);
		assert.match(result.stdout, /flushed/);
	});
});
