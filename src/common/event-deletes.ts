/**
 * Which Doris Schema nodes the trigger's items reach delete rows by Debezium's delete events, each
 * followed in the topic by a tombstone of the same key. Two forms:
 * - Debezium Envelopes (CDC) on (or an expression): the `op: d` event.
 * - Envelopes off: a record flattened by ExtractNewRecordState with `__deleted: "true"`
 *   (row-mapper.ts flattenedDeletes, the node's default with Envelopes off). Debezium writes the tombstone
 *   after it with `delete.tombstone.handling.mode=rewrite-with-tombstone` (2.5+; DefaultDeleteHandlingStrategy
 *   passes the tombstone on and rewrites the delete to `before` + `__deleted`) and with 1.x/2.x
 *   `delete.handling.mode=rewrite` + `drop.tombstones=false` (LegacyDeleteHandlingStrategy).
 * On a compacted topic Kafka's log cleaner keeps only the latest message of a key, the tombstone, and
 * removes the event before it; Tombstones "Skip" then drops the only trace of the delete
 * (src/kafka/compacted-topics.ts). Before review session 20 (F4) only the first form made the trigger
 * refuse or hold compacted topics, and a flattened stream on one lost its deletes quietly.
 *
 * A flattened delete counts only behind the trigger's Keep Order per Partition: with it off the Doris Stream
 * Load node takes every row flagged as a delete out (rule delete_unordered, src/batch/delete-rows.ts), so such
 * a delete never reaches Doris whether or not the cleaner removed its record, and the examples that load plain
 * records (Keep Order off, Envelopes off) are not made to read every topic's cleanup.policy (DescribeConfigs, a
 * permission such credentials may lack, refused fail-closed where it cannot be read). An op d event counts
 * either way, as before (change-order.ts refuses Envelopes without Keep Order anyway).
 *
 * Not deleting: Get Schema, a disabled node, a node the trigger's items do not reach, and a node that keeps
 * `__deleted` as data — a Field Mapping from the field `__deleted`, or a manual column list with a column
 * `__deleted` (any case), as row-mapper.ts reads them. A table column `__deleted` read from Doris (Schema Mode
 * Auto) is not in the graph: such a node counts as deleting, and the refusal says to map the field.
 */
import { SCHEMA_NODE_TYPE } from './lossy-settings';
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from './workflow-graph';

/** Debezium's delete marker of a flattened record (ExtractNewRecordStateConfigDefinition.DELETED_FIELD). */
const DELETED_FIELD = '__deleted';

export interface EventDeletingNode {
	/** The Doris Schema node's name. */
	node: string;
	/** By `op: d` events (Debezium Envelopes on or an expression) or by flattened `__deleted: "true"` records. */
	form: 'envelopes' | 'flattened';
}

/** The Doris Schema nodes the trigger's items reach that delete rows by Debezium's delete events (see above). */
export function schemaNodesDeletingByEvents(graph: WorkflowGraph, trigger: string): EventDeletingNode[] {
	const deleting: EventDeletingNode[] = [];
	for (const node of nodesReachedFrom(graph, [trigger])) {
		if (node.type !== SCHEMA_NODE_TYPE || node.disabled === true || node.parameters?.operation === 'getSchema') continue;
		const cdc = options(node).cdc;
		if (cdc === true || (typeof cdc === 'string' && cdc.startsWith('='))) deleting.push({ node: node.name, form: 'envelopes' });
		else if (!keepsDeletedAsData(node)) deleting.push({ node: node.name, form: 'flattened' });
	}
	return deleting;
}

/**
 * Whether the trigger must refuse compacted topics (and read their cleanup.policy while running, holding one
 * that turns compact: src/kafka/compacted-topic-hold.ts): its tombstones are skipped and a Doris Schema node
 * it reaches deletes by Debezium's delete events (see above).
 */
export function refusesCompactedTopics(graph: WorkflowGraph, trigger: string, settings: { tombstonesSkipped: boolean; keepPartitionOrder: boolean }): boolean {
	if (!settings.tombstonesSkipped) return false;
	return schemaNodesDeletingByEvents(graph, trigger).some((deleting) => deleting.form === 'envelopes' || settings.keepPartitionOrder);
}

/**
 * Whether the node loads `__deleted` as data instead of reading it as a delete (row-mapper.ts: a Field
 * Mapping's field, or its first dot-path segment, is a known field; a table column of that name in any case).
 */
function keepsDeletedAsData(node: GraphNode): boolean {
	const mapping = (options(node).mapping as { mapping?: unknown } | undefined)?.mapping;
	const mapped = Array.isArray(mapping) ? mapping.map((m) => (m as { field?: unknown } | null)?.field) : [];
	if (mapped.some((field) => typeof field === 'string' && (field.trim() === DELETED_FIELD || field.trim().startsWith(`${DELETED_FIELD}.`)))) return true;
	const parameters = node.parameters ?? {};
	if ((parameters.operation ?? 'mapRows') !== 'mapRows' || parameters.schemaMode !== 'manual') return false;
	const columns = (parameters.manualColumns as { column?: unknown } | undefined)?.column;
	return Array.isArray(columns) && columns.some((c) => typeof (c as { name?: unknown } | null)?.name === 'string' && (c as { name: string }).name.trim().toLowerCase() === DELETED_FIELD);
}

function options(node: GraphNode): Record<string, unknown> {
	const value = node.parameters?.options;
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
