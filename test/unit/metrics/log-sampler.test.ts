import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogSampler, defaultSampleKey, type LogLevel, type LogMeta } from '../../../src/metrics/log-sampler';
import { registry } from '../../../src/metrics/metrics';

interface Line {
	level: LogLevel;
	message: string;
	meta?: LogMeta;
}

function recorder() {
	const lines: Line[] = [];
	const at = (level: LogLevel) => (message: string, meta?: LogMeta) => lines.push(meta === undefined ? { level, message } : { level, message, meta });
	return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } };
}

async function suppressedCount(level: LogLevel): Promise<number> {
	const metric = await registry.getSingleMetric('sinker_log_messages_suppressed_total')?.get();
	return metric?.values.find((v) => v.labels.level === level)?.value ?? 0;
}

describe('createLogSampler', () => {
	it('passes K lines of a kind per interval, then one summary with the suppressed count', async () => {
		let t = 1_000_000;
		const { lines, logger } = recorder();
		const log = createLogSampler(logger, { first: 3, intervalMs: 10_000, now: () => t });
		const before = await suppressedCount('error');
		for (let offset = 0; offset < 100; offset++) {
			log.error(`Stream Load failed for batch at offset ${offset}`, { table: 'orders', offset });
		}
		assert.deepEqual(
			lines.map((l) => l.message),
			['Stream Load failed for batch at offset 0', 'Stream Load failed for batch at offset 1', 'Stream Load failed for batch at offset 2'],
		);
		assert.equal((await suppressedCount('error')) - before, 97);

		t += 10_000; // the interval is over: the next line of the kind closes it with a summary
		log.error('Stream Load failed for batch at offset 100', { table: 'orders', offset: 100 });
		assert.equal(lines.length, 5);
		assert.deepEqual(lines[3], {
			level: 'error',
			message: 'Stream Load failed for batch at offset 99 [97 more like this suppressed in the last 10s]',
			meta: { table: 'orders', offset: 99, suppressed: 97, sampledIntervalMs: 10_000 },
		});
		assert.equal(lines[4].message, 'Stream Load failed for batch at offset 100');
		log.close();
	});

	it('samples each kind and each level apart', () => {
		const t = 0;
		const { lines, logger } = recorder();
		const log = createLogSampler(logger, { first: 1, intervalMs: 1000, now: () => t });
		log.error('Doris unreachable: 127.0.0.1:8030');
		log.error('Doris unreachable: 127.0.0.1:8031');
		log.warn('Doris unreachable: 127.0.0.1:8030');
		log.error('JSON parse error at offset 7');
		log.error('bad row', { sampleKey: 'schema:orders' });
		log.error('other text', { sampleKey: 'schema:orders' });
		assert.deepEqual(
			lines.map((l) => `${l.level} ${l.message}`),
			['error Doris unreachable: 127.0.0.1:8030', 'warn Doris unreachable: 127.0.0.1:8030', 'error JSON parse error at offset 7', 'error bad row'],
		);
		log.flush();
		assert.deepEqual(
			lines.slice(4).map((l) => l.message),
			['Doris unreachable: 127.0.0.1:8031 [1 more like this suppressed in the last 1s]', 'other text [1 more like this suppressed in the last 1s]'],
		);
		log.close();
	});

	it('never samples levels left out of `levels`', () => {
		const { lines, logger } = recorder();
		const log = createLogSampler(logger, { first: 1, levels: ['error'], now: () => 0 });
		for (let i = 0; i < 5; i++) log.debug('polling');
		assert.equal(lines.length, 5);
		log.close();
	});

	it('writes the summary after a burst ends, without another line to trigger it', async () => {
		const { lines, logger } = recorder();
		const log = createLogSampler(logger, { first: 1, intervalMs: 40 });
		for (let i = 0; i < 10; i++) log.warn('consumer rebalancing');
		assert.equal(lines.length, 1);
		const deadline = Date.now() + 5000;
		while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		assert.equal(lines[1]?.message, 'consumer rebalancing [9 more like this suppressed in the last 1s]');
		log.close();
	});

	it('checks its options', () => {
		const { logger } = recorder();
		assert.throws(() => createLogSampler(logger, { first: 0 }), /first must be a positive integer, got 0/);
		assert.throws(() => createLogSampler(logger, { intervalMs: 1.5 }), /intervalMs must be a positive integer, got 1.5/);
	});

	it('masks digit runs in the default key', () => {
		assert.equal(defaultSampleKey('error', 'partition 3 offset 12345', undefined), 'error|partition # offset #');
	});
});
