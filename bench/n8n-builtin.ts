/**
 * What an n8n user builds without this package, with n8n's own nodes (n8n-nodes-base):
 *
 * - builtin (bench/workflows/builtin-kafka-http.json): the Kafka Trigger v1.3 (kafkajs) with its
 *   defaults — one execution per message — and an HTTP Request node that PUTs each item as a one-row
 *   Stream Load straight to the BE. It reads a smaller slice of the data set (--builtin-size): at a
 *   few hundred rows/s the full one would take hours.
 * - builtin-batch (bench/workflows/builtin-batch-http.json), what an experienced n8n user builds: the
 *   Kafka Trigger at Batch Size 5000 (one execution per 5000 messages), Resolve Offset "On Execution
 *   Success", one partition per execution in parallel (Partitions Consumed Concurrently = the topic's
 *   partitions) and Fetch Max Bytes raised so a fetch holds a whole batch (kafkajs' 1 MB per partition
 *   would cut it at ~3,000 of these events); a Code node joining the items into JSON lines; an HTTP
 *   Request node (v4.5, n8n's default) doing one Stream Load per execution the way Doris documents it —
 *   PUT to the FE with `Expect: 100-continue`, the FE's 307 followed to a BE with the credentials
 *   ("Send Credentials on Cross-Origin Redirect": the BE is another origin, and without the option
 *   the BE answers "no valid Basic authorization"); a Code node failing the execution unless Doris
 *   answered Status "Success" or "Publish Timeout", so a refused load's offsets are not committed.
 *   No validation: rows Doris would filter fail the whole load.
 * - the pitfalls (builtin-batch without its fixes): see bench/builtin-pitfalls.ts.
 */
import type { WorkflowJson } from '../test/ground/n8n/host';
import { PARTITIONS } from './dataset';
import { launchInN8n, type N8nWorkflow } from './n8n';
import type { Scenario } from './scenarios';

export const n8nBuiltin: Scenario = {
	id: 'builtin',
	title: "n8n's Kafka Trigger + HTTP Request (one Stream Load per message)",
	launch: (cfg) => launchInN8n({ file: 'builtin-kafka-http.json', nodes: 'builtin' }, cfg),
};

/** Room for 5000 events of ~335 bytes, twice over, in one fetch per partition. */
const FETCH_MAX_BYTES = 4 * 1024 * 1024;

export const builtinBatchWorkflow: N8nWorkflow = {
	file: 'builtin-batch-http.json',
	nodes: 'builtin',
	values: (cfg) => ({ BATCH_SIZE: cfg.execRows, PARTITIONS, FETCH_MAX_BYTES }),
};

export const n8nBuiltinBatch: Scenario = {
	id: 'builtin-batch',
	title: "n8n's Kafka Trigger (Batch Size 5000) + Code (JSON lines) + HTTP Request (one Stream Load per execution)",
	launch: (cfg) => launchInN8n(builtinBatchWorkflow, cfg),
};

export function nodeNamed(workflow: WorkflowJson, name: string): WorkflowJson['nodes'][number] {
	const node = workflow.nodes.find((n) => n.name === name);
	if (node === undefined) throw new Error(`workflow ${workflow.name}: no node "${name}"`);
	return node;
}

/** Removes a node that has one input and one output, joining its neighbours. */
export function bypassNode(workflow: WorkflowJson, name: string): void {
	workflow.nodes = workflow.nodes.filter((n) => n.name !== name);
	const connections = workflow.connections as Record<string, { main: { node: string; type: string; index: number }[][] }>;
	const after = connections[name]?.main[0] ?? [];
	delete connections[name];
	for (const output of Object.values(connections)) {
		for (const branch of output.main) {
			const at = branch.findIndex((c) => c.node === name);
			if (at >= 0) branch.splice(at, 1, ...after);
		}
	}
}
