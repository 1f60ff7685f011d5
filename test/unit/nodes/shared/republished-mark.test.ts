// The run-time check of a republished version (nodes/shared/republished-graph.ts), found wanting by the
// session's second late review: a verdict cached per version but not per Kafka trigger (H1), and a mark
// n8n drops when an execution's custom data is full (M2). Both failed on the code before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeOperationError, Workflow, type IConnections, type IRun } from 'n8n-workflow';

import { runOutcome } from '../../../../nodes/KafkaTrigger/run-execution';
import { refuseLossySettingsAtRunTime } from '../../../../nodes/shared/lossy-settings';
import { VERSION_CHECKED_KEY } from '../../../../nodes/shared/republished-graph';
import { node, nodeTypes, to } from './graph-stubs';

const DEAD_LETTERS = node('Dead Letters', 'n8n-nodes-base.kafka', { parameters: { options: { acks: true } } });

/** n8n-core 2.40.7's custom data (execution-metadata.js): at most 10 keys, a new one past them dropped without a word. */
function customDataOf(metadata: Record<string, string>) {
	return {
		set: (key: string, value: string) => {
			if (!(key in metadata) && Object.keys(metadata).length >= 10) return;
			metadata[key] = value;
		},
		get: (key: string) => metadata[key],
	};
}

describe('the version-checked mark and the per-version verdict', () => {
	it('custom data already full: the Doris node fails the execution before loading, naming the limit (before: it loaded, the trigger found no mark, and every redelivery loaded the rows again)', () => {
		const w = new Workflow({
			nodes: [node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'), node('Doris Stream Load', 'n8n-nodes-doris-sinker.dorisStreamLoad'), DEAD_LETTERS],
			connections: { 'Kafka Trigger': { main: [to('Doris Stream Load')] }, 'Doris Stream Load': { main: [[], to('Dead Letters')] } },
			active: true,
			nodeTypes,
		});
		const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${k}`, 'v']));
		const ctx = { workflow: w, runExecutionData: { resultData: { runData: { 'Kafka Trigger': [] } } }, getNode: () => w.nodes['Doris Stream Load'], getMode: () => 'trigger', continueOnFail: () => false, customData: customDataOf(metadata) };
		assert.throws(
			() => refuseLossySettingsAtRunTime(ctx as never),
			(error: NodeOperationError) => error instanceof NodeOperationError && /at most 10 keys per execution.*fails before loading anything/.test(error.message),
		);
		// With room, the mark is set and kept.
		const roomy: Record<string, string> = {};
		refuseLossySettingsAtRunTime({ ...ctx, workflow: new Workflow({ nodes: Object.values(w.nodes), connections: w.connectionsBySourceNode, active: true, nodeTypes }), customData: customDataOf(roomy) } as never);
		assert.equal(roomy[VERSION_CHECKED_KEY], '1');
	});

	it("two Kafka triggers: a version whose Stream Load only trigger B reaches is disabled fails B's executions, also after A's passed on the same stored version (before: B reused A's clean verdict, rows committed)", () => {
		const nodes = [
			node('Trigger A', 'n8n-nodes-doris-sinker.kafkaTrigger'),
			node('Load A', 'n8n-nodes-doris-sinker.dorisStreamLoad'),
			node('Trigger B', 'n8n-nodes-doris-sinker.kafkaTrigger'),
			node('Schema B', 'n8n-nodes-doris-sinker.dorisSchema'),
			node('Load B', 'n8n-nodes-doris-sinker.dorisStreamLoad', { disabled: true }),
			DEAD_LETTERS,
		];
		const connections: IConnections = {
			'Trigger A': { main: [to('Load A')] },
			'Load A': { main: [[], to('Dead Letters')] },
			'Trigger B': { main: [to('Schema B')] },
			'Schema B': { main: [to('Load B'), to('Dead Letters')] },
			'Load B': { main: [[], to('Dead Letters')] },
		};
		// Regular mode: each execution's Workflow is built on the cached version's very objects.
		const run = (trigger: string, self: string) => {
			const w = new Workflow({ nodes, connections, active: true, nodeTypes });
			const ctx = { workflow: w, runExecutionData: { resultData: { runData: { [trigger]: [] } } }, getNode: () => w.nodes[self], getMode: () => 'trigger', continueOnFail: () => false, customData: customDataOf({}) };
			return () => refuseLossySettingsAtRunTime(ctx as never);
		};
		run('Trigger A', 'Load A')();
		assert.throws(run('Trigger B', 'Schema B'), /Doris Stream Load node "Load B" is disabled/);
		run('Trigger A', 'Load A')();
	});

	it('a run without the mark names a node put before the Doris node that let no item through among the causes', () => {
		const outcome = runOutcome({ status: 'success', data: { resultData: { runData: {} } } } as unknown as IRun, { node: 'Doris Stream Load', onMissing: () => undefined });
		assert.match((outcome as { reason: string }).reason, /a Filter, IF, Switch or Code node, let no item through/);
	});
});
