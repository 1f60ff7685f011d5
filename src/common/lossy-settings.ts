/**
 * Node settings under which n8n drops rows of an execution that still ends as a success, so the
 * Kafka trigger would commit their offsets with the rows nowhere (n8n-core WorkflowExecute, 2.40):
 * - Execute Once (handleExecuteOnce): n8n hands the node the first item of its input only, the
 *   others are gone; on the trigger itself the execution carries one message of its batch.
 * - a disabled Doris Stream Load node (handleDisabledNode): n8n passes its input on as its Loaded
 *   output without loading anything; a disabled Doris Schema node passes the messages on unmapped,
 *   which Doris loads as they stand: refused where the node reshapes them (Debezium envelopes, a Source
 *   Path, a Field Mapping, a table per message), as an envelope fills no column (a row of NULLs).
 * - n8n's nodes that drop items by what they do: an IF or Switch output leading nowhere, a Switch
 *   without a fallback output, a Filter node, a Kafka node with Acks off (dropping-nodes.ts).
 * - Group Commit on a Doris Stream Load node: Doris itself then drops rows uncounted, or answers before
 *   they are committed (src/common/group-commit.ts); the node refuses it too when it runs.
 * - Strict Mode off on a Doris Stream Load node: Doris loads NULL in place of a value it cannot
 *   convert, counting nothing (src/common/strict-mode-off.ts); the node refuses it too when it runs.
 * - On Error "Continue (using error output)" with that output leading nowhere (handleNodeErrorOutput):
 *   n8n moves the items the node fails on there. Not the Doris nodes: they never hand n8n a failed
 *   item (a Doris Stream Load node on "Continue" checks its own failure route, lossy-continue.ts).
 * - On Error "Continue (regular output)" (or the older Continue On Fail) on a node other than the
 *   Doris nodes: n8n's nodes put an item holding only the error in place of each item they fail on
 *   (`{ error }`, e.g. Edit Fields' manual mode), so the row is gone; at best its error is dead-lettered.
 * - a Doris Schema node mapping rows whose Rows output leads nowhere: n8n drops what it hands there.
 *   Only where the rows must load in this workflow (the trigger's): in a sub-workflow that output may
 *   be its result, which the parent's Execute Workflow node hands on to a Doris Stream Load node.
 * - an Execute Workflow node with Wait For Sub-Workflow Completion off (n8n-nodes-base ExecuteWorkflow,
 *   options.waitForSubWorkflow): n8n starts the sub-workflow with doNotWaitToFinish and the node
 *   returns its input at once, so the execution succeeds and the trigger commits while the
 *   sub-workflow has not loaded the rows yet; n8n stopping then loses them. An expression there may
 *   turn it off for some item, so it is refused too. A disabled Execute Workflow node never starts its
 *   sub-workflow and passes the rows on: refused unless a Doris Stream Load node after it loads them.
 * And one that makes up a row: Always Output Data on a node before a Doris Stream Load node
 * (ensureAlwaysOutputData) puts an empty item on the node's first output whenever it is empty, as a
 * Doris Schema node's Rows output is when every row of an execution is invalid. Doris loads that {}
 * as a row of NULLs and defaults, or refuses it and a row that never existed is dead-lettered.
 *
 * Not on a Doris Schema node reading the schema (Get Schema), nor on a node whose items reach a Doris
 * Stream Load node only through one: the read outputs the table's columns, never its input.
 *
 * The first four and the Execute Workflow node only on a node that holds rows not yet in Doris
 * (rowsNotLoadedAt): after a Doris Stream Load node's Loaded output they are, and a node there (a
 * notification sent once per execution, one that must not fail it) loses nothing.
 *
 * One walk, two callers: the Kafka trigger at activation, from itself (nodes/KafkaTrigger/
 * refuse-lossy-settings.ts), and a Doris node when it runs in a workflow the trigger never checked (a
 * sub-workflow, a webhook's or a schedule's workflow), from where that execution started
 * (nodes/shared/lossy-settings.ts). One text either way, so a user finds the same fix.
 */
import { groupCommitRefusal } from './group-commit';
import { strictModeOffRefusal } from './strict-mode-off';
import { DROPPING_NODES_FIX, droppingNodeProblem } from './dropping-nodes';
import { executeOnceMessage } from './execute-once';
import { nodesReachedFrom, outputsLeadingSomewhere, reachesRunningNode, type GraphNode, type WorkflowGraph } from './workflow-graph';

export const KAFKA_TRIGGER_NODE_TYPE = 'n8n-nodes-doris-sinker.kafkaTrigger';
export const SCHEMA_NODE_TYPE = 'n8n-nodes-doris-sinker.dorisSchema';
export const STREAM_LOAD_NODE_TYPE = 'n8n-nodes-doris-sinker.dorisStreamLoad';
export const EXECUTE_WORKFLOW_NODE_TYPE = 'n8n-nodes-base.executeWorkflow';

export interface LossyWalkOptions {
	/**
	 * Whether a Doris Schema node's Rows output leading nowhere is refused: yes where the rows must load
	 * in this workflow (the trigger's), no in a sub-workflow whose result may be those rows.
	 */
	rowsMustLoadHere: boolean;
	/**
	 * Whether Execute Once lost nothing on the node in this execution so far: it ran, with at most one
	 * item on each input every time (n8n keeps the first item of each input, handleExecuteOnce), as
	 * after a schedule or a webhook, or in a sub-workflow called per item. Unknown at activation.
	 */
	executeOnceLostNothing?: (name: string) => boolean;
	/**
	 * Whether Always Output Data made up nothing on the node in this execution so far: it ran, and
	 * every run output rows, not the lone empty item n8n makes up (ensureAlwaysOutputData). Unknown
	 * at activation.
	 */
	alwaysOutputDataMadeUpNothing?: (name: string) => boolean;
}

/** What each node the items of `starts` reach has set that loses or makes up rows; empty when nothing. */
export function lossySettingProblems(graph: WorkflowGraph, starts: readonly string[], options: LossyWalkOptions): string[] {
	const reached = nodesReachedFrom(graph, starts);
	const holdingRows = rowsNotLoadedAt(graph, starts, reached);
	const enabled = (node: GraphNode) => node.disabled !== true;
	return [
		...holdingRows
			.filter((node) => node.executeOnce === true && enabled(node) && !readsSchema(node) && options.executeOnceLostNothing?.(node.name) !== true)
			.map((node) => executeOnceMessage(node.name)),
		...reached
			.filter((node) => node.type === SCHEMA_NODE_TYPE && node.disabled === true && reshapesMessages(node) !== undefined)
			.map(
				(node) =>
					`Doris Schema node "${node.name}" is disabled: n8n passes the messages that reach it on unmapped, without its ${reshapesMessages(node)}, so a Doris Stream Load node after it would load each as it stands, NULL or defaults in every column it does not name (a Debezium change event as a row of NULLs, a delete as an upsert), while the trigger commits their offsets`,
			),
		...holdingRows.flatMap((node) => droppingNodeProblem(graph, node) ?? []),
		...reached
			.filter((node) => node.type === STREAM_LOAD_NODE_TYPE && node.disabled === true)
			.map((node) => `Doris Stream Load node "${node.name}" is disabled: n8n passes the rows that reach it on unloaded, so they would be lost while the trigger commits their offsets`),
		...holdingRows
			.filter((node) => !isDorisNode(node.type) && errorOutputLeadsNowhere(graph, node))
			.map((node) => `Node "${node.name}": On Error is "Continue (using error output)" but its error output leads nowhere: n8n moves the items it fails on there, so their rows would be lost while the trigger commits their offsets`),
		...holdingRows
			.filter((node) => !isDorisNode(node.type) && enabled(node) && (node.onError === 'continueRegularOutput' || (node.continueOnFail === true && node.onError !== 'continueErrorOutput')))
			.map((node) => `Node "${node.name}": On Error is "Continue (regular output)": n8n's nodes put an item holding only the error in place of each item they fail on, so its row would be lost while the trigger commits its offset`),
		...(options.rowsMustLoadHere ? reached : [])
			.filter((node) => node.type === SCHEMA_NODE_TYPE && enabled(node) && node.parameters?.operation !== 'getSchema' && !reachesRunningNode(graph, node.name, 0))
			.map((node) => `Doris Schema node "${node.name}": its Rows output leads nowhere, so the rows it maps would be lost while the trigger commits their offsets`),
		...holdingRows
			.filter((node) => node.type === EXECUTE_WORKFLOW_NODE_TYPE && enabled(node) && subWorkflowWait(node) !== 'on')
			.map((node) => `Execute Workflow node "${node.name}": Wait For Sub-Workflow Completion is ${subWorkflowWait(node)}: n8n hands the rows to the sub-workflow and goes on at once, so the trigger would commit their offsets before the sub-workflow loads them, and they would be lost if n8n stopped in between`),
		...holdingRows
			.filter((node) => node.type === EXECUTE_WORKFLOW_NODE_TYPE && node.disabled === true && !leadsToStreamLoad(graph, node.name))
			.map((node) => `Execute Workflow node "${node.name}" is disabled: n8n passes the rows that reach it on without starting its sub-workflow, and no Doris Stream Load node after it loads them, so they would be lost while the trigger commits their offsets`),
		...reached
			.filter((node) => node.type === STREAM_LOAD_NODE_TYPE && enabled(node) && groupCommitRefusal(optionOf(node, 'groupCommit')) !== undefined)
			.map((node) => `Doris Stream Load node "${node.name}": ${groupCommitRefusal(optionOf(node, 'groupCommit'))}`),
		...reached
			.filter((node) => node.type === STREAM_LOAD_NODE_TYPE && enabled(node) && strictModeOffRefusal(optionOf(node, 'strictMode')) !== undefined)
			.map((node) => `Doris Stream Load node "${node.name}": ${strictModeOffRefusal(optionOf(node, 'strictMode'))}`),
		...reached
			.filter((node) => node.alwaysOutputData === true && enabled(node) && node.type !== STREAM_LOAD_NODE_TYPE && options.alwaysOutputDataMadeUpNothing?.(node.name) !== true && leadsToStreamLoad(graph, node.name))
			.map((node) => `Node "${node.name}" has the setting Always Output Data on: n8n then sends an empty item on to Doris Stream Load whenever the node outputs no row, which Doris would load as a row of NULLs and defaults`),
	];
}

/** What to do instead, for the error's description. */
export const LOSSY_SETTINGS_FIX =
	'Connect the Doris Schema node\'s Rows output to the Doris Stream Load node; turn Execute Once off (node Settings); enable the Doris Stream Load or Execute Workflow node, or deactivate the workflow instead of disabling the node; connect the error output (to a dead-letter branch) or set On Error to "Stop Workflow" (a failed execution is redelivered); turn Always Output Data off; set Group Commit (Doris Stream Load options) to Off; turn Strict Mode (Doris Stream Load options) on; turn Wait For Sub-Workflow Completion on (Execute Workflow node options), or put the Doris nodes in this workflow; enable the Doris Schema node. ' + DROPPING_NODES_FIX;

/**
 * The nodes of `reached` that can hold rows not yet in Doris: those the starts' or a Doris node's
 * items reach other than through a Doris Stream Load node's Loaded output (whose items are loaded
 * rows), and any node that leads on to a Doris Stream Load node (it hands that node its rows).
 */
function rowsNotLoadedAt(graph: WorkflowGraph, starts: readonly string[], reached: GraphNode[]): GraphNode[] {
	const notThroughLoaded = (node: GraphNode, output: number) => !(node.type === STREAM_LOAD_NODE_TYPE && output === 0);
	const from = [...starts, ...reached.filter((node) => isDorisNode(node.type)).map((node) => node.name)];
	const holding = new Set(nodesReachedFrom(graph, from, notThroughLoaded).map((node) => node.name));
	return reached.filter((node) => holding.has(node.name) || leadsToStreamLoad(graph, node.name));
}

/**
 * Whether the node is on On Error "Continue (using error output)" with that output, the last of its
 * main outputs, leading nowhere: n8n moves the items the node failed on there (n8n-core
 * WorkflowExecute handleNodeErrorOutput) and the execution succeeds. False when its outputs are unknown.
 */
function errorOutputLeadsNowhere(graph: WorkflowGraph, node: GraphNode): boolean {
	if (node.onError !== 'continueErrorOutput' || node.disabled === true) return false;
	const outputs = graph.mainOutputCount(node.name);
	return outputs !== undefined && outputs > 0 && !outputsLeadingSomewhere(graph, node.name).has(outputs - 1);
}

/** A value of the node's Options collection as stored (undefined when unset). */
function optionOf(node: GraphNode, name: string): unknown {
	const options = node.parameters?.options;
	return options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>)[name] : undefined;
}

/** Wait For Sub-Workflow Completion as stored: absent means n8n's default, on. */
function subWorkflowWait(node: GraphNode): 'on' | 'off' | 'an expression, which may turn it off' {
	const options = node.parameters?.options;
	const wait = options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>).waitForSubWorkflow : undefined;
	if (wait === undefined || wait === true) return 'on';
	return typeof wait === 'string' && wait.startsWith('=') ? 'an expression, which may turn it off' : 'off';
}

/**
 * Whether the items of node `name` can reach a Doris Stream Load node that runs. Not through a Doris
 * Schema node reading the schema: it reads its table once whatever its input and outputs the
 * columns (getSchema.operation.ts), so the items that reach it go no further. Before that, Always
 * Output Data on a node feeding only the read (its empty item reaches no Doris Stream Load node)
 * failed the execution of a workflow that loses and makes up no row.
 */
function leadsToStreamLoad(graph: WorkflowGraph, name: string): boolean {
	const passesItemsOn = (node: GraphNode) => !readsSchema(node);
	return nodesReachedFrom(graph, [name], passesItemsOn).some((node) => node.name !== name && node.type === STREAM_LOAD_NODE_TYPE && node.disabled !== true);
}

/**
 * What a Doris Schema node does to a message beyond checking it, which a disabled one (n8n passes its
 * input on) leaves undone: then the message is no row of its table. Undefined when it only checks and
 * coerces the message as it stands: disabled, it is a workflow without it, and Doris itself refuses
 * what does not fit (strict mode) to the Rejected output.
 */
function reshapesMessages(node: GraphNode): string | undefined {
	if (node.parameters?.operation === 'mapRowsToTables') return 'table per message (Map Rows to Tables)';
	if (node.parameters?.operation === 'getSchema') return undefined;
	const cdc = optionOf(node, 'cdc');
	if (cdc === true || (typeof cdc === 'string' && cdc.startsWith('='))) return 'Debezium Envelopes';
	const sourcePath = optionOf(node, 'sourcePath');
	if (typeof sourcePath === 'string' && sourcePath.trim() !== '') return `Source Path (${sourcePath})`;
	const mapping = optionOf(node, 'mapping');
	const entries = mapping !== null && typeof mapping === 'object' ? (mapping as { mapping?: unknown }).mapping : undefined;
	if (Array.isArray(entries) && entries.length > 0) return 'Field Mapping';
	return undefined;
}

/**
 * A Doris Schema node on Get Schema: Execute Once on it loses nothing (it reads the first item only
 * anyway, getSchema.operation.ts, and the node itself accepts the setting there: router.ts).
 */
function readsSchema(node: GraphNode): boolean {
	return node.type === SCHEMA_NODE_TYPE && node.disabled !== true && node.parameters?.operation === 'getSchema';
}

function isDorisNode(type: string): boolean {
	return type === SCHEMA_NODE_TYPE || type === STREAM_LOAD_NODE_TYPE;
}

/**
 * Where the walk starts when a Doris node runs: of the start nodes upstream of it (startsUpstreamOf),
 * those that ran in this execution (`ran`; all of them when that is unknown or names none), less the
 * Kafka trigger's, whose walk the trigger ran at activation, with more refused there (Rows leading
 * nowhere), so it would find nothing here. Empty when nothing is left to check.
 */
export function runTimeStarts(graph: WorkflowGraph, upstreamStarts: readonly string[], ran: ((name: string) => boolean) | undefined): string[] {
	const started = ran === undefined ? [] : upstreamStarts.filter(ran);
	return (started.length > 0 ? started : upstreamStarts).filter((name) => graph.nodes.get(name)?.type !== KAFKA_TRIGGER_NODE_TYPE);
}
