/**
 * Settings under which one valid row fails every delivery of its execution, so the Kafka trigger never
 * commits past it and its partition stalls for good: the Doris Stream Load node takes the row out before
 * the load and, with its Rejected output leading nowhere, has no place to put it but to fail the
 * execution (the trigger redelivers it, the row is taken out again, and so on). Refused at activation,
 * naming the settings and what to change, where the graph says it can happen:
 * - Deletes (CDC) Auto (the default) with the trigger's Keep Order per Partition off (the default): a
 *   row flagged as a delete goes to Rejected with rule delete_unordered (src/batch/delete-rows.ts), as
 *   it could land before an update that came before it in Kafka. Whether a row is a delete is known only
 *   per row, and nearly any row can be one: a Doris Schema node with Debezium Envelopes off reads a
 *   flattened Debezium record's `__deleted` "true" as a delete whenever its table has no `__deleted`
 *   column (row-mapper.ts flattenedDeletes, which the graph cannot tell), and any pipeline carries a
 *   producer's own `__DORIS_DELETE_SIGN__`. So every such node is refused, not only those behind CDC.
 *   Before this check a single flattened delete held its partition for good (session 16).
 * - A JSON load whose Columns, JSON Paths or json_root header name what Doris reads of a line: a row
 *   with a field none of them reads (an optional field some messages carry) is taken out with rule
 *   field_not_read (src/doris/stream-load/wire-format.ts), since Doris would skip it without a word.
 *   Not with a partial update, whose Columns are the update set on purpose (no check).
 * - A Sequence Column (function_column.sequence_col, for a table with a hidden sequence column): a row
 *   whose value for it is null, or missing (unless the table column of its name has DEFAULT
 *   CURRENT_TIMESTAMP, which the graph cannot tell), is taken out with rule null_sequence,
 *   missing_sequence or delete_sequence (src/batch/sequence-values.ts), since Doris would load it and
 *   keep a stored row of its key with a higher sequence value over it. An optional field is as common
 *   here as under Columns. Partial update or not: a fixed one reads the value from the row all the same
 *   (the header puts the hidden column among the updated ones, FE StreamLoadPlanner), and a flexible one
 *   refuses the option. Before session 17 the first such row held its partition for good.
 * Left to the message the execution fails with (it names the rule, the row and the fix), because the
 * graph cannot tell them from settings that never stall and refusing them would refuse those too:
 * - Deletes Never with a row flagged as a delete (delete_not_applied): whether any row deletes is known
 *   only per row, and Deletes Never is the setting for streams that never delete;
 * - Keep Order per Partition on with Deletes Auto into a DUPLICATE or AGGREGATE KEY table, or a UNIQUE
 *   KEY table without the hidden delete sign (delete_unsupported): the table's model is read when a
 *   delete comes, and such a table with rows that never delete loads well;
 * - Format CSV with a value a CSV line cannot carry (csv_unwritable): any text value could hold the
 *   separator, so this would refuse every CSV load whose Rejected leads nowhere;
 * - the table's own sequence column (function_column.sequence_col), which the Doris Schema node checks
 *   like every other column: a row lacking it goes to Invalid, or, when Invalid leads nowhere, fails
 *   the execution naming the rule, as any invalid row does. Whether a table has one is the table's, not
 *   a setting the graph shows.
 * Not a node on On Error "Continue": its failed rows go to its error output or to Rejected, and the
 * lossy-continue check refuses it where neither leads anywhere. A node in a sub-workflow the trigger's
 * Execute Workflow node calls is not seen; there the node fails the execution, naming the fix.
 */
import { KAFKA_TRIGGER_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from './lossy-settings';
import { nodesReachedFrom, reachesRunningNode, type GraphNode, type WorkflowGraph } from './workflow-graph';

export { KAFKA_TRIGGER_NODE_TYPE };

/** The Doris Stream Load node's Rejected output (0 is Loaded). */
const REJECTED_OUTPUT = 1;

const CONNECT_REJECTED = 'connect its Rejected output (to a dead-letter branch, or to a No Operation node to drop such rows on purpose)';

/** What to change, for the error's description. */
export const STALLING_SETTINGS_FIX =
	"Connect the Doris Stream Load node's Rejected output to the dead-letter branch (the examples send it, with the Doris Schema node's Invalid output, to a dead-letter topic), so such rows are handed back there and the others load and commit. For deletes, or turn Keep Order per Partition on (Kafka trigger, Options) with a short Execution Timeout (e.g. 120 s), as examples/cdc-debezium.json does. Then activate the workflow again.";

/** The problems of the Doris Stream Load nodes the trigger's items reach, one sentence each; empty when none. */
export function stallingSettingsProblems(graph: WorkflowGraph, trigger: string, settings: { keepPartitionOrder: boolean }): string[] {
	const problems: string[] = [];
	for (const node of nodesReachedFrom(graph, [trigger])) {
		if (node.type !== STREAM_LOAD_NODE_TYPE || node.disabled === true || continuesOnError(node)) continue;
		if (reachesRunningNode(graph, node.name, REJECTED_OUTPUT)) continue;
		const where = `Doris Stream Load node "${node.name}"`;
		const deletes = deletesSetting(node);
		if (!settings.keepPartitionOrder && deletes !== undefined) {
			problems.push(
				`Keep Order per Partition (trigger options) is off and ${where} has Deletes (CDC) ${deletes}, but its Rejected output leads nowhere: ` +
					`a row flagged as a delete (a flattened Debezium record's __deleted "true", or a row's own __DORIS_DELETE_SIGN__ 1) into a UNIQUE KEY table cannot load without Keep Order (an update before it in Kafka could land after it) ` +
					`and goes to Rejected, so with Rejected leading nowhere it would fail every delivery of its execution and hold its partition for good; ` +
					`turn Keep Order per Partition on, or ${CONNECT_REJECTED}, or set Deletes (CDC) to Never if these rows never delete (a delete then fails its execution as well)`,
			);
		}
		const sequence = sequenceColumnSetting(node);
		if (sequence !== undefined) {
			const field = sequence.expression ? 'value for it' : sequence.name;
			problems.push(
				`${where} has the Sequence Column ${sequence.expression ? 'an expression' : sequence.name}, but its Rejected output leads nowhere: a row whose ${field} is null or missing ` +
					'(an optional field; missing loads only where the table column of its name has DEFAULT CURRENT_TIMESTAMP) is handed back on Rejected, ' +
					'since Doris would load it and keep a stored row of its key with a higher sequence value over it, so with Rejected leading nowhere it would fail every delivery of its execution and hold its partition for good; ' +
					`${CONNECT_REJECTED}, or make sure every message carries a value for it (the option cannot simply be removed: a table with a hidden sequence column refuses a load that names none)`,
			);
		}
		const reads = fieldsReadBy(node);
		if (reads !== undefined) {
			problems.push(
				`${where} loads JSON with ${reads}, but its Rejected output leads nowhere: a row with a field none of them reads (an optional field some messages carry) ` +
					`is handed back on Rejected, since Doris would skip that field without a word, so with Rejected leading nowhere it would fail every delivery of its execution and hold its partition for good; ` +
					`${CONNECT_REJECTED}, or read every field the rows can carry`,
			);
		}
	}
	return problems;
}

/** On Error "Continue" in either mode, or the older Continue On Fail: failures do not throw. */
function continuesOnError(node: GraphNode): boolean {
	return node.continueOnFail === true || node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput';
}

function options(node: GraphNode): Record<string, unknown> {
	const value = node.parameters?.options;
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '');

/** Deletes (CDC) as the message names it when it is Auto (absent: the default) or may be (an expression); else undefined. */
function deletesSetting(node: GraphNode): string | undefined {
	const deletes = options(node).deletes;
	if (deletes === undefined || deletes === 'auto') return 'Auto (the default)';
	return isExpression(deletes) ? 'an expression, which may be Auto' : undefined;
}

/** The Sequence Column option when set (a name, or an expression that may give one); else undefined. */
function sequenceColumnSetting(node: GraphNode): { name: string; expression: boolean } | undefined {
	const value = options(node).sequenceColumn;
	if (isExpression(value)) return { name: String(value), expression: true };
	const name = text(value);
	return name === '' ? undefined : { name, expression: false };
}

/**
 * The settings that name what Doris reads of a JSON line (src/doris/stream-load/wire-format.ts
 * columnsListCheck), as the message names them, or undefined: not for CSV, nor a partial update.
 */
function fieldsReadBy(node: GraphNode): string | undefined {
	const format = node.parameters?.format;
	if (format !== undefined && format !== 'json') return undefined;
	const opts = options(node);
	const partial = opts.partialUpdate;
	if ((partial !== undefined && partial !== 'off') || opts.partialColumns === true) return undefined;
	const named: string[] = [];
	if (text(opts.columns) !== '') named.push(`Columns ${text(opts.columns)}`);
	if (text(opts.jsonpaths) !== '') named.push(`JSON Paths ${text(opts.jsonpaths)}`);
	const headers = opts.headers as { header?: unknown } | undefined;
	const rows = Array.isArray(headers?.header) ? (headers.header as Array<{ name?: unknown; value?: unknown }>) : [];
	const root = rows.find((h) => text(h?.name).toLowerCase() === 'json_root');
	if (root !== undefined && text(root.value) !== '') named.push(`a json_root header ${text(root.value)}`);
	return named.length === 0 ? undefined : named.join(' and ');
}
