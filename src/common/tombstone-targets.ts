/**
 * Tombstones "Delete the Row of Its Key" and a Doris Schema node that names each row's table or
 * database by the Debezium source block (Table From / Database From "Debezium Source"): a tombstone
 * carries no value, so its key row (src/kafka/tombstone-keys.ts: the key's fields and the delete sign)
 * has no `source.table` / `source.db`, and every such delete went to Invalid ("the message has no
 * source.table", src/doris/schema/target.ts). That is where README and the compacted-topic refusal
 * send users: a compacted topic whose `op: d` events the cleaner removed, the tombstone being the only
 * delete left, which then never applied (review session 20, F7).
 *
 * Refused at activation rather than guessed at run time: a memo of the table the topic's other messages
 * went to was considered and left out, as one topic can carry several tables (Debezium's
 * ByLogicalTableRouter, a RegexRouter merging shards) and the memo is empty after every restart, so the
 * tombstone could delete a row of the wrong table, or still go to Invalid. The topic names the table
 * alike for an event and its tombstone: Table From "Kafka Topic" or a Topic → Table Map, Database From
 * "Database Parameter" or "Kafka Topic".
 */
import { SCHEMA_NODE_TYPE } from './lossy-settings';
import { nodesReachedFrom, type GraphNode, type WorkflowGraph } from './workflow-graph';

/** What to change, for the error's description (and the compacted-topic fix). */
export const TOMBSTONE_TARGETS_FIX =
	'With Tombstones "Delete the Row of Its Key", take the table from the topic, which a tombstone has as its event does: set Table From to "Kafka Topic (Last Segment)" or a "Topic → Table Map", and Database From to "Database Parameter" or "Kafka Topic (Segment Before Last)"; or set Tombstones to Skip where no topic is compacted';

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/** A Table From / Database From setting as the message names it when it is, or may be, "Debezium Source"; else undefined. */
function debeziumSource(value: unknown, label: string, defaultValue: string): string | undefined {
	const setting = value === undefined ? defaultValue : value;
	if (setting === 'debezium') return `${label} "Debezium Source"`;
	return isExpression(setting) ? `${label} an expression, which may be "Debezium Source"` : undefined;
}

/**
 * The problems of the Doris Schema nodes the trigger's items reach (Map Rows to Tables, enabled) when its
 * tombstones become deletes (`tombstonesDelete`), one sentence each; empty when nothing.
 */
export function tombstoneTargetProblems(graph: WorkflowGraph, trigger: string, tombstonesDelete: boolean): string[] {
	if (!tombstonesDelete) return [];
	const problems: string[] = [];
	const reached = nodesReachedFrom(graph, [trigger]).filter((node: GraphNode) => node.type === SCHEMA_NODE_TYPE && node.disabled !== true && node.parameters?.operation === 'mapRowsToTables');
	for (const node of reached) {
		const settings = [debeziumSource(node.parameters?.tableFrom, 'Table From', 'topic'), debeziumSource(node.parameters?.databaseFrom, 'Database From', 'parameter')].filter((s) => s !== undefined);
		if (settings.length === 0) continue;
		problems.push(
			`Tombstones is "Delete the Row of Its Key", but Doris Schema node "${node.name}" has ${settings.join(' and ')}: a tombstone has no value, so the row its key becomes has no Debezium source block to name the table, and every such delete would go to Invalid instead of deleting its row`,
		);
	}
	return problems;
}
