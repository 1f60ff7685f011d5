// Validate on Start with a manual schema compared column names only: a manual type wider than the
// table's passed, and Doris then changed the values the coercer let through without a word
// (DECIMAL(10,4) over DECIMAL(10,2) rounds to 2 places, DATETIME(6) over DATETIME drops the fraction,
// DOUBLE over FLOAT rounds to single precision). The types are compared now, at the first run
// (resolve.ts) and at activation (table-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DorisConnection } from '../../../../src/doris/connection';
import { manualSchema, type ManualColumn } from '../../../../src/doris/schema/manual';
import { describeManualTypeProblem, manualTypeProblems } from '../../../../src/doris/schema/manual-types';
import { resolveSchema, type ResolveRequest } from '../../../../src/doris/schema/resolve';
import type { SchemaCache } from '../../../../src/doris/schema/schema-cache';
import { findTableProblems } from '../../../../src/doris/schema/table-check';

const connection: DorisConnection = { feUrls: ['http://127.0.0.1:1'], queryPort: 9030, user: 'root', password: '', database: 'shop' } as unknown as DorisConnection;

const table = manualSchema('shop', 'orders', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'qty', type: 'INT' },
	{ name: 'price', type: 'DECIMAL(10,2)' },
	{ name: 'paid_at', type: 'DATETIME' },
	{ name: 'ratio', type: 'FLOAT' },
	{ name: 'score', type: 'DOUBLE' },
	{ name: 'code', type: 'VARCHAR(8)' },
	{ name: 'note', type: 'STRING' },
	{ name: 'tags', type: 'ARRAY<DECIMAL(6,1)>' },
]);

function problemsOf(columns: ManualColumn[]): string[] {
	return manualTypeProblems(table, manualSchema('shop', 'orders', columns).columns).map(describeManualTypeProblem);
}

function request(manualColumns: ManualColumn[], table = 'orders'): ResolveRequest {
	return { connection, database: 'shop', table, mode: 'manual', manualColumns, refreshIntervalMs: 0, validateOnStart: true, namedColumns: [] };
}

const cache = { get: async () => table } as unknown as SchemaCache;

describe('manual schema types against the table (Validate on Start)', () => {
	it('the same types, or narrower ones whose every value the column keeps, pass', () => {
		assert.deepEqual(
			problemsOf([
				{ name: 'id', type: 'bigint' },
				{ name: 'qty', type: 'SMALLINT' },
				{ name: 'price', type: 'DECIMAL(6,1)' },
				{ name: 'paid_at', type: 'DATETIME' },
				{ name: 'ratio', type: 'FLOAT' },
				{ name: 'score', type: 'FLOAT' },
				{ name: 'code', type: 'VARCHAR(4)' },
				{ name: 'note', type: 'VARCHAR(100)' },
				{ name: 'tags', type: 'ARRAY<DECIMAL(5,1)>' },
			]),
			[],
		);
	});

	it('names the column, both types and the rule for each type Doris would change or refuse values of', () => {
		assert.deepEqual(
			problemsOf([
				{ name: 'price', type: 'DECIMAL(10,4)' },
				{ name: 'paid_at', type: 'DATETIME(6)' },
				{ name: 'ratio', type: 'DOUBLE' },
				{ name: 'qty', type: 'BIGINT' },
				{ name: 'code', type: 'VARCHAR(64)' },
				{ name: 'note', type: 'JSON' },
				{ name: 'tags', type: 'ARRAY<DECIMAL(6,3)>' },
			]),
			[
				'column "price": manual type DECIMAL(10,4), table type DECIMAL(10,2): Doris rounds the digits past the table\'s scale 2 half up without a word; make the manual type DECIMAL(10,2)',
				'column "paid_at": manual type DATETIME(6), table type DATETIME: Doris rounds fractional seconds past 0 digit(s) without a word; make the manual type DATETIME',
				'column "ratio": manual type DOUBLE, table type FLOAT: Doris rounds a DOUBLE value to single precision without a word (3.14159265 is stored as 3.1415927); make the manual type FLOAT',
				'column "qty": manual type BIGINT, table type INT: a value past INT\'s range passes the manual type, and Doris refuses it or, with Strict Mode off, loads NULL; make the manual type INT',
				'column "code": manual type VARCHAR(64), table type VARCHAR(8): a value longer than 8 bytes passes the manual type, and Doris refuses it; make the manual type VARCHAR(8)',
				'column "note": manual type JSON, table type STRING: the coercer would check values against another type than the one Doris converts them to; make the manual type STRING',
				'column "tags": manual type ARRAY<DECIMAL(6,3)>, table type ARRAY<DECIMAL(6,1)>: Doris rounds the digits past the table\'s scale 1 half up without a word; make the manual type ARRAY<DECIMAL(6,1)>',
			],
		);
		assert.match(problemsOf([{ name: 'price', type: 'DECIMAL(12,2)' }])[0], /more than 8 integer digit\(s\)/);
	});

	it('a bare DECIMAL / NUMERIC / DECIMALV3 (also an element) is refused naming the column and the fix, where before every value passed it unchecked', () => {
		// Doris makes it DECIMAL(9,0) (legacy planner, ScalarType) or DECIMALV3(38,9) (Nereids, #36316): before,
		// it was `unknown` here, so 12.5 and even "abc" mapped as valid, and Doris rounded 12.5 to 13 in a (9,0).
		for (const type of ['DECIMAL', 'numeric', 'DECIMALV3', 'ARRAY<DECIMAL>', 'MAP<INT,DECIMAL>', 'STRUCT<a:NUMERIC>']) {
			assert.throws(
				() => manualSchema('shop', 'orders', [{ name: 'price', type }]),
				(e: unknown) => e instanceof Error && /^Manual schema, column "price": .*without \(precision, scale\) means DECIMAL\(9,0\) or DECIMAL\(38,9\).*DECIMAL\(10,2\)/.test(e.message),
				type,
			);
		}
		// With its precision and scale it is checked as any decimal; a DECIMALV2's bare form is (27,9).
		assert.equal(manualSchema('shop', 'orders', [{ name: 'price', type: 'DECIMAL(9,0)' }]).columns[0].type.kind, 'decimal');
		assert.deepEqual(manualSchema('shop', 'orders', [{ name: 'price', type: 'DECIMALV2' }]).columns[0].type, { kind: 'decimal', precision: 27, scale: 9 });
	});

	it('nullability is not compared: a NULL into a NOT NULL column is refused by Doris, visibly', () => {
		assert.deepEqual(problemsOf([{ name: 'id', type: 'BIGINT', nullable: true }]), []);
	});

	it('the first run fails naming the column, both types and the rule (was: names only, so DECIMAL(10,4) over DECIMAL(10,2) passed)', async () => {
		await assert.rejects(
			resolveSchema(request([{ name: 'id', type: 'BIGINT', nullable: false }, { name: 'price', type: 'DECIMAL(10,4)' }]), cache),
			/Validate on start: table shop\.orders, manual column list: column "price": manual type DECIMAL\(10,4\), table type DECIMAL\(10,2\): Doris rounds/,
		);
		const schema = await resolveSchema(request([{ name: 'id', type: 'BIGINT', nullable: false }, { name: 'price', type: 'DECIMAL(10,2)' }]), cache);
		assert.equal(schema.source, 'manual');
	});

	it('activation (Check Doris Tables on Activation) refuses the same manual types', async () => {
		const problems = await findTableProblems(
			connection,
			[
				{
					label: 'Doris Schema node "Map rows"',
					database: 'shop',
					table: 'orders',
					columns: [
						{ column: 'id', from: 'manual column list', manualType: 'BIGINT' },
						{ column: 'paid_at', from: 'manual column list', manualType: 'DATETIME(6)' },
					],
				},
			],
			async () => table,
		);
		assert.equal(problems.length, 1);
		assert.equal(problems[0].kind, 'manualTypes');
		assert.match(problems[0].message, /^Doris Schema node "Map rows": table shop\.orders, manual column list: column "paid_at": manual type DATETIME\(6\), table type DATETIME: Doris rounds fractional seconds/);
	});
});
