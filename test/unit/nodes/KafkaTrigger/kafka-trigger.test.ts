// The trigger node's n8n face without n8n: settings read once, and the emit / donePromise contract.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IDataObject, INode, INodeExecutionData, IRun } from 'n8n-workflow';

/** n8n-workflow does not re-export @n8n/utils' IDeferredPromise; this is its shape. */
type IDeferredPromise<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void };

import { createRunExecution, runOutcome } from '../../../../nodes/KafkaTrigger/run-execution';
import { readTriggerSettings } from '../../../../nodes/KafkaTrigger/settings';
import type { SinkExecution } from '../../../../src/kafka/consumer-options';

const node = { name: 'Kafka Trigger', type: 'n8n-nodes-doris-sinker.kafkaTrigger' } as INode;

function context(params: Record<string, unknown>, mode: 'trigger' | 'manual' = 'trigger') {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getNode: () => node,
		getMode: () => mode,
		getWorkflow: () => ({ id: 'wf1', name: 'w', active: true }),
	} as unknown as Parameters<typeof readTriggerSettings>[0];
}

function deferred<T>(): IDeferredPromise<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
	return { promise, resolve, reject };
}

const execution: SinkExecution = { topic: 't', partition: 0, firstOffset: '0', lastOffset: '1', items: [{ json: { a: 1 } }], bytes: 8, messages: 2, attempt: 0 };

function run(status: IRun['status'], error?: { message: string; node?: unknown }): IRun {
	return { status, data: { resultData: { runData: {}, error } }, mode: 'trigger', startedAt: new Date(), storedAt: 'db' } as unknown as IRun;
}

describe('Kafka trigger settings', () => {
	it('applies the sinker defaults and converts units', () => {
		const { consumer, isManual } = readTriggerSettings(context({ topics: 'a, b', groupId: 'g', format: 'json', topicSelection: 'list' }));
		assert.equal(isManual, false);
		assert.deepEqual(consumer.topics, { names: ['a', 'b'] });
		assert.equal(consumer.groupId, 'g');
		assert.equal(consumer.maxRecordsPerExecution, 5000);
		assert.equal(consumer.executionsInFlight * consumer.maxRecordsPerExecution >= 50_000, true, 'window × records ≥ the Stream Load default batch rows');
		assert.equal(consumer.maxBytesPerExecution, 10 * 1024 * 1024);
		assert.equal(consumer.manual, undefined);
		assert.deepEqual(consumer.labels, { workflow: 'wf1', node: 'Kafka Trigger' });
	});

	it('Report Stalled Consumer After: 300 s by default, in seconds, 0 = only the log; never in a manual run', () => {
		const base = { topics: 'a', groupId: 'g', format: 'json' };
		assert.equal(readTriggerSettings(context(base)).consumer.stallReportMs, 300_000);
		assert.equal(readTriggerSettings(context({ ...base, options: { stallReportSeconds: 45 } })).consumer.stallReportMs, 45_000);
		assert.equal(readTriggerSettings(context({ ...base, options: { stallReportSeconds: 0 } })).consumer.stallReportMs, 0);
		assert.equal(readTriggerSettings(context({ ...base, options: { stallReportSeconds: 45 } }, 'manual')).consumer.stallReportMs, 0);
	});

	it('a manual run gets a throwaway group, no lag polling, and a recent start', () => {
		const { consumer, isManual, configuredGroupId } = readTriggerSettings(context({ topics: 'a', groupId: 'prod', format: 'text' }, 'manual'));
		assert.equal(isManual, true);
		assert.equal(configuredGroupId, 'prod');
		assert.match(consumer.groupId, /^prod-n8n-manual-[0-9a-f-]{36}$/);
		assert.equal(consumer.lagIntervalMs, 0);
		assert.equal(consumer.stallReportMs, 0);
		assert.deepEqual(consumer.manual, { recentMessages: 100 });
	});

	it('names the bad field and value', () => {
		assert.throws(() => readTriggerSettings(context({ topics: 'ok, not ok!', groupId: 'g', format: 'json' })), /Topic "ok!" is not a valid/);
		assert.throws(() => readTriggerSettings(context({ topics: 'a', groupId: 'g', format: 'schemaRegistry', schemaRegistryUrl: 'ftp://x' })), /must start with http/);
		assert.throws(() => readTriggerSettings(context({ topics: 'a', groupId: 'g', format: 'xml' })), /Message Format "xml"/);
	});
});

describe('Kafka trigger emit', () => {
	it('emits the items with a donePromise and succeeds only on a successful run', async () => {
		const emitted: Array<{ data: INodeExecutionData[][]; done?: IDeferredPromise<IRun> }> = [];
		const ctx = {
			emit: (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => emitted.push({ data, done }),
			helpers: { createDeferredPromise: deferred },
		};
		const runExecution = createRunExecution(ctx as unknown as Parameters<typeof createRunExecution>[0], false);
		const first = runExecution(execution, new AbortController().signal);
		assert.deepEqual(emitted[0].data, [[{ json: { a: 1 } as IDataObject }]]);
		emitted[0].done?.resolve(run('success'));
		assert.deepEqual(await first, { ok: true });

		const second = runExecution(execution, new AbortController().signal);
		emitted[1].done?.resolve(run('error', { message: 'Stream Load failed', node: { name: 'Doris Stream Load' } }));
		assert.deepEqual(await second, { ok: false, reason: 'execution ended with status "error": Stream Load failed', settled: true });
	});

	it('close aborts the wait; a manual run does not wait at all; emit is read at call time', async () => {
		const calls: string[] = [];
		const ctx = { emit: () => calls.push('original'), helpers: { createDeferredPromise: deferred } };
		const waiting = createRunExecution(ctx as unknown as Parameters<typeof createRunExecution>[0], false);
		const controller = new AbortController();
		const pending = waiting(execution, controller.signal);
		controller.abort();
		assert.equal((await pending).ok, false);
		const manual = createRunExecution(ctx as unknown as Parameters<typeof createRunExecution>[0], true);
		ctx.emit = () => calls.push('replaced by n8n');
		assert.deepEqual(await manual(execution, new AbortController().signal), { ok: true });
		assert.deepEqual(calls, ['original', 'replaced by n8n']);
	});

	it('judges runs by status and resultData.error', () => {
		assert.deepEqual(runOutcome(run('success')), { ok: true });
		assert.equal(runOutcome(run('success', { message: 'x' })).ok, false);
		assert.equal(runOutcome(run('canceled')).ok, false);
		assert.equal(runOutcome(undefined).ok, false);
	});

	it('a run that stopped on a node error is settled (no rows left loading); a cancelled or crashed one is not', () => {
		assert.deepEqual(runOutcome(run('error', { message: 'Doris refused', node: { name: 'Doris Stream Load' } })), { ok: false, reason: 'execution ended with status "error": Doris refused', settled: true });
		assert.equal((runOutcome(run('canceled')) as { settled?: boolean }).settled, false);
		assert.equal((runOutcome(run('crashed')) as { settled?: boolean }).settled, false);
	});

	it("status error without a node is n8n's own failure, not settled: in queue mode a job Bull found stalled ends so while its worker may still load (review session 19, F4)", () => {
		// n8n workflow-runner.js processError finalizes status "error" with the engine's or the queue's
		// error, which no node raised; the worker that lost its lock can still be loading the rows.
		assert.equal((runOutcome(run('error', { message: 'job stalled more than allowable limit' })) as { settled?: boolean }).settled, false);
		assert.equal((runOutcome(run('error', { message: 'x', node: null })) as { settled?: boolean }).settled, false);
	});

	it("a run n8n failed before it started says where to look (the execution's own list), not only 'without a result'", () => {
		assert.match((runOutcome(undefined) as { reason: string }).reason, /n8n's execution list/);
	});
});
