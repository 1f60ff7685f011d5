/**
 * The Doris Stream Load node with packed items (one item per Kafka batch) against the Doris test
 * server: lines loaded as they are next to ordinary items, rows counted from `count`, CSV refused
 * naming the field and value, the delete sign from `deleteSign`, continue-on-fail and pairedItem.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import type { PackedRows } from '../../../src/common/item-contract';
import { createMessageParser, type ParsedChunk } from '../../../src/kafka/message-parser';
import { message } from '../../unit/kafka/message-support';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [
		...['orders', 'csv', 'failing', 'listed'].map((name) => ({ name, columns: 'id INT, v VARCHAR(8)' })),
		...['cdc', 'never', 'ordered'].map((name) => ({ name, columns: 'id INT, v VARCHAR(8)', keys: 'UNIQUE KEY(id)' })),
	],
	sharedBatches: true,
	// A load with the delete sign reads the table's keys model (deletes into a table that is not UNIQUE KEY).
	readsTables: true,
});
const ctx = nodeContextsIn(db);

/** A packed item as the trigger / Doris Schema node emit it. */
function packed(ids: number[], extra: Partial<PackedRows> = {}): INodeExecutionData {
	const jsonLines = ids.map((id) => `{"id":${id},"v":"p${id}"}\n`).join('');
	const packedRows: PackedRows = { jsonLines, count: ids.length, sources: [{ topic: 't', partition: 0, firstOffset: String(ids[0]), lastOffset: String(ids[ids.length - 1]), lines: ids.length }], ...extra };
	return { json: { packedRows } as never };
}

const ids = (table: string) => db.server.tableRows('d', table).map((r) => Number(r.id)).sort((a, b) => a - b);

describe('Doris Stream Load node with packed items', () => {
	it('packed lines and ordinary items load together; the summary counts rows from count; executions share a batch', async () => {
		const params = { table: 'orders', batchRows: 10, batchIntervalSeconds: 30 };
		const [a, b] = await Promise.all([
			executeStreamLoad(ctx(params, [packed([1, 2, 3, 4]), { json: { id: 5, v: 'row' } }])),
			executeStreamLoad(ctx(params, [{ json: { id: 10, v: 'row' } }, packed([6, 7, 8, 9])])),
		]);
		assert.equal(a[0].length, 1);
		const summary = a[0][0].json;
		assert.equal(summary.rows, 5);
		assert.equal(summary.loadedRows, 10, 'Doris counts the whole shared batch');
		assert.equal(summary.executionsServed, 2);
		assert.deepEqual(a[0][0].pairedItem, [{ item: 0 }, { item: 1 }]);
		assert.equal(b[0][0].json.label, summary.label);
		assert.deepEqual(ids('orders'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		assert.equal(db.server.tableRows('d', 'orders').find((r) => r.id === 6)?.v, 'p6', 'lines loaded as they are');
	});

	// Session 16: with Rejected wired the lines went nowhere either: the item failed the execution on every delivery.
	it('a Columns list that leaves out a field of the packed lines: each such line on Rejected (rule field_not_read), or, with Rejected leading nowhere, an error naming the line, the field, its value and the fix, nothing loaded (Doris would drop the value unseen)', async () => {
		const error = await executeStreamLoad(ctx({ table: 'listed', options: { columns: 'id' } }, [packed([1, 2])], { mode: 'manual', connected: [0] })).catch((e: unknown) => e);
		assert.ok(error instanceof NodeOperationError, String(error));
		assert.match(error.message, /^Item 0: line 0 of packedRows: Row field "v" is not in Columns \(id\): Doris would not load it \(its value "p1"\).*\(rule field_not_read\); connect the Rejected output/);
		assert.deepEqual(ids('listed'), [], 'nothing loaded');
		const out = await executeStreamLoad(ctx({ table: 'listed', options: { columns: 'id' } }, [packed([1, 2])], { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(out[1].map((item) => (item.json._invalid as { reasons: Array<{ rule: string; column: string }> }).reasons[0]).map((r) => `${r.rule} ${r.column}`), ['field_not_read v', 'field_not_read v']);
		assert.deepEqual(ids('listed'), [], 'nothing loaded');
		await executeStreamLoad(ctx({ table: 'listed', options: { columns: 'id, v' } }, [packed([3])], { mode: 'manual' }));
		assert.deepEqual(ids('listed'), [3], 'with every field listed the lines load');
	});

	it('Format CSV with a packed item: an error naming the field and value; with continue-on-fail the other items still load, its lines on Rejected', async () => {
		const params = { table: 'csv', format: 'csv', csvColumns: 'id,v' };
		const input = [{ json: { id: 1, v: 'a' } }, packed([2, 3])];
		const error = await executeStreamLoad(ctx(params, input, { mode: 'manual' })).catch((e: unknown) => e);
		assert.ok(error instanceof NodeOperationError);
		assert.equal(error.message, 'Item 1: Format is "csv" but the item holds packed JSON lines (packedRows); set Format to JSON');
		assert.deepEqual(ids('csv'), [], 'nothing loaded');

		const out = await executeStreamLoad(ctx(params, input, { mode: 'manual', continueOnFail: true }));
		// Under Continue the packed item's lines come out on Rejected, one item each, never on Loaded.
		assert.equal(out[0].length, 1);
		assert.equal(out[0][0].json.rows, 1);
		assert.deepEqual(out[0][0].pairedItem, [{ item: 0 }]);
		assert.deepEqual(
			out[1].map((i) => [i.json.id, i.pairedItem]),
			[
				[2, { item: 1 }],
				[3, { item: 1 }],
			],
		);
		for (const item of out[1]) {
			const [reason] = (item.json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons;
			assert.equal(reason.rule, 'doris_not_loaded');
			assert.match(reason.message, /Format is "csv" but the item holds packed JSON lines \(packedRows\)/);
		}
		assert.deepEqual(ids('csv'), [1]);
	});

	it('a malformed packed item is refused naming the field and the value (the check the Doris Schema node makes)', async () => {
		const sources = [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 }];
		const cases: Array<[unknown, string]> = [
			[{ jsonLines: '{"id":1}\n', count: -1, sources: [] }, 'packedRows.count must be a whole number ≥ 0, not number -1'],
			[{ jsonLines: 5, count: 1, sources: [] }, 'packedRows.jsonLines must be a string, not number 5'],
			[{ jsonLines: '', count: 3, sources: [] }, 'packedRows.jsonLines is "" but packedRows.count is 3: no lines for 3 row(s)'],
			[{ jsonLines: '{"id":1}\n', count: 1, sources: [{ ...sources[0], lastOffset: '9223372036854775808' }] }, 'packedRows.sources[0].lastOffset "9223372036854775808" is above the int64 maximum 9223372036854775807'],
			[{ jsonLines: '{"id":1}\n', count: 1, sources, deleteSign: 'yes' }, 'packedRows.deleteSign must be true, false or absent, not "yes"'],
		];
		for (const [packedRows, message] of cases) {
			const item = { json: { packedRows } } as never as INodeExecutionData;
			await assert.rejects(executeStreamLoad(ctx({ table: 'orders' }, [item], { mode: 'manual' })), { message: `Item 0: ${message}` });
		}
	});

	it('an execution of line, misfit, line from one partition loads in offset order (the pretty-printed upsert before the delete)', async () => {
		// The trigger's One Item per Batch output, straight into the node (deletes=auto finds the sign in the lines).
		const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip', output: 'batch' });
		const messages = [
			message(4, '{"id":1,"v":"old","__DORIS_DELETE_SIGN__":0}'),
			message(5, '{\n  "id": 1,\n  "v": "new",\n  "__DORIS_DELETE_SIGN__": 0\n}'),
			message(6, '{"id":1,"v":"new","__DORIS_DELETE_SIGN__":1}'),
			message(7, '{"id":2,"v":"kept","__DORIS_DELETE_SIGN__":0}'),
		];
		const chunk = parser.parse(messages, 0, messages.length, 't', 0) as ParsedChunk;
		assert.equal(chunk.items.length, 3, 'packed, the misfit, packed');
		const out = await executeStreamLoad(ctx({ table: 'ordered' }, chunk.items as INodeExecutionData[], { mode: 'manual' }));
		assert.equal(out[0][0].json.rows, 4);
		assert.equal(out[0][0].json.status, 'Success');
		assert.deepEqual(db.server.tableRows('d', 'ordered'), [{ id: 2, v: 'kept' }], 'id 1 deleted: the delete at offset 6 loaded after the upsert at 5');
	});

	it('deletes=auto: a packed item with deleteSign loads with the delete sign; deletes=never loads without it and hands its delete lines back on Rejected', async () => {
		await executeStreamLoad(ctx({ table: 'cdc' }, [packed([1, 2, 3])], { mode: 'manual' }));
		const cdc = { jsonLines: '{"id":1,"v":"x","__DORIS_DELETE_SIGN__":1}\n{"id":2,"v":"new","__DORIS_DELETE_SIGN__":0}\n', count: 2, sources: [], deleteSign: true };
		const out = await executeStreamLoad(ctx({ table: 'cdc' }, [{ json: { packedRows: cdc } as never }, { json: { id: 4, v: 'plain' } }], { mode: 'manual' }));
		assert.equal(out[0][0].json.rows, 3);
		assert.deepEqual(
			db.server.tableRows('d', 'cdc').sort((a, b) => Number(a.id) - Number(b.id)),
			[
				{ id: 2, v: 'new' },
				{ id: 3, v: 'p3' },
				{ id: 4, v: 'plain' },
			],
		);
		const last = db.server.loads.filter((l) => l.table === 'cdc').at(-1);
		assert.equal(last?.headers.hidden_columns, '__DORIS_DELETE_SIGN__');

		await executeStreamLoad(ctx({ table: 'never', options: { deletes: 'never' } }, [packed([1])], { mode: 'manual' }));
		const never = await executeStreamLoad(ctx({ table: 'never', options: { deletes: 'never' } }, [{ json: { packedRows: { ...cdc, count: 2 } } as never }], { mode: 'manual' }));
		assert.deepEqual(ids('never'), [1, 2], 'no delete without the sign, and id 1 not overwritten by the delete line');
		assert.deepEqual(db.server.tableRows('d', 'never').find((r) => r.id === 1), { id: 1, v: 'p1' });
		assert.deepEqual(
			never[1].map((r) => [r.json.id, (r.json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule]),
			[[1, 'delete_not_applied']],
		);
		assert.equal(db.server.loads.filter((l) => l.table === 'never').at(-1)?.headers.hidden_columns, undefined);
	});

	it('a failed load throws NodeApiError; with continue-on-fail every row comes out on Rejected as not loaded, paired to its item, nothing on Loaded', async () => {
		db.server.faults.fail(2, 'injected failure');
		const input = [packed([1, 2]), { json: { _parseError: { kind: 'json', message: 'bad', raw: '{', rawEncoding: 'utf8' } } }, { json: { id: 3, v: 'r' } }] as INodeExecutionData[];
		const params = { table: 'failing', options: { maxRetries: 0 } };
		const error = await executeStreamLoad(ctx(params, [input[0], input[2]], { mode: 'manual' })).catch((e: unknown) => e);
		assert.ok(error instanceof NodeApiError, String(error));
		const out = await executeStreamLoad(ctx(params, input, { mode: 'manual', continueOnFail: true }));
		db.server.faults.clear();
		assert.deepEqual(out[0], []);
		assert.deepEqual(
			out[1].map((i) => i.pairedItem),
			[{ item: 0 }, { item: 0 }, { item: 1 }, { item: 2 }],
		);
		assert.ok(out[1].every((i) => (i.json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule === 'doris_not_loaded'));
		assert.deepEqual(ids('failing'), []);
	});
});
