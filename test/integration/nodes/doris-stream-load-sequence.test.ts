/**
 * The Doris Stream Load node's Sequence Column option into a table with a hidden sequence column
 * (`function_column.sequence_type`), against the Doris test server, which keeps a stored row over a
 * row whose sequence value is lower, NULL lowest, as Doris does (be/src/olap/memtable.cpp,
 * segment_writer.cpp `_encode_seq_column`, segment.cpp `lookup_row_key`). A row or a delete without a
 * value for the column would load and be ignored: it goes to Rejected with its reason, per message and
 * packed, straight or from the Doris Schema node; when Rejected leads nowhere the execution fails
 * before any load.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { streamLoad } from '../../ground/doris/testing';
import { schemaNodeContext } from './schema-node-context';

const db = useDorisDatabase({
	sharedBatches: true,
	readsTables: true,
});
const ctx = nodeContextsIn(db);

let tableNo = 0;
/** A UNIQUE KEY table whose sequence is hidden: the load names the column that fills it. */
async function hiddenSequenceTable(): Promise<string> {
	const name = `hidden${++tableNo}`;
	await db.server.sql(
		`CREATE TABLE d.${name} (id INT NOT NULL, v VARCHAR(16) NULL, updated_at BIGINT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_type" = "BIGINT")`,
	);
	return name;
}

const params = (table: string) => ({ table, options: { sequenceColumn: 'updated_at' } });
const manualTo = (connected: number[]) => ({ mode: 'manual', connected });
const rows = (table: string) => db.server.tableRows('d', table).sort((a, b) => Number(a.id) - Number(b.id));
const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${String(i.json.id)} ${r.rule} ${r.column}`).join());

function packed(lines: string[]): INodeExecutionData {
	const packedRows: PackedRows = { jsonLines: lines.map((l) => `${l}\n`).join(''), count: lines.length, sources: [{ topic: 't', partition: 0, firstOffset: '100', lastOffset: String(99 + lines.length), lines: lines.length }] };
	return { json: { [PACKED_ROWS_FIELD]: packedRows } as never };
}

describe('Doris Stream Load node: Sequence Column into a hidden sequence column', () => {
	it('the test server ignores a row and a delete whose sequence value is NULL when the key has a row, as Doris does', async () => {
		const table = await hiddenSequenceTable();
		const headers = { format: 'json', read_json_by_line: 'true', 'function_column.sequence_col': 'updated_at', hidden_columns: '__DORIS_DELETE_SIGN__' };
		const load = async (body: string) => (await streamLoad(db.server.feUrl, 'd', table, body, headers, [db.server.user, db.server.password])).json;
		await load('{"id":1,"v":"a","updated_at":5,"__DORIS_DELETE_SIGN__":0}\n');
		const answer = await load('{"id":1,"v":"lost","updated_at":null,"__DORIS_DELETE_SIGN__":0}\n{"id":1,"v":"a","updated_at":null,"__DORIS_DELETE_SIGN__":1}\n');
		assert.equal(answer.Status, 'Success');
		assert.equal(answer.NumberLoadedRows, 2, 'counted as loaded');
		assert.deepEqual(rows(table), [{ id: 1, v: 'a', updated_at: 5 }], 'and ignored');
	});

	it('a row that lacks the field of a column with a constant DEFAULT takes that default as its sequence value (Doris fills the missing JSON field), and is ignored under a higher stored one: the node sends it to Rejected (missing_sequence)', async () => {
		// FE FileLoadScanNode / LoadScanProvider put the column's DEFAULT on the source slot of its name
		// (putToDefaultValueOfSrcSlot) and be/src/vec/exec/format/json/new_json_reader.cpp
		// `_fill_missing_column` writes it for a missing field, so `__DORIS_SEQUENCE_COL__ = SlotRef(updated_at)`
		// gets 7, not NULL. A stored row with 9 keeps it out, as NULL would. Before, the node loaded such
		// rows: counted, and the update gone whenever the stored value was above 7.
		const table = `hidden${++tableNo}`;
		await db.server.sql(
			`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL, updated_at BIGINT NULL DEFAULT "7") UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_type" = "BIGINT")`,
		);
		const headers = { format: 'json', read_json_by_line: 'true', 'function_column.sequence_col': 'updated_at' };
		const load = async (body: string) => (await streamLoad(db.server.feUrl, 'd', table, body, headers, [db.server.user, db.server.password])).json;
		await load('{"id":1,"v":"a","updated_at":5}\n{"id":2,"v":"b","updated_at":9}\n');
		assert.equal((await load('{"id":1,"v":"default 7 >= 5"}\n{"id":2,"v":"default 7 < 9"}\n')).Status, 'Success');
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'default 7 >= 5', updated_at: 7 },
			{ id: 2, v: 'b', updated_at: 9 },
		]);

		const input = [
			{ json: { id: 3, v: 'c', updated_at: 1 } },
			{ json: { id: 3, v: 'missing: takes 7' } },
			{ json: { id: 4, v: 'null', updated_at: null } },
			{ json: { id: 1, __DORIS_DELETE_SIGN__: 1 } },
			packed(['{"id":5,"v":"packed, missing"}', '{"id":6,"v":"packed, null","updated_at":null}']),
		];
		const [summary, rejected] = await executeStreamLoad(ctx(params(table), input, manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['3 missing_sequence updated_at', '4 null_sequence updated_at', '1 delete_sequence updated_at', '5 missing_sequence updated_at', '6 null_sequence updated_at']);
		assert.match((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /is missing in this row: Doris would give it the column's DEFAULT 7, and keeps a stored row of the same key whose sequence value is higher/);
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'default 7 >= 5', updated_at: 7 },
			{ id: 2, v: 'b', updated_at: 9 },
			{ id: 3, v: 'c', updated_at: 1 },
		]);
	});

	it('a row that lacks the field of a column DEFAULT CURRENT_TIMESTAMP loads with the load time as its sequence value (the exception Doris documents)', async () => {
		const table = `hidden${++tableNo}`;
		await db.server.sql(
			`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL, changed DATETIME NULL DEFAULT CURRENT_TIMESTAMP) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_type" = "DATETIME")`,
		);
		const input = [{ json: { id: 1, v: 'old', changed: '2020-01-01 00:00:00' } }, { json: { id: 1, v: 'now' } }, packed(['{"id":2,"v":"packed now"}'])];
		const [summary, rejected] = await executeStreamLoad(ctx({ table, options: { sequenceColumn: 'changed' } }, input, manualTo([0, 1])));
		assert.deepEqual(rejected, []);
		assert.equal(summary[0].json.rows, 3);
		assert.deepEqual(rows(table).map((r) => r.v), ['now', 'packed now']);
	});

	it('a Sequence Column the load has no column of is refused by Doris (the test server too): the execution fails, nothing loads', async () => {
		const table = await hiddenSequenceTable();
		const error = await executeStreamLoad(ctx({ table, options: { sequenceColumn: 'changed_at' } }, [{ json: { id: 1, changed_at: 3 } }], manualTo([0, 1]))).catch((e: unknown) => e);
		assert.match(String((error as Error).message), /unknown reference column, column=__DORIS_SEQUENCE_COL__, reference=changed_at/);
		assert.deepEqual(rows(table), []);
	});

	it('per message: rows and deletes without a value go to Rejected naming the column and the rule; the others load', async () => {
		const table = await hiddenSequenceTable();
		await executeStreamLoad(ctx(params(table), [{ json: { id: 1, v: 'a', updated_at: 5 } }, { json: { id: 2, v: 'b', updated_at: 5 } }], manualTo([0, 1])));
		const input = [
			{ json: { id: 1, v: 'a', updated_at: null, __DORIS_DELETE_SIGN__: 1 } },
			{ json: { id: 2, v: 'lost', __DORIS_DELETE_SIGN__: 0 } },
			{ json: { id: 3, v: 'c', updated_at: 1, __DORIS_DELETE_SIGN__: 0 } },
		];
		const [summary, rejected] = await executeStreamLoad(ctx(params(table), input, manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_sequence updated_at', '2 null_sequence updated_at']);
		assert.deepEqual(rejected.map((r) => r.pairedItem), [{ item: 0 }, { item: 1 }]);
		assert.match((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /Sequence Column "updated_at" .* is null in this delete.*the delete would delete nothing/);
		assert.equal(summary[0].json.rows, 1);
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'a', updated_at: 5 },
			{ id: 2, v: 'b', updated_at: 5 },
			{ id: 3, v: 'c', updated_at: 1 },
		]);
	});

	it('packed: the lines without a value go to Rejected with where they came from; the rest of the item loads', async () => {
		const table = await hiddenSequenceTable();
		const lines = ['{"id":1,"v":"a","updated_at":5}', '{"id":2,"v":"lost","updated_at":null}', '{"id":3,"v":"c","updated_at":2}', '{"id":4,"v":"lost too"}'];
		const [summary, rejected] = await executeStreamLoad(ctx(params(table), [packed(lines)], manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['2 null_sequence updated_at', '4 null_sequence updated_at']);
		assert.deepEqual(rejected.map((r) => r.json._kafka), [{ topic: 't', partition: 0, offset: '101', line: 1 }, { topic: 't', partition: 0, offset: '103', line: 3 }]);
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(rows(table).map((r) => r.id), [1, 3]);
	});

	it('Rejected leads nowhere: the execution fails before any load, naming the line, the column and the rule', async () => {
		const table = await hiddenSequenceTable();
		const loadsBefore = db.server.loads.length;
		for (const input of [[packed(['{"id":1,"updated_at":1}', '{"id":2,"updated_at":null}'])], [{ json: { id: 1, updated_at: 1 } }, { json: { id: 2 } }]]) {
			const error = await executeStreamLoad(ctx(params(table), input, manualTo([0]))).catch((e: unknown) => e);
			assert.ok(error instanceof NodeOperationError, String(error));
			assert.match(error.message, /^Item \d: (line 1 of packedRows: )?the Sequence Column "updated_at" .* is (null|missing) in this row.*\(rule null_sequence\); connect the Rejected output/);
		}
		assert.equal(db.server.loads.length, loadsBefore, 'nothing was sent');
		assert.deepEqual(rows(table), []);
	});

	it('Rejected leads nowhere, a column with a constant DEFAULT: a row or packed line lacking the field fails the execution before any load (missing_sequence), packed too', async () => {
		// Found by the session-16 review: the packed path handed such a line to the unwired Rejected output
		// (the rule was missing from the sequence rules that fail instead), the execution succeeded and its
		// offset was committed with the row in no table.
		const table = `defaulted${++tableNo}`;
		await db.server.sql(
			`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL, updated_at BIGINT NULL DEFAULT "7") UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_type" = "BIGINT")`,
		);
		const loadsBefore = db.server.loads.length;
		for (const input of [[packed(['{"id":1,"v":"a","updated_at":1}', '{"id":2,"v":"lacks it"}'])], [{ json: { id: 1, v: 'a', updated_at: 1 } }, { json: { id: 2, v: 'lacks it' } }]]) {
			const error = await executeStreamLoad(ctx(params(table), input, manualTo([0]))).catch((e: unknown) => e);
			assert.ok(error instanceof NodeOperationError, `the execution succeeded with the row lacking its sequence value on an output that leads nowhere: ${String(error)}`);
			assert.match(error.message, /\(rule missing_sequence\); connect the Rejected output/);
		}
		assert.equal(db.server.loads.length, loadsBefore, 'nothing was sent');
		assert.deepEqual(rows(table), []);
	});

	it('from the Doris Schema node (CDC), per message and packed: a delete whose before image lacks the column goes to Rejected as delete_sequence', async () => {
		const table = await hiddenSequenceTable();
		await executeStreamLoad(ctx(params(table), [{ json: { id: 1, v: 'a', updated_at: 5 } }, { json: { id: 2, v: 'b', updated_at: 5 } }], manualTo([0, 1])));
		const schemaNode = new DorisSchema();
		const kafka = (offset: number) => ({ topic: `s.inventory.${table}`, partition: 0, offset: String(offset), key: null, timestamp: '0', headers: {} });
		// PostgreSQL's default REPLICA IDENTITY: Debezium's "before" holds the key, the rest null.
		const changes = [
			{ op: 'd', before: { id: 1, v: null, updated_at: null }, after: null },
			{ op: 'u', before: null, after: { id: 2, v: 'new', updated_at: 6 } },
		];
		const settings = { operation: 'mapRowsToTables', database: 'd', tableFrom: 'topic', databaseFrom: 'parameter', createTables: false, options: { cdc: true } };
		const schemaCtx = (items: INodeExecutionData[]) => schemaNodeContext(db.server, settings, items, { database: 'd', workflowId: 'wf-seq' });
		const [mapped, invalid] = await schemaNode.execute.call(schemaCtx(changes.map((c, k) => ({ json: { ...c, _kafka: kafka(k) } }))));
		assert.deepEqual(invalid, [], 'the Doris Schema node cannot know which field the load maps to the hidden column');
		const [, rejected] = await executeStreamLoad(ctx({ ...params(table), tableFrom: 'item' }, mapped, manualTo([0, 1])));
		assert.deepEqual(rules(rejected), ['1 delete_sequence updated_at']);
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'a', updated_at: 5 },
			{ id: 2, v: 'new', updated_at: 6 },
		]);
		// The same changes packed as the trigger's One Item per Batch.
		const lines = changes.map((c) => JSON.stringify({ ...c, after: c.after === null ? null : { ...c.after, updated_at: 7, v: 'packed' } }));
		const packedChanges: PackedRows = { jsonLines: lines.map((l) => `${l}\n`).join(''), count: 2, sources: [{ topic: `s.inventory.${table}`, partition: 0, firstOffset: '10', lastOffset: '11', lines: 2 }] };
		const [mappedPacked] = await schemaNode.execute.call(schemaCtx([{ json: { [PACKED_ROWS_FIELD]: packedChanges } as never }]));
		const [, rejectedPacked] = await executeStreamLoad(ctx({ ...params(table), tableFrom: 'item' }, mappedPacked, manualTo([0, 1])));
		assert.deepEqual(rules(rejectedPacked), ['1 delete_sequence updated_at']);
		assert.deepEqual(rejectedPacked[0].json._kafka, { topic: `s.inventory.${table}`, partition: 0, offset: '10', line: 0 });
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'a', updated_at: 5 },
			{ id: 2, v: 'packed', updated_at: 7 },
		]);
	});

	it('JSON Paths and json_root that map the column: the check reads the path the load fills it from, so rows with a value load', async () => {
		// Before, the check looked for a top-level field "updated_at" and refused every one of these rows.
		const table = await hiddenSequenceTable();
		const options = { sequenceColumn: 'updated_at', columns: 'id, v, updated_at', jsonpaths: '["$.key", "$.val", "$.meta.ts"]' };
		const [summary, rejected] = await executeStreamLoad(
			ctx({ table, options }, [{ json: { key: 1, val: 'a', meta: { ts: 5 } } }, { json: { key: 2, val: 'lost', meta: {}, updated_at: 9 } }, packed(['{"key":3,"val":"c","meta":{"ts":2}}', '{"key":4,"meta":{"ts":null}}'])], manualTo([0, 1])),
		);
		assert.deepEqual(rejected.map((r) => `${String(r.json.key)} ${(r.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule}`), ['2 null_sequence', '4 null_sequence']);
		assert.equal(summary[0].json.rows, 2);
		assert.deepEqual(rows(table), [
			{ id: 1, v: 'a', updated_at: 5 },
			{ id: 3, v: 'c', updated_at: 2 },
		]);
		const rootTable = await hiddenSequenceTable();
		const rooted = { sequenceColumn: 'updated_at', headers: { header: [{ name: 'json_root', value: '$.after' }] } };
		const [, rejectedUnderRoot] = await executeStreamLoad(
			ctx({ table: rootTable, options: rooted }, [{ json: { after: { id: 1, v: 'a', updated_at: 5 } } }, { json: { after: { id: 2, v: 'lost' }, updated_at: 9 } }], manualTo([0, 1])),
		);
		assert.deepEqual(rejectedUnderRoot.map((r) => (r.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule), ['null_sequence']);
		assert.deepEqual(rows(rootTable), [{ id: 1, v: 'a', updated_at: 5 }]);
	});

	it('a Sequence Column that Columns computes (which Doris refuses): the execution fails naming the entry, nothing loads', async () => {
		const table = await hiddenSequenceTable();
		const loadsBefore = db.server.loads.length;
		const options = { sequenceColumn: 'updated_at', columns: 'id, v, ts, updated_at = ts' };
		const error = await executeStreamLoad(ctx({ table, options }, [{ json: { id: 1, v: 'a', ts: 5, updated_at: 5 } }], manualTo([0, 1]))).catch((e: unknown) => e);
		assert.ok(error instanceof NodeOperationError, String(error));
		assert.match(error.message, /Sequence Column "updated_at" is computed by the Columns entry "updated_at = ts", and Doris fills its hidden sequence column only from a field of the data/);
		assert.equal(db.server.loads.length, loadsBefore);
	});

	it('a fixed partial update whose Columns leave the Sequence Column out (Doris refuses the load: unknown reference column): the execution fails naming both settings, nothing loads, no row goes to Rejected', async () => {
		// Session 17: before, the row lacking the field went to Rejected (null_sequence), as if the update
		// could load without it, and the row carrying it met Doris' refusal of the load.
		const table = `hidden${++tableNo}`;
		await db.server.sql(
			`CREATE TABLE d.${table} (id INT NOT NULL, v VARCHAR(16) NULL, updated_at BIGINT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 ` +
				'PROPERTIES ("function_column.sequence_type" = "BIGINT", "enable_unique_key_merge_on_write" = "true")',
		);
		const loadsBefore = db.server.loads.length;
		const options = { sequenceColumn: 'updated_at', partialUpdate: 'fixed', columns: 'id, v', strictMode: true };
		const error = await executeStreamLoad(ctx({ table, options }, [{ json: { id: 1, v: 'b' } }, { json: { id: 2, v: 'c', updated_at: 9 } }], manualTo([0, 1]))).catch((e: unknown) => e);
		assert.ok(error instanceof NodeOperationError, `the execution went on: ${JSON.stringify(error)}`);
		assert.match(error.message, /Sequence Column "updated_at" is not among the Columns \(id, v\).*unknown reference column.*List "updated_at" in Columns/);
		assert.equal(db.server.loads.length, loadsBefore);
		assert.deepEqual(rows(table), []);
	});
});
