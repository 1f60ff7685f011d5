/**
 * A Debezium update whose before and after differ in a key column of the Doris table (review session 20,
 * F6): the Doris key is not the source's primary key (Debezium sends a change of that as a delete and a
 * create), and loading "after" upserted the new key while the old key's row stayed, counted as loaded.
 * It must go to Invalid (key_changed) naming the columns and both values, per item, packed and in a
 * worker thread alike; an update keeping its key, one without a before (PostgreSQL's default REPLICA
 * IDENTITY), and a key the Doris key is the source's still load.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN, type PackedRows } from '../../../../src/common/item-contract';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool } from '../../../../src/doris/schema/packed-worker-pool';
import { routeItems } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type Rejection } from '../../../../src/doris/schema/row-mapper';

const table = {
	...manualSchema('demo', 'users_by_email', [
		{ name: 'email', type: 'VARCHAR(64)', nullable: false },
		{ name: 'id', type: 'BIGINT' },
		{ name: 'name', type: 'STRING' },
	]),
	keyModel: 'UNIQUE' as const,
	keyColumns: ['email'],
	deleteSign: true,
};
const labels = { workflow: 'w', node: 'n' };
const reasonsOf = (item: { json: Record<string, unknown> }): Rejection[] => (item.json._invalid as { reasons: Rejection[] }).reasons;

describe('a Debezium update changing the Doris key', () => {
	const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
	after(() => pool.close());
	const mapper = new RowMapper(table, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true });
	const changing = { op: 'u', before: { id: 1, email: 'a@x', name: 'Ann' }, after: { id: 1, email: 'b@x', name: 'Ann' }, source: { connector: 'mysql' } };

	it('goes to Invalid (key_changed) naming the column and both values, per item, packed and in a worker thread', async () => {
		const routed = routeItems([{ json: changing }], mapper, labels);
		assert.deepEqual(routed.rows, []);
		const [reason] = reasonsOf(routed.invalid[0]);
		assert.equal(reason.rule, 'key_changed');
		assert.equal(reason.column, 'email');
		assert.equal(reason.value, 'b@x');
		assert.match(reason.message, /this update changes the key of demo\.users_by_email \(email "a@x" → "b@x"\): .*keep the row of the old one/);
		const packed: PackedRows = { jsonLines: `${JSON.stringify(changing)}\n`, count: 1, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 }] };
		const inThread = routePacked(packed, mapper, labels, 0);
		assert.deepEqual(reasonsOf(inThread.invalid[0]), reasonsOf(routed.invalid[0]));
		assert.deepEqual(await pool.route(packed, mapper, labels, 0), inThread, 'a worker thread gives the same output');
	});

	it('in a {schema, payload} envelope too; an update keeping its key, one without a before, and a create load', () => {
		const field = (name: string, type: string) => ({ type, optional: true, field: name });
		const rowSchema = (name: string) => ({ type: 'struct', optional: true, field: name, fields: [field('id', 'int64'), field('email', 'string'), field('name', 'string')] });
		const r = mapper.map({ schema: { type: 'struct', fields: [rowSchema('before'), rowSchema('after'), field('op', 'string')] }, payload: changing });
		assert.equal(r.ok, false);
		if (!r.ok) assert.deepEqual(r.reasons.map((x) => x.rule), ['key_changed']);
		const keeping = { op: 'u', before: { id: 1, email: 'a@x', name: 'Ann' }, after: { id: 1, email: 'a@x', name: 'Anna' } };
		assert.deepEqual(mapper.map(keeping), { ok: true, row: { email: 'a@x', id: 1, name: 'Anna', [DELETE_SIGN_COLUMN]: 0 } });
		assert.equal(mapper.map({ ...changing, before: null }).ok, true, 'PostgreSQL DEFAULT identity: no before, nothing to compare');
		assert.equal(mapper.map({ ...changing, op: 'c', before: null }).ok, true);
		assert.equal(mapper.map({ ...changing, before: { id: 1, name: 'Ann' } }).ok, true, 'a before without the key field says nothing of it');
	});
});
