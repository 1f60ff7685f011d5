// Timeouts under which an execution is given up while its rows still wait in a Doris Stream Load batch,
// so they load with the batch and again with the redelivery (src/common/timeout-settings.ts; review
// session 19, F3: in real n8n a workflow Timeout of 3 s against a Batch Max Interval of 8 s made 800 rows
// of 200 messages). None was refused before (the trigger's own activation:
// test/unit/nodes/KafkaTrigger/refuse-unordered-changes.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { n8nExecutionTimeout, timeoutProblems, type TimeoutSettings } from '../../../src/common/timeout-settings';
import { graphOf, type GraphNode, type StoredConnections } from '../../../src/common/workflow-graph';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));

/** Trigger → Schema → Load; Elsewhere is not reached. */
function graph(load: Partial<GraphNode> = {}) {
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Schema', type: SCHEMA_NODE_TYPE, parameters: { operation: 'mapRows', options: {} } },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} }, ...load },
		{ name: 'Elsewhere', type: STREAM_LOAD_NODE_TYPE, parameters: { batchIntervalSeconds: 3600 } },
	];
	const connections: StoredConnections = { 'Kafka Trigger': { main: [to('Schema')] }, Schema: { main: [to('Load')] } };
	return graphOf(nodes, connections);
}

const settings = (over: Partial<TimeoutSettings> = {}): TimeoutSettings => ({
	n8nTimeoutSeconds: 0,
	n8nTimeoutSource: "the workflow's Timeout setting",
	triggerTimeoutMs: 3_600_000,
	keepPartitionOrder: false,
	defaultIntervalMs: 10_000,
	...over,
});

describe('timeouts that give an execution up while its rows wait in a batch', () => {
	it("n8n's timeout not above Batch Max Interval: refused naming both (the reviewer's 3 s against 8 s)", () => {
		const [problem, ...rest] = timeoutProblems(graph({ parameters: { batchIntervalSeconds: 8 } }), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 3 }));
		assert.deepEqual(rest, []);
		assert.match(problem, /n8n cancels each execution after 3 s \(the workflow's Timeout setting\), but Doris Stream Load node "Load" may hold rows for 8 s \(Batch Max Interval\)/);
		assert.match(problem, /its redelivery loads them again/);
	});

	it('the default Batch Max Interval counts when the node leaves it unset; an equal timeout is refused too', () => {
		assert.equal(timeoutProblems(graph(), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 10 })).length, 1);
		assert.deepEqual(timeoutProblems(graph(), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 11 })), []);
	});

	it("the trigger's own Execution Timeout not above Batch Max Interval, without Keep Order: refused", () => {
		const [problem] = timeoutProblems(graph({ parameters: { batchIntervalSeconds: 60 } }), 'Kafka Trigger', settings({ triggerTimeoutMs: 30_000 }));
		assert.match(problem, /the trigger gives up an execution after its Execution Timeout of 30 s, but Doris Stream Load node "Load" may hold rows for 60 s/);
	});

	it("with Keep Order a batch is sealed before its rows' deadline: the interval does not count, n8n's timeout must exceed the trigger's", () => {
		const ordered = settings({ keepPartitionOrder: true, triggerTimeoutMs: 120_000 });
		assert.deepEqual(timeoutProblems(graph({ parameters: { batchIntervalSeconds: 600 } }), 'Kafka Trigger', ordered), []);
		const [problem] = timeoutProblems(graph(), 'Kafka Trigger', { ...ordered, n8nTimeoutSeconds: 60 });
		assert.match(problem, /n8n cancels each execution after 60 s .*, before the trigger's Execution Timeout of 120 s/);
		assert.deepEqual(timeoutProblems(graph(), 'Kafka Trigger', { ...ordered, n8nTimeoutSeconds: 300 }), []);
		// n8n's clock starts after the trigger's: equal values are safe (the defaults: 1 h and n8n's 1 h maximum).
		assert.deepEqual(timeoutProblems(graph(), 'Kafka Trigger', { ...ordered, triggerTimeoutMs: 3_600_000, n8nTimeoutSeconds: 3600 }), []);
	});

	it('a node on Load Immediately holds no rows for its interval: not refused (nor with Load Immediately as an expression)', () => {
		const immediate = (value: unknown) => graph({ parameters: { batchIntervalSeconds: 60, options: { loadImmediately: value } } });
		assert.deepEqual(timeoutProblems(immediate(true), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 5, triggerTimeoutMs: 30_000 })), []);
		assert.deepEqual(timeoutProblems(immediate('={{ true }}'), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 5 })), []);
		assert.equal(timeoutProblems(immediate(false), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 5 })).length, 1);
	});

	it('not refused: no n8n timeout, a disabled node, an expression, a node the trigger does not reach', () => {
		assert.deepEqual(timeoutProblems(graph(), 'Kafka Trigger', settings()), []);
		assert.deepEqual(timeoutProblems(graph({ disabled: true }), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 1 })), []);
		assert.deepEqual(timeoutProblems(graph({ parameters: { batchIntervalSeconds: '={{ 30 }}' } }), 'Kafka Trigger', settings({ n8nTimeoutSeconds: 1 })), []);
	});

	it("n8n's timeout as n8n 2.40.7 computes it: the workflow's setting, else EXECUTIONS_TIMEOUT, capped by EXECUTIONS_TIMEOUT_MAX; -1 is none", () => {
		assert.deepEqual(n8nExecutionTimeout(undefined, {}), { seconds: 0, source: 'none' });
		assert.deepEqual(n8nExecutionTimeout(-1, { EXECUTIONS_TIMEOUT: '30' }), { seconds: 0, source: 'none' });
		assert.deepEqual(n8nExecutionTimeout(undefined, { EXECUTIONS_TIMEOUT: '30' }), { seconds: 30, source: 'EXECUTIONS_TIMEOUT' });
		assert.deepEqual(n8nExecutionTimeout(7200, {}), { seconds: 3600, source: "the workflow's Timeout setting" });
		assert.deepEqual(n8nExecutionTimeout(7200, { EXECUTIONS_TIMEOUT_MAX: '9000' }), { seconds: 7200, source: "the workflow's Timeout setting" });
		// n8n takes min(timeout, max) and starts no timer at 0 or below.
		assert.deepEqual(n8nExecutionTimeout(30, { EXECUTIONS_TIMEOUT_MAX: '0' }), { seconds: 0, source: 'none' });
		assert.deepEqual(n8nExecutionTimeout(30, { EXECUTIONS_TIMEOUT_MAX: '-1' }), { seconds: 0, source: 'none' });
	});
});
