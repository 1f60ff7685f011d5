/**
 * What the Doris nodes' run-time check costs per execution the Kafka trigger started
 * (nodes/shared/lossy-settings.ts → republished-graph.ts: the trigger's activation checks on the version
 * running now, review session 19 F1). n8n builds a Workflow object per execution (workflow-runner.js), so
 * the first Doris node of each execution walks the graph once and the others reuse the verdict. Printed
 * beside what n8n itself spends building that Workflow object, never asserted. One core, CPU time, best
 * of BENCH_ROUNDS (default 9):
 *   node --import tsx bench/micro/run-time-checks.ts
 * Graphs: examples/orders-low-frequency.json (5 nodes), and the same with 10 and 200 Set nodes chained
 * between the trigger and the Doris Schema node.
 */
import { readFileSync } from 'node:fs';
import { Workflow, type IConnections, type INode, type INodeTypes } from 'n8n-workflow';

import { refuseLossySettingsAtRunTime } from '../../nodes/shared/lossy-settings';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
// The parameters the checks read, declared so n8n's Workflow keeps them; the Doris nodes' two outputs.
const declared = (names: string[], outputs = 1) => ({
	description: { outputs: Array.from({ length: outputs }, () => 'main'), properties: names.map((name) => ({ displayName: name, name, type: 'json', default: undefined })) },
});
const oneOutput = declared(['options']);
const ours: Record<string, unknown> = {
	'n8n-nodes-doris-sinker.kafkaTrigger': declared(['options', 'output', 'topics', 'groupId', 'format']),
	'n8n-nodes-doris-sinker.dorisSchema': declared(['operation', 'options', 'table', 'database'], 2),
	'n8n-nodes-doris-sinker.dorisStreamLoad': declared(['options', 'format', 'table', 'database'], 2),
};
const typeOf = (type: string) => ours[type] ?? oneOutput;
const nodeTypes = { getByName: typeOf, getByNameAndVersion: typeOf, getKnownTypes: () => ({}) } as unknown as INodeTypes;

function example(setNodes: number): { nodes: INode[]; connections: IConnections } {
	const workflow = JSON.parse(readFileSync('examples/orders-low-frequency.json', 'utf8')) as { nodes: INode[]; connections: IConnections };
	const chain = Array.from({ length: setNodes }, (_, i) => ({ id: `set${i}`, name: `Set ${i}`, type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [0, 0], parameters: {} }) as INode);
	const names = ['Kafka Trigger', ...chain.map((n) => n.name), 'Doris Schema'];
	const connections = { ...workflow.connections };
	for (let i = 0; i + 1 < names.length; i++) connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return { nodes: [...workflow.nodes, ...chain], connections };
}

function context(workflow: Workflow, name: string, ran: string[]) {
	const self = workflow.nodes[name];
	return {
		workflow,
		runExecutionData: { resultData: { runData: Object.fromEntries(ran.map((n) => [n, []])) } },
		getNode: () => self,
		getMode: () => 'trigger',
		continueOnFail: () => false,
		getExecuteData: () => ({ node: self }),
	};
}

function best(run: () => void, repeat: number): number {
	const times: number[] = [];
	for (let r = 0; r < rounds + 2; r++) {
		const start = process.cpuUsage();
		for (let i = 0; i < repeat; i++) run();
		const used = process.cpuUsage(start);
		if (r >= 2) times.push(((used.user + used.system) / repeat));
	}
	return Math.min(...times);
}

for (const setNodes of [0, 10, 200]) {
	const { nodes, connections } = example(setNodes);
	const fresh = () => new Workflow({ nodes: structuredClone(nodes), connections, active: true, nodeTypes });
	const repeat = setNodes > 100 ? 300 : 3000;
	const clone = best(() => void structuredClone(nodes), repeat);
	const build = best(() => void fresh(), repeat) - clone;
	const both = best(() => {
		const workflow = fresh();
		refuseLossySettingsAtRunTime(context(workflow, 'Doris Schema', ['Kafka Trigger']) as never);
		refuseLossySettingsAtRunTime(context(workflow, 'Doris Stream Load', ['Kafka Trigger', 'Doris Schema']) as never);
	}, repeat) - clone;
	const cachedWorkflow = fresh();
	refuseLossySettingsAtRunTime(context(cachedWorkflow, 'Doris Schema', ['Kafka Trigger']) as never);
	const cached = best(() => refuseLossySettingsAtRunTime(context(cachedWorkflow, 'Doris Stream Load', ['Kafka Trigger', 'Doris Schema']) as never), repeat * 10);
	// Regular mode: each execution's Workflow is built from the one cached published version (same objects);
	// the Workflow objects are built before the clock starts, so only the checks are timed.
	const shared = structuredClone(nodes);
	const times: number[] = [];
	for (let r = 0; r < rounds + 2; r++) {
		const workflows = Array.from({ length: repeat }, () => new Workflow({ nodes: shared, connections, active: true, nodeTypes }));
		const start = process.cpuUsage();
		for (const workflow of workflows) {
			refuseLossySettingsAtRunTime(context(workflow, 'Doris Schema', ['Kafka Trigger']) as never);
			refuseLossySettingsAtRunTime(context(workflow, 'Doris Stream Load', ['Kafka Trigger', 'Doris Schema']) as never);
		}
		const used = process.cpuUsage(start);
		if (r >= 2) times.push((used.user + used.system) / repeat);
	}
	const sameVersion = Math.min(...times);
	console.log(`${nodes.length} nodes, executions of one cached version (regular mode): check per execution ${sameVersion.toFixed(1)} us`);
	console.log(
		`${nodes.length} nodes: n8n builds the Workflow ${build.toFixed(1)} us; check per execution (first node walks, second reuses) ${(both - build).toFixed(1)} us; a node reusing the verdict ${cached.toFixed(2)} us`,
	);
}
