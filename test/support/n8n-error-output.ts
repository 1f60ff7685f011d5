/**
 * What real n8n (n8n-core 2.40.7 workflow-execute.js) makes of a node's outputs under On Error
 * "Continue (using error output)", for tests that call a node's execute() without n8n:
 * handleNodeErrorOutput moves every item that carries an `error` property, or whose json holds only
 * error / message / details keys, to the last output, its json under the paired input item's
 * (`{ ...input.json, ...item.json }`; the input item stands in for n8n's $getPairedItem); then
 * normalizeNodeErrors replaces the json of every item with an `error` property by
 * `{ error: message }`. The second step is what lost a dead letter's row when a node set `error`
 * (test/e2e/error-output-letters.test.ts runs the same through real n8n).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

export function asN8nErrorOutput(outputs: INodeExecutionData[][], inputs: INodeExecutionData[], outputCount: number): INodeExecutionData[][] {
	const moved: INodeExecutionData[] = [];
	const result = Array.from({ length: outputCount - 1 }, (_unused, k) =>
		(outputs[k] ?? []).filter((item) => {
			const onlyErrorKeys = item.json.error !== undefined && Object.keys(item.json).every((key) => ['error', 'message', 'details'].includes(key));
			if (item.error === undefined && !onlyErrorKeys) return true;
			const paired = item.pairedItem !== undefined && typeof item.pairedItem === 'object' && !Array.isArray(item.pairedItem) ? inputs[item.pairedItem.item] : undefined;
			moved.push(paired === undefined ? item : { ...item, json: { ...paired.json, ...item.json } });
			return false;
		}),
	);
	result.push(moved);
	return result.map((output) => output.map((item) => (item.error === undefined ? item : { ...item, json: { error: item.error.message } as IDataObject })));
}
