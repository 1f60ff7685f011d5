/**
 * Debezium change streams (test/fixtures/debezium: MySQL and PostgreSQL, time.precision.mode adaptive
 * and connect, decimal.handling.mode precise / string / double, JSON converter with schemas) through
 * the Doris Schema node's mapper, per item, packed, and packed in a worker thread: applying the rows
 * (upserts, deletes by the delete sign) must give the source table, value for value.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN, type PackedRows } from '../../../../src/common/item-contract';
import { parseJsonExact } from '../../../../src/common/exact-json';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool } from '../../../../src/doris/schema/packed-worker-pool';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { routeItems } from '../../../../src/doris/schema/route-items';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { expectedDorisRow, FINAL_SOURCE_ROWS, fixtureFile, VARIANTS, type Variant } from '../../../fixtures/debezium/rows';

const FIXTURES = path.join(__dirname, '../../../fixtures/debezium');

/** The Kafka values of a fixture, tombstones left out (the trigger skips them by default). */
export function fixtureValues(v: Variant): string[] {
	const lines = readFileSync(path.join(FIXTURES, fixtureFile(v)), 'utf8').split('\n').filter((l) => l !== '');
	// Each line is {"key": …, "value": …}; the value's own text, sliced out (JSON.parse would round its
	// int64 values beyond 2^53), is what the Kafka message holds. The key holds no "value".
	return lines.map((l) => l.slice(l.indexOf(',"value":') + ',"value":'.length, -1)).filter((text) => text !== 'null');
}

function sinkSchema(v: Variant) {
	return manualSchema('demo', 'orders_cdc', [
		{ name: 'id', type: 'INT', nullable: false },
		{ name: 'order_date', type: 'DATE', nullable: false },
		{ name: 'created_at', type: 'DATETIME(6)', nullable: false },
		{ name: 'updated_at', type: 'DATETIME(3)', nullable: false },
		{ name: 'amount', type: 'DECIMAL(20, 4)', nullable: false },
		{ name: 'doc', type: 'JSON' },
		{ name: 'ship_time', type: 'VARCHAR(20)' },
		{ name: 'paid_at', type: 'DATETIME(6)' },
		...(v.connector === 'postgresql' ? [{ name: 'price', type: 'DECIMAL(38, 9)' }] : []),
		{ name: DELETE_SIGN_COLUMN, type: 'TINYINT' },
	]);
}

/** A UNIQUE KEY table: the last row per id wins, a delete sign removes it; JSON compared parsed. */
function applyRows(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
	const table = new Map<unknown, Record<string, unknown>>();
	for (const row of rows) {
		const { [DELETE_SIGN_COLUMN]: sign, ...rest } = row;
		if (sign === 1) table.delete(rest.id);
		else table.set(rest.id, rest);
	}
	return [...table.values()].sort((a, b) => Number(a.id) - Number(b.id)).map(comparable);
}

function comparable(row: Record<string, unknown>): Record<string, unknown> {
	return { ...row, doc: row.doc === null || row.doc === undefined ? row.doc : parseJsonExact(String(row.doc)) };
}

const expected = (v: Variant) => FINAL_SOURCE_ROWS.map((r) => comparable(expectedDorisRow(r, v)));
const labels = { workflow: 'wf-debezium', node: 'Doris Schema' };

describe('Debezium fixtures through the Doris Schema mapper', () => {
	const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
	after(() => pool.close());

	for (const v of VARIANTS) {
		it(`${fixtureFile(v)}: every value equal to the source row, per item, packed and in a worker`, async () => {
			const mapper = new RowMapper(sinkSchema(v), { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
			const values = fixtureValues(v);
			const items = values.map((text) => ({ json: parseJsonExact(text) as Record<string, unknown> }));
			const routed = routeItems(items, mapper, labels);
			assert.deepEqual(routed.invalid.map((r) => r.json._invalid), [], 'no row invalid');
			assert.deepEqual(applyRows(routed.rows.map((r) => r.json)), expected(v));

			const packed: PackedRows = {
				jsonLines: values.map((t) => `${t}\n`).join(''),
				count: values.length,
				sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(values.length - 1), lines: values.length }],
			};
			const inThread = routePacked(packed, mapper, labels, 0);
			assert.deepEqual(inThread.invalid, []);
			const lines = (inThread.packed?.jsonLines ?? '').split('\n').filter((l) => l !== '');
			assert.deepEqual(applyRows(lines.map((l) => parseJsonExact(l) as Record<string, unknown>)), expected(v));
			assert.deepEqual(await pool.route(packed, mapper, labels, 0), inThread, 'a worker thread gives the same output');
		});
	}

	it('the adaptive MySQL stream without schemas needs each column’s unit, and then loads the same rows', () => {
		const v: Variant = { connector: 'mysql', time: 'adaptive_time_microseconds', decimal: 'string' };
		// schemas.enable=false: only the payload, the logical types gone.
		const items = fixtureValues(v).map((text) => ({ json: (parseJsonExact(text) as { payload: Record<string, unknown> }).payload }));
		const plain = new RowMapper(sinkSchema(v), { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
		const refused = routeItems(items, plain, labels);
		assert.equal(refused.rows.length, 0);
		const reasons = refused.invalid.flatMap((r) => (r.json._invalid as { reasons: Array<{ column: string; rule: string }> }).reasons);
		assert.deepEqual(new Set(reasons.map((r) => `${r.column} ${r.rule}`)), new Set(['order_date epoch_unit', 'created_at epoch_unit', 'updated_at epoch_unit']));

		const told = new RowMapper(sinkSchema(v), {
			...DEFAULT_ROW_MAPPER_OPTIONS,
			cdc: true,
			dates: { timeZone: 'UTC', epochUnit: 'ms' },
			epochUnits: [
				{ column: 'order_date', unit: 'days' },
				{ column: 'created_at', unit: 'us' },
			],
		});
		const routed = routeItems(items, told, labels);
		assert.deepEqual(routed.invalid, []);
		const rows = applyRows(routed.rows.map((r) => r.json));
		// Without the schema TIME arrives as Debezium's µs count, and JSON as plain text: parsed as Doris
		// parses a string into a JSON column, the JSON string document ("text") is the same document.
		const want = expected(v).map((r) => ({ ...r, ship_time: rows.find((x) => x.id === r.id)?.ship_time }));
		assert.deepEqual(rows, want);
	});

	it('the same stream under one Epoch Unit ms for every column (the CDC examples): each DATE, a day count, goes to Invalid saying so, per item, packed and in a worker', async () => {
		// Before: order_date 19844 (2024-05-01) read as 19.8 s after the epoch loaded 1970-01-01 in every row, quietly.
		const v: Variant = { connector: 'mysql', time: 'adaptive_time_microseconds', decimal: 'string' };
		const payloads = fixtureValues(v).map((text) => JSON.stringify((parseJsonExact(text) as { payload: Record<string, unknown> }).payload));
		const mapper = new RowMapper(sinkSchema(v), { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true, dates: { timeZone: 'UTC', epochUnit: 'ms' }, epochUnits: [{ column: 'created_at', unit: 'us' }] });
		const routed = routeItems(payloads.map((text) => ({ json: parseJsonExact(text) as Record<string, unknown> })), mapper, labels);
		const reasons = routed.invalid.flatMap((r) => (r.json._invalid as { reasons: Array<{ column: string; rule: string; message: string }> }).reasons);
		assert.ok(reasons.length > 0, 'rows with a DATE go to Invalid');
		for (const r of reasons) {
			assert.equal(`${r.column} ${r.rule}`, 'order_date epoch_unit');
			assert.match(r.message, /read in milliseconds \(Epoch Unit\) is less than a day from 1970-01-01.*count of days.*Epoch Unit per Column to Days/);
		}
		// What loads has its own date: only the row whose DATE is 1970-01-01 (0 days, 0 ms alike) passes.
		const loaded = applyRows(routed.rows.map((r) => r.json));
		assert.ok(loaded.length > 0);
		for (const row of loaded) assert.equal(row.order_date, expected(v).find((x) => x.id === row.id)?.order_date, `id ${String(row.id)}`);

		const packed: PackedRows = {
			jsonLines: payloads.map((t) => `${t}\n`).join(''),
			count: payloads.length,
			sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(payloads.length - 1), lines: payloads.length }],
		};
		const inThread = routePacked(packed, mapper, labels, 0);
		assert.equal(inThread.invalid.length, routed.invalid.length, 'packed: the same rows to Invalid');
		assert.deepEqual(await pool.route(packed, mapper, labels, 0), inThread, 'a worker thread gives the same output');
	});

	it('a value that does not fit its declared type goes to Invalid with the field, the value and the type', () => {
		const v: Variant = { connector: 'mysql', time: 'adaptive_time_microseconds', decimal: 'precise' };
		const text = fixtureValues(v)[0].replace('"amount":"ALxhAA=="', '"amount":"12,50"');
		const mapper = new RowMapper(sinkSchema(v), { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
		const r = mapper.map(parseJsonExact(text) as Record<string, unknown>);
		assert.deepEqual(r, {
			ok: false,
			reasons: [
				{
					column: null,
					value: '12,50',
					expected: 'org.apache.kafka.connect.data.Decimal',
					rule: 'logical_type',
					message: 'payload.after.amount: "12,50" is neither base64 bytes nor a number, as org.apache.kafka.connect.data.Decimal requires',
				},
			],
		});
	});

	it('an Epoch Unit per Column naming no column is a settings error', () => {
		const v: Variant = { connector: 'mysql', time: 'connect', decimal: 'string' };
		assert.throws(() => new RowMapper(sinkSchema(v), { ...DEFAULT_ROW_MAPPER_OPTIONS, epochUnits: [{ column: 'nope', unit: 'ms' }] }), /Epoch Unit per Column "nope": table demo.orders_cdc has no such column/);
	});
});
