/**
 * Which of the Schema Registry fields of `_kafka` (item-contract.ts KafkaMessageMetadata) a workflow
 * reads, decided once at activation from the graph the trigger's items go through.
 *
 * `valueSchema`, the value's Kafka Connect schema, is ~6 KB for a 30-column Debezium table and rides on
 * every item: wired trigger → Doris Stream Load, each JSON line sent to Doris grew ~20x (the Stream Load
 * serializer leaves out only `_doris`), and every Invalid item or dead letter carries it too. Only the
 * Doris Schema node reads it: Create Missing Tables (table-design.ts column types) and Add New Columns
 * (row-mapper.ts new columns' types). `decodedKey` costs a registry decode per message and is read only
 * by Create Missing Tables (message-key.ts, the created table's key); `keyError` goes with it.
 *
 * A setting given as an expression may be on, so it counts as on. An Execute Workflow node the items
 * reach hands them to a sub-workflow this graph does not show, which may create tables: both are kept.
 * Without a graph (another n8n version, a test context) the caller keeps both: the safe default, since
 * a table created without them is keyed or typed worse, while with them rows only weigh more.
 */
import { EXECUTE_WORKFLOW_NODE_TYPE, SCHEMA_NODE_TYPE } from './lossy-settings';
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from './workflow-graph';

export interface KafkaMetadataNeeds {
	/** `_kafka.valueSchema`: Create Missing Tables or Add New Columns downstream. */
	valueSchema: boolean;
	/** `_kafka.decodedKey` / `keyError`: Create Missing Tables downstream. */
	decodedKey: boolean;
}

/** Both fields: a graph that cannot be read, or a sub-workflow that may use them. */
export const ALL_METADATA: KafkaMetadataNeeds = { valueSchema: true, decodedKey: true };

export function kafkaMetadataNeeds(graph: WorkflowGraph, trigger: string): KafkaMetadataNeeds {
	const needs: KafkaMetadataNeeds = { valueSchema: false, decodedKey: false };
	for (const node of nodesReachedFrom(graph, [trigger])) {
		if (node.disabled === true) continue;
		if (node.type === EXECUTE_WORKFLOW_NODE_TYPE) return { ...ALL_METADATA };
		if (node.type !== SCHEMA_NODE_TYPE) continue;
		const creates = createsTables(node);
		if (creates) needs.decodedKey = true;
		if (creates || addsColumns(node)) needs.valueSchema = true;
	}
	return needs;
}

const mayBeOn = (value: unknown) => value === true || (typeof value === 'string' && value.startsWith('='));

/** Operation as stored; absent is the default, Map Rows to Table (nodes/DorisSchema/actions/description.ts). */
function operationOf(node: GraphNode): unknown {
	return node.parameters?.operation ?? 'mapRows';
}

/** Create Missing Tables: a top-level parameter of Map Rows to Tables only (nodes/DorisSchema/actions/settings.ts). */
function createsTables(node: GraphNode): boolean {
	return operationOf(node) === 'mapRowsToTables' && mayBeOn(node.parameters?.createTables);
}

/** Add New Columns: `options.evolve`, of either Map Rows operation. */
function addsColumns(node: GraphNode): boolean {
	if (operationOf(node) === 'getSchema') return false;
	const options = node.parameters?.options;
	return options !== null && typeof options === 'object' && !Array.isArray(options) && mayBeOn((options as Record<string, unknown>).evolve);
}
