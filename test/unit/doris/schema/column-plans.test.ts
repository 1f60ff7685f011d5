import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN } from '../../../../src/common/item-contract';
import { compileColumnPlans } from '../../../../src/doris/schema/column-plans';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS } from '../../../../src/doris/schema/row-mapper';

const schema = manualSchema('shop', 'orders', [
	{ name: 'Id', type: 'BIGINT', nullable: false },
	{ name: 'customer_id', type: 'INT' },
	{ name: 'placed', type: 'DATETIME' },
	{ name: DELETE_SIGN_COLUMN, type: 'TINYINT' },
]);

describe('compileColumnPlans', () => {
	it('plans each column but the delete sign, in column order: its own name foldable, a mapped field not', () => {
		const { plans, knownFields, foldedPlans } = compileColumnPlans(schema, {
			...DEFAULT_ROW_MAPPER_OPTIONS,
			mapping: [{ field: ' customer.id ', column: 'CUSTOMER_ID' }],
		});
		assert.deepEqual(
			plans.map((p) => [p.column, p.key, p.path, p.nullable, p.folded]),
			[
				['Id', 'Id', null, false, 'id'],
				['customer_id', 'customer.id', ['customer', 'id'], true, null],
				['placed', 'placed', null, true, 'placed'],
			],
		);
		assert.deepEqual([...foldedPlans.keys()], ['id', 'placed']);
		// A mapped dot path is known by its first segment and as the whole key (an exact key of that name
		// wins); the contract's own fields are known too.
		for (const name of ['Id', 'customer', 'customer.id', 'placed', '_kafka', '_parseError', DELETE_SIGN_COLUMN]) assert.ok(knownFields.has(name), name);
	});

	it('refuses options naming no column of the table, before any row', () => {
		assert.throws(
			() => compileColumnPlans(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: [{ field: 'x', column: 'nope' }] }),
			/Field mapping "x" → "nope": table shop.orders has no column "nope"/,
		);
		assert.throws(() => compileColumnPlans(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: [{ field: ' ', column: 'Id' }] }), /Field mapping → "Id": the field name is empty/);
		assert.throws(
			() => compileColumnPlans(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, epochUnits: [{ column: 'nope', unit: 'ms' }] }),
			/Epoch Unit per Column "nope": table shop.orders has no such column/,
		);
	});

	it('refuses two fields mapped onto one column, naming the column and both fields (the last won and the other value was dropped)', () => {
		const twoFields = { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: [{ field: 'work_id', column: 'customer_id' }, { field: 'home_id', column: 'CUSTOMER_ID' }] };
		assert.throws(
			() => compileColumnPlans(schema, twoFields),
			/^Error: Field Mapping: column "customer_id" of shop\.orders is mapped from two fields, "work_id" and "home_id"; a row keeps one value per column, so the other field's value would be dropped: map each field to a column of its own$/,
		);
		// The same pair listed twice is one mapping, not two.
		const twice = { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: [{ field: 'work_id', column: 'customer_id' }, { field: ' work_id ', column: 'customer_id' }] };
		assert.equal(compileColumnPlans(schema, twice).plans[1].key, 'work_id');
	});

	it('gives a column with its own epoch unit a handler reading bare numbers in that unit', () => {
		const { plans } = compileColumnPlans(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, epochUnits: [{ column: 'PLACED', unit: 's' }] });
		const placed = plans.find((p) => p.column === 'placed');
		assert.ok(placed !== undefined);
		const fail = { rule: 'type' as const, detail: '', path: '' };
		assert.equal(placed.handler.coerce(0, fail), '1970-01-01 00:00:00');
	});

	it('a column whose own name has a dot is read by that whole name, never as a path (Doris matches a JSON key to a column by its whole name)', () => {
		const dotted = manualSchema('d', 'logs', [
			{ name: 'id', type: 'BIGINT', nullable: false },
			{ name: 'http.status', type: 'INT' },
		]);
		const { plans, knownFields, foldedPlans } = compileColumnPlans(dotted, DEFAULT_ROW_MAPPER_OPTIONS);
		assert.deepEqual(
			plans.map((p) => [p.column, p.key, p.path, p.folded]),
			[
				['id', 'id', null, 'id'],
				['http.status', 'http.status', null, 'http.status'],
			],
		);
		assert.ok(knownFields.has('http.status'));
		assert.ok(!knownFields.has('http'), 'a nested "http" object fills no column');
		assert.ok(foldedPlans.has('http.status'));
	});
});
