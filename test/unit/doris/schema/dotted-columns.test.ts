/**
 * A column whose name has a dot (`http.status`, `service.name`: log, OpenTelemetry and ECS tables).
 * Doris allows it (fe-core common/FeNameFormat.java COLUMN_NAME_REGEX) and its JSON reader fills it
 * from the key of that whole name, never from a nested object (be/src/vec/exec/format/json/
 * new_json_reader.cpp, _column_index). The mapper read the column's own name as a dot path: the
 * field "http.status" was dropped (Ignore), refused with a reason contradicting itself (Reject) or
 * added as a column that stayed NULL (Add New Columns), and `{"http":{"status":404}}` filled it
 * (review session 17, F8). A Field Mapping's field stays a dot path, but an exact key of its whole
 * name wins.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { manualSchema } from '../../../../src/doris/schema/manual';
import { LineTranscoder } from '../../../../src/doris/schema/line-transcoder';
import { PackedWorkerPool, routePackedParallel } from '../../../../src/doris/schema/packed-worker-pool';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import { labels, pack } from './packed-support';

const logs = manualSchema('d', 'logs', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'http.status', type: 'INT' },
	{ name: 'status', type: 'INT' },
]);
const mapper = (o: Partial<RowMapperOptions> = {}) => new RowMapper(logs, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...o });
const reasonsOf = (r: ReturnType<RowMapper['map']>) => (r.ok ? [] : r.reasons.map((x) => `${x.rule}: ${x.message}`));

describe('a column whose own name has a dot', () => {
	it('takes the field of exactly that key, under Unknown Fields Ignore and Reject and with Add New Columns (no column to add)', () => {
		for (const o of [{}, { unknownFields: 'reject' as const }, { evolve: true }]) {
			assert.deepEqual(mapper(o).map({ id: 1, 'http.status': 200 }), { ok: true, row: { id: 1, 'http.status': 200 } }, JSON.stringify(o));
		}
	});

	it('is not filled from a nested object, which Doris would not put there: the object is a field no column takes', () => {
		assert.deepEqual(mapper().map({ id: 2, http: { status: 404 } }), { ok: true, row: { id: 2 } });
		assert.deepEqual(reasonsOf(mapper({ unknownFields: 'reject' }).map({ id: 2, http: { status: 404 } })), ['unknown_field: field "http" matches no column']);
		const unmatched = new Map<string, number>();
		const m = mapper();
		m.unmatchedSink = unmatched;
		m.map({ id: 2, http: { status: 404 } });
		assert.deepEqual([...unmatched], [['http', 1]]);
	});

	it('another case of its whole name fills it, as for any column read by its own name', () => {
		assert.deepEqual(mapper().map({ id: 3, 'HTTP.Status': 500 }), { ok: true, row: { id: 3, 'http.status': 500 } });
	});
});

describe('a Field Mapping whose field has a dot', () => {
	const mapped = (o: Partial<RowMapperOptions> = {}) => mapper({ mapping: [{ field: 'resp.code', column: 'status' }], ...o });

	it('reaches into objects (a dot path), as its option says', () => {
		assert.deepEqual(mapped().map({ id: 1, resp: { code: 201 } }), { ok: true, row: { id: 1, status: 201 } });
	});

	it('takes a key of that whole name when the record has one (flattened logs), and it wins over the path', () => {
		assert.deepEqual(mapped({ unknownFields: 'reject' }).map({ id: 1, 'resp.code': 202 }), { ok: true, row: { id: 1, status: 202 } });
		assert.deepEqual(mapped().map({ id: 1, 'resp.code': 203, resp: { code: 204 } }), { ok: true, row: { id: 1, status: 203 } });
		assert.deepEqual(mapped().map({ id: 1, 'resp.code': null, resp: { code: 204 } }), { ok: true, row: { id: 1, status: null } });
	});
});

describe('a dotted column on the packed fast path and in a worker: the per-item result', () => {
	const pool = new PackedWorkerPool({ size: 1, minLines: 0, warn: () => undefined });
	after(() => pool.close());
	const lines = ['{"id":1,"http.status":200}', '{"id":2,"http":{"status":404}}', '{"id":3,"status":1,"http.status":null}'];
	const want = '{"id":1,"http.status":200}\n{"id":2}\n{"id":3,"http.status":null,"status":1}\n';

	it('routePacked takes the lines on the fast path and writes what RowMapper.map gives', () => {
		const m = mapper();
		const t = LineTranscoder.of(m);
		assert.ok(t !== null, 'a dotted column keeps the fast path');
		assert.equal(routePacked(pack(lines), m, labels, 0).packed?.jsonLines, want);
	});

	it('a worker thread writes the same', async () => {
		const got = await routePackedParallel(pack(lines), mapper(), labels, 0, pool);
		assert.equal(got.packed?.jsonLines, want);
		assert.equal(pool.stats().routedInWorker, 1);
	});
});
