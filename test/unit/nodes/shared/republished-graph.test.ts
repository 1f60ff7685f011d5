// n8n 2.40.7 publishes a version whose Kafka trigger node is unchanged without activating the trigger
// again (workflows/publication/trigger-diff.js), and each emit runs that version. The Doris nodes run
// the trigger's activation checks on it when the trigger started the execution (review session 19, F1:
// the Doris Stream Load node disabled after activation, 10 rows committed, none in Doris).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeOperationError, Workflow, type IConnections, type INode, type IRun } from 'n8n-workflow';

import { runOutcome } from '../../../../nodes/KafkaTrigger/run-execution';
import { refuseLossySettingsAtRunTime } from '../../../../nodes/shared/lossy-settings';
import { VERSION_CHECKED_KEY, versionCheckingNode } from '../../../../nodes/shared/republished-graph';
import { graphOf, type StoredConnections } from '../../../../src/common/workflow-graph';
import { node, nodeTypes, to } from './graph-stubs';


type Fields = Partial<Record<'trigger' | 'schema' | 'load', Partial<INode>>>;

/**
 * The orders example as published later: Kafka Trigger → Doris Schema → Doris Stream Load, Invalid and
 * Rejected → Dead Letters (a Kafka node waiting for the broker); the context of `running` in an execution
 * the trigger started, in which the nodes of `ran` ran.
 */
function published(fields: Fields = {}, options: { more?: IConnections; extra?: INode[]; running?: string; ran?: string[]; settings?: Record<string, unknown> } = {}) {
	const nodes = [
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger', fields.trigger),
		node('Doris Schema', 'n8n-nodes-doris-sinker.dorisSchema', fields.schema),
		node('Doris Stream Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', fields.load),
		node('Dead Letters', 'n8n-nodes-base.kafka', { parameters: { options: { acks: true } } }),
		...(options.extra ?? []),
	];
	const connections: IConnections = {
		'Kafka Trigger': { main: [to('Doris Schema')] },
		'Doris Schema': { main: [to('Doris Stream Load'), to('Dead Letters')] },
		'Doris Stream Load': { main: [[], to('Dead Letters')] },
		...options.more,
	};
	const workflow = new Workflow({ nodes, connections, active: true, nodeTypes });
	const self = workflow.nodes[options.running ?? 'Doris Schema'];
	const ctx = {
		workflow,
		runExecutionData: { resultData: { runData: Object.fromEntries((options.ran ?? ['Kafka Trigger']).map((name) => [name, []])) } },
		getNode: () => self,
		getMode: () => 'trigger',
		continueOnFail: () => false,
		getExecuteData: () => ({ node: self, data: {}, source: null }),
		getWorkflowSettings: () => options.settings ?? {},
	};
	return () => refuseLossySettingsAtRunTime(ctx as never);
}

const REPUBLISHED = /This workflow was published after its Kafka trigger "Kafka Trigger" was activated/;

describe('the Kafka trigger\'s activation checks, at run time in an execution it started', () => {
	it('passes the workflow activation passes (a harmless publish fails nothing), in either Doris node', () => {
		published()();
		published({}, { running: 'Doris Stream Load', ran: ['Kafka Trigger', 'Doris Schema'] })();
		// A node added after Loaded (a notification), Keep Order on with Debezium Envelopes.
		published({}, { extra: [node('Notify', 'n8n-nodes-base.noOp')], more: { 'Doris Stream Load': { main: [to('Notify'), to('Dead Letters')] } } })();
		published({ trigger: { parameters: { options: { keepPartitionOrder: true } } }, schema: { parameters: { options: { cdc: true } } } })();
	});

	it('fails the execution when the Doris Stream Load node was disabled, naming it, the publish and the fix', () => {
		assert.throws(published({ load: { disabled: true } }), (error: NodeOperationError) => {
			assert.ok(error instanceof NodeOperationError);
			assert.match(error.message, REPUBLISHED);
			assert.match(error.message, /Doris Stream Load node "Doris Stream Load" is disabled/);
			assert.match(error.description ?? '', /deactivate and activate the workflow so the trigger checks the version it runs/);
			assert.match(error.description ?? '', /enable the Doris Stream Load or Execute Workflow node/);
			return true;
		});
	});

	it('fails it for every other refusal activation makes on the graph: Rows leading nowhere, Continue into nowhere, a waiting node, unordered changes, a stall, packed CSV', () => {
		assert.throws(published({}, { more: { 'Doris Schema': { main: [[], to('Dead Letters')] } } }), /Doris Schema node "Doris Schema": its Rows output leads nowhere/);
		assert.throws(published({ load: { onError: 'continueRegularOutput' } }, { more: { 'Doris Stream Load': { main: [] } } }), /Continue \(regular output\)" but its Rejected output leads nowhere/);
		const wait = node('Wait', 'n8n-nodes-base.wait', { typeVersion: 1.1, parameters: { resume: 'webhook' } });
		assert.throws(published({}, { extra: [wait], more: { 'Doris Stream Load': { main: [to('Wait'), to('Dead Letters')] } } }), /Wait node "Wait": Resume is "On Webhook Call"/);
		assert.throws(published({ schema: { parameters: { options: { cdc: true } } } }), /Keep Order per Partition \(trigger options\) is off, but Doris Schema node "Doris Schema" has Debezium Envelopes/);
		assert.throws(published({}, { more: { 'Doris Stream Load': { main: [] } } }), /its Rejected output leads nowhere: a row flagged as a delete/);
		assert.throws(published({ trigger: { parameters: { output: 'batch' } }, load: { parameters: { format: 'csv' } } }), /Output is "One Item per Batch" but Doris Stream Load node "Doris Stream Load" has Format CSV/);
	});

	it("a publish that changes only n8n's Timeout or a Batch Max Interval: the timeout contradiction activation refuses fails the execution (review session 19, M3)", () => {
		published({}, { settings: { executionTimeout: 60 } })();
		assert.throws(published({ load: { parameters: { batchIntervalSeconds: 8 } } }, { settings: { executionTimeout: 3 } }), /n8n cancels each execution after 3 s \(the workflow's Timeout setting\), but Doris Stream Load node "Doris Stream Load" may hold rows for 8 s/);
		assert.throws(published({ load: { parameters: { batchIntervalSeconds: 4000 } } }), /the trigger gives up an execution after its Execution Timeout of 3600 s, but Doris Stream Load node "Doris Stream Load" may hold rows for 4000 s/);
	});

	it('skips the checks needing a trigger setting an expression gives (activation resolved it)', () => {
		published({ trigger: { parameters: { options: { keepPartitionOrder: '={{ true }}' } } }, schema: { parameters: { options: { cdc: true } } } })();
	});

	it('fails it also when the Doris node is on On Error "Continue"', () => {
		assert.throws(published({ schema: { onError: 'continueRegularOutput' }, load: { disabled: true } }), REPUBLISHED);
	});
});

describe('the verdict across executions', () => {
	it('is found once per stored version n8n shares between executions (regular mode\'s cache), and again for a new version', () => {
		const nodes = [
			node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
			node('Doris Schema', 'n8n-nodes-doris-sinker.dorisSchema'),
			node('Doris Stream Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', { disabled: true }),
		];
		const connections: IConnections = { 'Kafka Trigger': { main: [to('Doris Schema')] }, 'Doris Schema': { main: [to('Doris Stream Load'), []] } };
		const check = (workflow: Workflow) => () =>
			refuseLossySettingsAtRunTime({
				workflow,
				runExecutionData: { resultData: { runData: { 'Kafka Trigger': [] } } },
				getNode: () => workflow.nodes['Doris Schema'],
				getMode: () => 'trigger',
				continueOnFail: () => false,
			} as never);
		assert.throws(check(new Workflow({ nodes, connections, active: true, nodeTypes })), /is disabled/);
		// The same stored objects in the next execution's Workflow: the verdict is reused (n8n never
		// changes them in place; changed here only to show it is not walked again).
		nodes[2].disabled = false;
		assert.throws(check(new Workflow({ nodes, connections, active: true, nodeTypes })), /is disabled/);
		// A new version brings new objects: walked again.
		assert.throws(check(new Workflow({ nodes: structuredClone(nodes), connections: structuredClone(connections), active: true, nodeTypes })), (error: Error) => !/is disabled/.test(error.message));
	});
});

describe('the mark a Doris node leaves for the trigger, and what the trigger makes of a run without it', () => {
	const graph = (load: Partial<INode> = {}, schema: Partial<INode> = {}) => {
		const workflow = new Workflow({
			nodes: [node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'), node('Doris Schema', 'n8n-nodes-doris-sinker.dorisSchema', schema), node('Doris Stream Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', load)],
			connections: { 'Kafka Trigger': { main: [to('Doris Schema')] }, 'Doris Schema': { main: [to('Doris Stream Load'), []] } },
			active: true,
			nodeTypes,
		});
		return graphOf(Object.values(workflow.nodes), workflow.connectionsBySourceNode as StoredConnections);
	};

	it('activation expects the mark from a Doris node right after the trigger, which runs in every execution; not from one reading the schema, nor a disabled one', () => {
		assert.equal(versionCheckingNode(graph(), 'Kafka Trigger'), 'Doris Schema');
		assert.equal(versionCheckingNode(graph({}, { parameters: { operation: 'getSchema' } }), 'Kafka Trigger'), undefined);
		assert.equal(versionCheckingNode(graph({}, { parameters: { operation: '={{ "getSchema" }}' } }), 'Kafka Trigger'), undefined);
		// A disabled Doris Schema node hands its items on: the Doris Stream Load node after it runs in every execution.
		assert.equal(versionCheckingNode(graph({}, { disabled: true }), 'Kafka Trigger'), 'Doris Stream Load');
		assert.equal(versionCheckingNode(graph({ disabled: true }, { disabled: true }), 'Kafka Trigger'), undefined);
	});

	it('and from one after nodes that hand on an item for every item (Edit Fields, No Operation, a disabled node), not after one that may hand on nothing', () => {
		const through = (between: Array<Partial<INode> & { type: string }>) => {
			const names = between.map((_, i) => `Step ${i}`);
			const chain = ['Kafka Trigger', ...names, 'Doris Schema'];
			const workflow = new Workflow({
				nodes: [
					node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
					...between.map((fields, i) => node(names[i], fields.type, fields)),
					node('Doris Schema', 'n8n-nodes-doris-sinker.dorisSchema'),
					node('Doris Stream Load', 'n8n-nodes-doris-sinker.dorisStreamLoad'),
				],
				connections: Object.fromEntries([...chain.slice(0, -1).map((name, i) => [name, { main: [to(chain[i + 1])] }]), ['Doris Schema', { main: [to('Doris Stream Load'), []] }]]),
				active: true,
				nodeTypes,
			});
			return versionCheckingNode(graphOf(Object.values(workflow.nodes), workflow.connectionsBySourceNode as StoredConnections), 'Kafka Trigger');
		};
		assert.equal(through([{ type: 'n8n-nodes-base.set' }]), 'Doris Schema');
		assert.equal(through([{ type: 'n8n-nodes-base.set' }, { type: 'n8n-nodes-base.noOp' }, { type: 'n8n-nodes-base.dateTime' }]), 'Doris Schema');
		assert.equal(through([{ type: 'n8n-nodes-base.code', disabled: true }]), 'Doris Schema', 'a disabled node hands its input on');
		for (const type of ['n8n-nodes-base.code', 'n8n-nodes-base.filter', 'n8n-nodes-base.if', 'n8n-nodes-base.removeDuplicates', 'n8n-nodes-base.httpRequest']) {
			assert.equal(through([{ type: 'n8n-nodes-base.set' }, { type }]), undefined, type);
		}
		// Late review session 20, V1: on "Continue (using error output)" the items it fails on leave by that
		// output, so an execution may reach no Doris node; expecting the mark refused it for ever.
		for (const type of ['n8n-nodes-base.set', 'n8n-nodes-base.dateTime', 'n8n-nodes-base.crypto', 'n8n-nodes-base.renameKeys']) {
			assert.equal(through([{ type, onError: 'continueErrorOutput' }]), undefined, type);
			assert.equal(through([{ type, onError: 'continueRegularOutput' }]), 'Doris Schema', type);
		}
	});

	it('a disabled node hands on only what reaches its first input (n8n-core handleDisabledNode): reached on another, the walk stops there', () => {
		const viaInput = (index: number) =>
			graphOf(
				[
					node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'),
					node('Merge', 'n8n-nodes-base.merge', { disabled: true }),
					node('Doris Schema', 'n8n-nodes-doris-sinker.dorisSchema'),
				],
				{ 'Kafka Trigger': { main: [[{ node: 'Merge', type: 'main', index }]] }, Merge: { main: [to('Doris Schema')] } } as StoredConnections,
			);
		assert.equal(versionCheckingNode(viaInput(0), 'Kafka Trigger'), 'Doris Schema');
		assert.equal(versionCheckingNode(viaInput(1), 'Kafka Trigger'), undefined);
	});

	it('a Doris node that finds the version clean marks the execution once; one that refuses it does not', () => {
		const set: string[] = [];
		const run = (fields: Fields) => {
			const workflow = new Workflow({
				nodes: [node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger'), node('Doris Schema', 'n8n-nodes-doris-sinker.dorisSchema', fields.schema), node('Doris Stream Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', fields.load), node('Dead Letters', 'n8n-nodes-base.kafka', { parameters: { options: { acks: true } } })],
				connections: { 'Kafka Trigger': { main: [to('Doris Schema')] }, 'Doris Schema': { main: [to('Doris Stream Load'), to('Dead Letters')] }, 'Doris Stream Load': { main: [[], to('Dead Letters')] } },
				active: true,
				nodeTypes,
			});
			const ctx = (name: string) => ({
				workflow,
				runExecutionData: { resultData: { runData: { 'Kafka Trigger': [] } } },
				getNode: () => workflow.nodes[name],
				getMode: () => 'trigger',
				continueOnFail: () => false,
				customData: { set: (key: string, value: string) => set.push(`${key}=${value}`) },
			});
			return () => {
				refuseLossySettingsAtRunTime(ctx('Doris Schema') as never);
				refuseLossySettingsAtRunTime(ctx('Doris Stream Load') as never);
			};
		};
		run({})();
		assert.deepEqual(set, [`${VERSION_CHECKED_KEY}=1`]);
		assert.throws(run({ load: { disabled: true } }), /is disabled/);
		assert.equal(set.length, 1);
	});

	it('the trigger counts a successful run without the mark as not loaded (settled), says why and tells onMissing; with the mark, loaded', () => {
		const told: string[] = [];
		const check = { node: 'Doris Schema', onMissing: (reason: string) => told.push(reason) };
		const success = (metadata?: Record<string, string>) => ({ status: 'success', data: { resultData: { runData: {}, metadata } } }) as unknown as IRun;
		assert.deepEqual(runOutcome(success({ [VERSION_CHECKED_KEY]: '1' }), check), { ok: true });
		const outcome = runOutcome(success(), check);
		assert.equal(outcome.ok, false);
		assert.match((outcome as { reason: string }).reason, /Doris node "Doris Schema" that every execution reached when the trigger was activated did not check it: the workflow was published after the trigger was activated/);
		assert.equal((outcome as { settled?: boolean }).settled, true);
		assert.equal(told.length, 1);
		// Without an expected node (none every execution reaches), as before.
		assert.deepEqual(runOutcome(success()), { ok: true });
	});
});
