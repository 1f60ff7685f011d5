/**
 * The Doris Schema node's "Map Rows to Table" with packed items next to ordinary ones, through the
 * node's execute() and its narrow context (router.ts SchemaContext). Manual schema with validation
 * off: no Doris is contacted (the credential's FE URL is never dialled).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

// `.node.js`: without it Node resolves the codex file (<Node>.node.json) before the TypeScript source.
import { DorisSchema } from '../../../../nodes/DorisSchema/DorisSchema.node.js';
import { closePackedWorkers, sharedPackedPool } from '../../../../src/doris/schema/packed-worker-pool';
import { INVALID_FIELD, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import type { PackedLineOrigin } from '../../../../src/doris/schema/route-packed';
import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../../src/common/item-contract';

const params = {
	operation: 'mapRows',
	table: 'events',
	schemaMode: 'manual',
	manualColumns: {
		column: [
			{ name: 'id', type: 'BIGINT', nullable: false },
			{ name: 'name', type: 'VARCHAR(5)' },
		],
	},
	options: { validateOnStart: false },
};

function context(items: INodeExecutionData[], continueOnFail = false, options: Record<string, unknown> = params.options, base: Record<string, unknown> = params): IExecuteFunctions {
	const all: Record<string, unknown> = { ...base, options };
	const ctx = {
		getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in all ? all[name] : fallback),
		getNode: () => ({ name: 'Doris Schema', type: 'n8n-nodes-doris-sinker.dorisSchema', typeVersion: 1, position: [0, 0], parameters: {}, id: 'n1' }),
		getInputData: () => items,
		getCredentials: async () => ({ feUrls: 'http://127.0.0.1:1', queryPort: 9030, user: 'root', password: '', database: 'db' }),
		getWorkflow: () => ({ id: 'wf-packed-node', name: 'wf', active: true }),
		continueOnFail: () => continueOnFail,
	};
	// The node only uses the methods of its SchemaContext; the rest of IExecuteFunctions is unused.
	return ctx as unknown as IExecuteFunctions;
}

function packed(lines: string[], first: number): { json: { [PACKED_ROWS_FIELD]: PackedRows } } {
	return {
		json: {
			[PACKED_ROWS_FIELD]: {
				jsonLines: lines.map((l) => `${l}\n`).join(''),
				count: lines.length,
				sources: [{ topic: 'ev', partition: 0, firstOffset: String(first), lastOffset: String(first + lines.length - 1), lines: lines.length }],
			},
		},
	};
}

describe('Doris Schema node with packed items', () => {
	const node = new DorisSchema();
	after(() => closePackedWorkers());

	it('packed items stay one item on Rows; their bad lines and ordinary items keep input order and pairedItem', async () => {
		const items: INodeExecutionData[] = [
			{ json: { id: 1, name: 'a' } },
			packed(['{"id":2}', '{"id":"x"}', '{"id":3,"name":"bb"}', 'not json'], 10),
			{ json: { id: 4, name: 'too long' } },
			packed(['{}'], 20),
			packed(['{"id":5}'], 30),
		];
		const [rows, invalid] = await node.execute.call(context(items));
		assert.deepEqual(rows, [
			{ json: { id: 1, name: 'a' }, pairedItem: { item: 0 } },
			{
				json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":2}\n{"id":3,"name":"bb"}\n', count: 2, sources: [{ topic: 'ev', partition: 0, firstOffset: '10', lastOffset: '10', lines: 1 }, { topic: 'ev', partition: 0, firstOffset: '12', lastOffset: '12', lines: 1 }], deleteSign: false } },
				pairedItem: { item: 1 },
			},
			{ json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":5}\n', count: 1, sources: [{ topic: 'ev', partition: 0, firstOffset: '30', lastOffset: '30', lines: 1 }], deleteSign: false } }, pairedItem: { item: 4 } },
		]);
		assert.deepEqual(
			invalid.map((i) => [i.pairedItem, (i.json[PARSE_ERROR_FIELD] as { raw?: string } | undefined)?.raw ?? i.json.name ?? JSON.stringify({ id: i.json.id }), (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule, (i.json[KAFKA_METADATA_FIELD] as unknown as PackedLineOrigin | undefined)?.offset]),
			[
				[{ item: 1 }, '{"id":"x"}', 'not_integer', '11'],
				[{ item: 1 }, 'not json', 'parse_error', '13'],
				[{ item: 2 }, 'too long', 'too_long', undefined],
				[{ item: 3 }, '{}', 'not_null', '20'],
			],
		);
	});

	it('without packed items the output is as before', async () => {
		const [rows, invalid] = await node.execute.call(context([{ json: { id: '7' } }, { json: { name: 'x' } }]));
		assert.deepEqual(rows, [{ json: { id: 7 }, pairedItem: { item: 0 } }]);
		assert.deepEqual(invalid.map((i) => i.pairedItem), [{ item: 1 }]);
	});

	it('a malformed packedRows fails naming the field and value; Continue On Fail sends it to Invalid', async () => {
		const items = [{ json: { id: 1 } }, { json: { [PACKED_ROWS_FIELD]: { jsonLines: 42, count: 1, sources: [] } } }];
		await assert.rejects(node.execute.call(context(items)), /Item 1: packedRows\.jsonLines must be a string, not number 42/);
		const [rows, invalid] = await node.execute.call(context(items, true));
		assert.deepEqual(rows.map((r) => r.pairedItem), [{ item: 0 }]);
		assert.deepEqual(invalid.map((r) => r.pairedItem), [{ item: 1 }]);
		assert.match((invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /jsonLines must be a string/);
	});

	it('Worker Threads: big packed items mapped in a worker give the same outputs as in the main thread (0)', async () => {
		const lines = Array.from({ length: 2500 }, (_, k) => (k % 7 === 3 ? '{"id":"x"}' : k % 11 === 5 ? 'nope' : `{"id":${k},"name":"n${k % 100}"}`));
		const items: INodeExecutionData[] = [{ json: { id: 1 } }, packed(lines, 100), { json: { name: 'bad' } }, packed(lines.slice(0, 1200), 5000), packed(['{"id":9}'], 1)];
		const inThread = await node.execute.call(context(items, false, { validateOnStart: false, workerThreads: 0 }));
		const inWorkers = await node.execute.call(context(items, false, { validateOnStart: false, workerThreads: 2 }));
		assert.deepEqual(inWorkers, inThread);
		assert.equal(sharedPackedPool(2)?.stats().routedInWorker, 2, 'the two big ones went to the workers');
		assert.equal(inThread[0].length, 4);
		assert.ok(inThread[1].length > 500);
		await assert.rejects(node.execute.call(context(items, false, { workerThreads: -1 })), /Worker Threads "-1" must be a whole number from 0 to 16/);
	});
});

describe('Doris Schema node: Fractional Digits the Column Cannot Keep', () => {
	const node = new DorisSchema();
	const money = { ...params, manualColumns: { column: [{ name: 'amount', type: 'DECIMAL(10,2)' }, { name: 'at', type: 'DATETIME' }] } };
	const items = [{ json: { amount: 1.005, at: '2024-05-01T10:11:12.500Z' } }, { json: { amount: '2.50', at: '2024-05-01 10:11:12' } }];
	const run = (extraDigits?: string) => node.execute.call(context(items, false, { validateOnStart: false, ...(extraDigits === undefined ? {} : { extraDigits }) }, money));
	it('unset: the row with digits Doris would round goes to Invalid with rule precision, the other loads', async () => {
		const [rows, invalid] = await run();
		assert.deepEqual(rows.map((r) => r.json), [{ amount: '2.50', at: '2024-05-01 10:11:12' }]);
		assert.deepEqual((invalid[0].json[INVALID_FIELD] as InvalidInfo).reasons.map((r) => [r.column, r.rule]), [
			['amount', 'precision'],
			['at', 'precision'],
		]);
	});
	it('Round as Doris Does: both rows load, rounded half up', async () => {
		const [rows, invalid] = await run('round');
		assert.deepEqual(rows.map((r) => r.json), [
			{ amount: '1.01', at: '2024-05-01 10:11:13' },
			{ amount: '2.50', at: '2024-05-01 10:11:12' },
		]);
		assert.equal(invalid.length, 0);
	});
	it('a value that is not a choice fails naming the option and the value', async () => {
		await assert.rejects(run('truncate'), /Fractional Digits the Column Cannot Keep.*truncate/);
	});
});
