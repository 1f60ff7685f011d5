/**
 * Rows of a table whose columns are only `error`, `message` and `details` (an error log): n8n takes an
 * item of that shape for an error on a node set to On Error "Continue (using error output)" and moves
 * it off the regular output (n8n-core WorkflowExecute handleNodeErrorOutput), where it was lost. The
 * Doris Schema node's Rows items carry an empty `_doris` then, which the Stream Load node never loads.
 * The e2e test (test/e2e/rejected-rows.test.ts) runs the same through real n8n.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

// `.node.js`: without it Node resolves the codex file (<Node>.node.json) before the TypeScript source.
import { DorisSchema } from '../../../../nodes/DorisSchema/DorisSchema.node.js';
import { DORIS_FIELD, looksLikeAnN8nErrorItem } from '../../../../src/common/item-contract';
import { createSerializer } from '../../../../src/doris/stream-load/wire-format';

const params: Record<string, unknown> = {
	operation: 'mapRows',
	table: 'app_errors',
	schemaMode: 'manual',
	manualColumns: { column: [{ name: 'error', type: 'VARCHAR(32)', nullable: false }, { name: 'message', type: 'STRING' }] },
	options: { validateOnStart: false },
};

function context(items: INodeExecutionData[]): IExecuteFunctions {
	const ctx = {
		getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback),
		getNode: () => ({ name: 'Doris Schema', type: 'n8n-nodes-doris-sinker.dorisSchema', typeVersion: 1, position: [0, 0], parameters: {}, id: 'n1', onError: 'continueErrorOutput' }),
		getInputData: () => items,
		getCredentials: async () => ({ feUrls: 'http://127.0.0.1:1', queryPort: 9030, user: 'root', password: '', database: 'db' }),
		getWorkflow: () => ({ id: 'wf-error-rows', name: 'wf', active: true }),
		continueOnFail: () => true,
	};
	// The node only uses the methods of its SchemaContext; the rest of IExecuteFunctions is unused.
	return ctx as unknown as IExecuteFunctions;
}

describe('rows n8n would take for an error', () => {
	it('the shape n8n moves: a truthy error and no key but error, message and details', () => {
		assert.equal(looksLikeAnN8nErrorItem({ error: 'E42', message: 'disk full' }), true);
		assert.equal(looksLikeAnN8nErrorItem({ error: 'E42', details: 'sda' }), true);
		assert.equal(looksLikeAnN8nErrorItem({ error: 1 }), true);
		assert.equal(looksLikeAnN8nErrorItem({ error: '', message: 'x' }), false);
		assert.equal(looksLikeAnN8nErrorItem({ error: 0, message: 'x' }), false);
		assert.equal(looksLikeAnN8nErrorItem({ message: 'x' }), false);
		assert.equal(looksLikeAnN8nErrorItem({ error: 'E42', message: 'disk full', host: 'a' }), false);
		assert.equal(looksLikeAnN8nErrorItem({ error: 'E42', [DORIS_FIELD]: {} }), false);
	});

	it('such a row leaves the Doris Schema node on Rows with an empty _doris; other rows unchanged; the line loaded is the row', async () => {
		const items: INodeExecutionData[] = [{ json: { error: 'E1', message: 'disk full' } }, { json: { error: 'E2', message: 'm', details: 'ignored' } }, { json: { error: '', message: 'no code' } }];
		const [rows, invalid] = await new DorisSchema().execute.call(context(items));
		assert.deepEqual(invalid, []);
		assert.deepEqual(
			rows.map((r) => r.json),
			[
				{ error: 'E1', message: 'disk full', [DORIS_FIELD]: {} },
				{ error: 'E2', message: 'm', [DORIS_FIELD]: {} },
				{ error: '', message: 'no code' },
			],
		);
		assert.ok(rows.every((r) => !looksLikeAnN8nErrorItem(r.json)));
		const line = createSerializer({ format: 'json' });
		assert.equal(rows.map((r) => line(r.json)).join(''), '{"error":"E1","message":"disk full"}\n{"error":"E2","message":"m"}\n{"error":"","message":"no code"}\n');
	});
});
