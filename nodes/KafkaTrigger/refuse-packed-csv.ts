import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import type { GraphNode } from '../../src/common/workflow-graph';
import { nodesReachedFrom } from '../shared/outputs';
import { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from './downstream-tables';

/**
 * One Item per Batch hands the Doris nodes packed JSON lines, and a Doris Stream Load node with
 * Format CSV refuses every packed item (src/batch/doris-target.ts): each execution would fail and be
 * redelivered, holding its partitions for ever while nothing loads. Refused at activation instead,
 * naming the nodes. Only for Stream Load nodes the trigger's items reach directly or through Doris
 * Schema nodes' Rows outputs, where the items are still packed: another node in between may have
 * made rows of them, and Doris Schema's Get Schema puts out one item per column instead.
 */
export function refusePackedIntoCsv(ctx: Pick<ITriggerFunctions, 'getNode'>, output: 'message' | 'batch'): void {
	if (output !== 'batch') return;
	const trigger = ctx.getNode().name;
	const packedStillAt = (node: GraphNode, out: number) =>
		node.name === trigger || (node.type === SCHEMA_NODE_TYPE && out === 0 && (node.disabled === true || node.parameters?.operation !== 'getSchema'));
	const csv = nodesReachedFrom(ctx, trigger, packedStillAt).filter(
		(node) => node.type === STREAM_LOAD_NODE_TYPE && node.disabled !== true && node.parameters?.format === 'csv',
	);
	if (csv.length === 0) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`Output is "One Item per Batch" but Doris Stream Load node ${csv.map((node) => `"${node.name}"`).join(', ')} has Format CSV: the packed items hold JSON lines, which a CSV load refuses, so every execution would fail and its partition would load nothing`,
		{ description: 'Set Format to JSON Lines on the Doris Stream Load node (packed items load fastest as JSON Lines), or set this trigger\'s Output to "One Item per Message". Then activate the workflow again.' },
	);
}
