/**
 * Debezium's PostgreSQL connector writes its unavailable-value placeholder (an unchanged TOASTed value)
 * in a form per type (UnchangedToastedPlaceholder): integer[] / date[] / bigint[] as the placeholder's
 * bytes, uuid[] as the name-based UUID of those bytes, hstore as {placeholder: placeholder} or its JSON
 * text. Before, only the text, its bytes and a one-string list were recognised: an update whose big
 * int[] / hstore / uuid[] did not change overwrote the stored value with the placeholder's shape,
 * loaded without a word. Each form must go to Invalid (unavailable_value), per item, packed (the fast
 * path too: plain records) and in a worker thread alike, and be left out of a delete.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN, type PackedRows } from '../../../../src/common/item-contract';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool } from '../../../../src/doris/schema/packed-worker-pool';
import { routeItems } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type Rejection } from '../../../../src/doris/schema/row-mapper';
import { nameUuidFromBytes, unavailableValue } from '../../../../src/doris/schema/unavailable-value';

const PLACEHOLDER = '__debezium_unavailable_value';
const BYTES = Buffer.from(PLACEHOLDER);
/** Java's `(int) b` for each byte of the placeholder. */
const INT_LIST = [...BYTES];
/** Java's UUID.nameUUIDFromBytes of the placeholder, computed by hand here: MD5, version 3, IETF variant. */
const PLACEHOLDER_UUID = (() => {
	const h = createHash('md5').update(BYTES).digest();
	h[6] = (h[6] & 0x0f) | 0x30;
	h[8] = (h[8] & 0x3f) | 0x80;
	const x = h.toString('hex');
	return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
})();
const HSTORE_JSON = `{"${PLACEHOLDER}":"${PLACEHOLDER}"}`;

const table = {
	...manualSchema('demo', 'docs', [
		{ name: 'id', type: 'BIGINT', nullable: false },
		{ name: 'ids', type: 'ARRAY<INT>' },
		{ name: 'big_ids', type: 'ARRAY<BIGINT>' },
		{ name: 'attrs', type: 'JSON' },
		{ name: 'attrs_text', type: 'STRING' },
		{ name: 'attrs_map', type: 'MAP<STRING,STRING>' },
		{ name: 'refs', type: 'ARRAY<VARCHAR(36)>' },
		{ name: 'holidays', type: 'ARRAY<DATE>' },
	]),
	keyModel: 'UNIQUE' as const,
	keyColumns: ['id'],
	deleteSign: true,
};
const labels = { workflow: 'w', node: 'n' };

/** Each placeholder form in the column it would reach, one record per form. */
const FORMS: Array<[column: string, value: unknown]> = [
	['ids', INT_LIST],
	['big_ids', INT_LIST],
	['attrs', HSTORE_JSON],
	['attrs', { [PLACEHOLDER]: PLACEHOLDER }],
	['attrs', INT_LIST],
	['attrs_text', HSTORE_JSON],
	['attrs_map', { [PLACEHOLDER]: PLACEHOLDER }],
	['attrs_map', HSTORE_JSON],
	['refs', [PLACEHOLDER_UUID]],
	['attrs', [PLACEHOLDER_UUID]],
	['holidays', INT_LIST.map((days) => new Date(days * 86_400_000).toISOString().slice(0, 10))],
];

function reasonsOf(item: { json: Record<string, unknown> }): Rejection[] {
	return (item.json._invalid as { reasons: Rejection[] }).reasons;
}

function packedOf(values: readonly unknown[]): PackedRows {
	return {
		jsonLines: values.map((v) => `${JSON.stringify(v)}\n`).join(''),
		count: values.length,
		sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(values.length - 1), lines: values.length }],
	};
}

describe('Debezium placeholder forms of integer[], date[], bigint[], uuid[] and hstore', () => {
	const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
	after(() => pool.close());

	it('the UUID is Java\'s nameUUIDFromBytes of the placeholder', () => {
		assert.equal(nameUuidFromBytes(BYTES), PLACEHOLDER_UUID);
		assert.equal(PLACEHOLDER_UUID, 'b68a35a7-17ad-35b3-af2a-ae46edb4545a', 'the value the review computed with Java');
	});

	it('go to Invalid (unavailable_value) naming the column, per item, packed and in a worker thread: plain records and Debezium envelopes', async () => {
		for (const cdc of [false, true]) {
			const mapper = new RowMapper(table, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc });
			const records = FORMS.map(([column, value], i) => ({ id: i, [column]: value }));
			const values = cdc ? records.map((after) => ({ op: 'u', before: null, after, source: { connector: 'postgresql' } })) : records;
			const routed = routeItems(values.map((json) => ({ json })), mapper, labels);
			assert.deepEqual(routed.rows, [], `cdc ${String(cdc)}: nothing loads`);
			assert.deepEqual(
				routed.invalid.map((item) => reasonsOf(item).map((r) => `${String(r.column)} ${r.rule}`)),
				FORMS.map(([column]) => [`${column} unavailable_value`]),
			);
			const packed = packedOf(values);
			const inThread = routePacked(packed, mapper, labels, 0);
			assert.equal(inThread.packed, null, 'packed: nothing loads');
			assert.deepEqual(inThread.invalid.map(reasonsOf), routed.invalid.map(reasonsOf), 'packed: the same reasons');
			assert.deepEqual(await pool.route(packed, mapper, labels, 0), inThread, 'a worker thread gives the same output');
		}
	});

	it('a date[] placeholder with its Connect schema (io.debezium.time.Date elements) is refused after decoding too', () => {
		const rowSchema = (field: string) => ({
			type: 'struct',
			optional: true,
			field,
			fields: [
				{ type: 'int64', optional: false, field: 'id' },
				{ type: 'array', optional: true, field: 'holidays', items: { type: 'int32', optional: true, name: 'io.debezium.time.Date', version: 1 } },
			],
		});
		const mapper = new RowMapper(table, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
		const r = mapper.map({ schema: { type: 'struct', fields: [rowSchema('before'), rowSchema('after'), { type: 'string', field: 'op' }] }, payload: { op: 'u', before: null, after: { id: 1, holidays: INT_LIST } } });
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual(r.reasons.map((x) => `${String(x.column)} ${x.rule}`), ['holidays unavailable_value']);
	});

	it('a delete leaves the forms out (it needs the key only); real values of those types load', () => {
		const mapper = new RowMapper(table, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
		const r = mapper.map({ op: 'd', before: { id: 1, ids: INT_LIST, attrs: HSTORE_JSON, refs: [PLACEHOLDER_UUID] }, after: null });
		assert.deepEqual(r, { ok: true, row: { id: 1, [DELETE_SIGN_COLUMN]: 1 } });
		const real = mapper.map({ op: 'u', before: null, after: { id: 1, ids: INT_LIST.slice(1), big_ids: [1, 2], attrs: { a: 'b' }, attrs_map: { a: PLACEHOLDER_UUID }, refs: [PLACEHOLDER_UUID, PLACEHOLDER_UUID] } });
		assert.equal(r.ok && real.ok, true, JSON.stringify(real));
	});

	it('a placeholder of another text gives its own forms', () => {
		const other = unavailableValue('§gone');
		// Non-ASCII bytes are negative in Java's (int) b.
		assert.equal(other.holds([...Buffer.from('§gone')].map((b) => (b > 127 ? b - 256 : b))), true);
		assert.equal(other.holds(INT_LIST), false);
		assert.equal(other.holds({ '§gone': '§gone' }), true);
	});
});
