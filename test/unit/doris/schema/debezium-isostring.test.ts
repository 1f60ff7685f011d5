/**
 * Debezium 3.1's time.precision.mode=isostring through the Doris Schema node (review session 20, F8): a
 * zone-less MySQL DATETIME / PostgreSQL TIMESTAMP comes as io.debezium.time.IsoTimestamp, the wall clock
 * tagged `Z`; read as an instant it was shifted into the node's Time Zone (06:37:03 loaded 14:37:03 in
 * Asia/Shanghai), and an IsoTime loaded "06:37:03Z" into a VARCHAR. Per item, packed and in a worker
 * thread alike.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN, type PackedRows } from '../../../../src/common/item-contract';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool } from '../../../../src/doris/schema/packed-worker-pool';
import { routeItems } from '../../../../src/doris/schema/route-items';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';

const table = manualSchema('demo', 'o', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'created', type: 'DATETIME(6)' },
	{ name: 'day', type: 'DATE' },
	{ name: 'at', type: 'VARCHAR(20)' },
	{ name: 'paid', type: 'DATETIME' },
]);
const rowSchema = (field: string) => ({
	type: 'struct',
	optional: true,
	field,
	fields: [
		{ type: 'int64', optional: false, field: 'id' },
		{ type: 'string', optional: true, field: 'created', name: 'io.debezium.time.IsoTimestamp', version: 1 },
		{ type: 'string', optional: true, field: 'day', name: 'io.debezium.time.IsoDate', version: 1 },
		{ type: 'string', optional: true, field: 'at', name: 'io.debezium.time.IsoTime', version: 1 },
		// timestamptz stays ZonedTimestamp under isostring: an instant, converted into Time Zone.
		{ type: 'string', optional: true, field: 'paid', name: 'io.debezium.time.ZonedTimestamp', version: 1 },
	],
});
const event = {
	schema: { type: 'struct', fields: [rowSchema('before'), rowSchema('after'), { type: 'string', field: 'op' }] },
	payload: { op: 'c', before: null, after: { id: 1, created: '2018-06-20T06:37:03.123456Z', day: '2018-06-20Z', at: '06:37:03Z', paid: '2018-06-20T06:37:03Z' } },
};
const labels = { workflow: 'w', node: 'n' };

describe('time.precision.mode=isostring', () => {
	const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
	after(() => pool.close());

	it('loads the wall clock as written whatever the Time Zone, the time without its offset; ZonedTimestamp still converted', async () => {
		const mapper = new RowMapper(table, { ...DEFAULT_ROW_MAPPER_OPTIONS, cdc: true, dates: { timeZone: 'Asia/Shanghai', epochUnit: 'reject' } });
		const routed = routeItems([{ json: event }], mapper, labels);
		assert.deepEqual(routed.invalid, []);
		assert.deepEqual(routed.rows[0].json, { id: 1, created: '2018-06-20 06:37:03.123456', day: '2018-06-20', at: '06:37:03', paid: '2018-06-20 14:37:03', [DELETE_SIGN_COLUMN]: 0 });
		const packed: PackedRows = { jsonLines: `${JSON.stringify(event)}\n`, count: 1, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 }] };
		const inThread = routePacked(packed, mapper, labels, 0);
		assert.equal(inThread.packed?.jsonLines, `${JSON.stringify(routed.rows[0].json)}\n`);
		assert.deepEqual(await pool.route(packed, mapper, labels, 0), inThread, 'a worker thread gives the same output');
	});
});
