// Doris column names ignore case (fe-core catalog/Table.java keeps nameToColumn in a
// String.CASE_INSENSITIVE_ORDER tree map): a field that differs from a column only in case fills that
// column when the record has no field of the exact name, the same way on every path (per item, packed,
// in a worker thread), and it is neither an unmatched field, nor an unknown one, nor a new column.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool, routePackedParallel } from '../../../../src/doris/schema/packed-worker-pool';
import { routeItems } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import { labels, pack } from './packed-support';

const schema = manualSchema('d', 'events', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'STRING' },
	{ name: 'Qty', type: 'INT' },
]);
const mapper = (o: Partial<RowMapperOptions> = {}) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...o });

/** map() with its unmatched fields counted. */
function mapCounting(m: RowMapper, json: Record<string, unknown>) {
	const unmatched = new Map<string, number>();
	m.unmatchedSink = unmatched;
	try {
		return { result: m.map(json), unmatched: Object.fromEntries(unmatched) };
	} finally {
		m.unmatchedSink = null;
	}
}

describe('fields that differ from a column only in case', () => {
	const pools: PackedWorkerPool[] = [];
	after(async () => Promise.all(pools.map((p) => p.close())));

	it('fill the column when no field has its exact name; not counted as unmatched', () => {
		assert.deepEqual(mapCounting(mapper(), { id: 1, Name: 'a', qty: 3 }), { result: { ok: true, row: { id: 1, name: 'a', Qty: 3 } }, unmatched: {} });
		assert.deepEqual(mapCounting(mapper(), { ID: 2, NAME: null }), { result: { ok: true, row: { id: 2, name: null } }, unmatched: {} });
	});

	it('the exact name wins; another case of a taken column, or a second one, is a field no column takes', () => {
		assert.deepEqual(mapCounting(mapper(), { id: 1, name: 'exact', Name: 'other' }), { result: { ok: true, row: { id: 1, name: 'exact' } }, unmatched: { Name: 1 } });
		assert.deepEqual(mapCounting(mapper(), { id: 1, NAME: 'first', Name: 'second' }), { result: { ok: true, row: { id: 1, name: 'first' } }, unmatched: { Name: 1 } });
	});

	it('Unknown Fields: reject takes them as the column; only the left-over case variant is refused, saying why', () => {
		assert.deepEqual(mapper({ unknownFields: 'reject' }).map({ id: 1, Name: 'a' }), { ok: true, row: { id: 1, name: 'a' } });
		const r = mapper({ unknownFields: 'reject' }).map({ id: 1, name: 'a', NAME: 'b' });
		assert.equal(r.ok, false);
		assert.deepEqual(
			!r.ok && r.reasons.map((x) => [x.rule, x.message]),
			[['unknown_field', 'field "NAME" matches no column: column "name" takes field "name" (Doris column names ignore case, so no column "NAME" can be added)']],
		);
	});

	it('schema evolution never asks for a column that differs from one only in case', () => {
		assert.deepEqual(mapper({ evolve: true }).map({ id: 1, Name: 'a' }), { ok: true, row: { id: 1, name: 'a' } });
		assert.deepEqual(mapper({ evolve: true }).map({ id: 1, name: 'a', NAME: 'b', extra: 1.5 }), {
			ok: false,
			reasons: [{ column: 'extra', value: 1.5, expected: 'DOUBLE', rule: 'new_column', message: 'field "extra" has no column in d.events; schema evolution adds it as DOUBLE' }],
		});
	});

	it('a column read from a mapped field takes no other case of its own name', () => {
		const m = mapper({ mapping: [{ field: 'full_name', column: 'name' }] });
		assert.deepEqual(mapCounting(m, { id: 1, Name: 'x', full_name: 'y' }), { result: { ok: true, row: { id: 1, name: 'y' } }, unmatched: { Name: 1 } });
	});

	it('Debezium records: the same rule inside the envelope', () => {
		assert.deepEqual(mapper({ cdc: true }).map({ op: 'u', before: null, after: { ID: 7, Name: 'z' } }), { ok: true, row: { id: 7, name: 'z', __DORIS_DELETE_SIGN__: 0 } });
	});

	it('packed, in this thread and in a worker: the bytes and the invalid lines of the per-item path', async () => {
		const lines = ['{"id":1,"Name":"a","QTY":2}', '{"ID":2,"name":"b","NAME":"c"}', '{"Id":"x","NaMe":"d"}', '{"iD":4,"qty":"5","Extra":true}'];
		for (const options of [{}, { unknownFields: 'reject' as const }, { evolve: true }, { cdc: true }]) {
			const m = mapper(options);
			const src = options.cdc === true ? lines.map((l) => `{"op":"c","before":null,"after":${l}}`) : lines;
			const items = routeItems(
				src.map((l) => ({ json: JSON.parse(l) as Record<string, unknown> })),
				m,
				labels,
			);
			const here = routePacked(pack(src), m, labels, 0);
			assert.equal(here.packed?.count ?? 0, items.rows.length, JSON.stringify(options));
			assert.equal(here.invalid.length, items.invalid.length);
			const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
			pools.push(pool);
			const there = await routePackedParallel(pack(src), m, labels, 0, pool);
			assert.deepEqual(there, here);
			assert.equal(pool.stats().routedInWorker, 1);
		}
		const plain = routePacked(pack(lines), mapper(), labels, 0);
		assert.equal(plain.packed?.jsonLines, '{"id":1,"name":"a","Qty":2}\n{"id":2,"name":"b"}\n{"id":4,"Qty":5}\n');
	});
});
