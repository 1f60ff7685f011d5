// Add Kafka Fields (the trigger) puts its fields at the item's top level (on each line of a packed
// item). Doris Schema read only the Debezium envelope's after / before, a Source Path's target or a
// Connect payload there, so a `kafka_offset` column of a CDC table stayed NULL and the field was not
// even counted as unmatched. The trigger now names the fields it added (`_doris.kafkaFields`,
// `packedRows.doris.kafkaFields`), and the mapper takes them from the item's top level when the record
// is elsewhere; a record that has one of those names itself goes to Invalid, as a message's value does in the trigger.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DORIS_FIELD, PACKED_ROWS_FIELD, type PackedRows } from '../../../../src/common/item-contract';
import { readDorisInfo } from '../../../../src/common/doris-info';
import { parseJsonExact } from '../../../../src/common/exact-json';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { mapItemsToTargets } from '../../../../src/doris/schema/map-targets';
import { routePacked } from '../../../../src/doris/schema/route-packed';
import { PackedWorkerPool, routePackedParallel } from '../../../../src/doris/schema/packed-worker-pool';
import { INVALID_FIELD, routeItems, type InvalidInfo } from '../../../../src/doris/schema/route-items';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import { message, parse } from '../../kafka/message-support';

const schema = manualSchema('inv', 'customers', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'VARCHAR(20)' },
	{ name: 'kafka_offset', type: 'VARCHAR(20)' },
	{ name: 'kafka_topic', type: 'VARCHAR(20)' },
]);
const mapperWith = (o: Partial<RowMapperOptions>) => new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...o });
const marked = { [DORIS_FIELD]: { kafkaFields: ['kafka_offset', 'kafka_topic'] } };

function mapped(mapper: RowMapper, json: Record<string, unknown>): { row: unknown; unmatched: string[] } {
	const unmatched = new Map<string, number>();
	mapper.unmatchedSink = unmatched;
	const result = mapper.map(json);
	mapper.unmatchedSink = null;
	assert.ok(result.ok, JSON.stringify(result));
	return { row: result.row, unmatched: [...unmatched.keys()] };
}

describe('Add Kafka Fields reach rows read from elsewhere in the item', () => {
	it('Debezium envelope: the added fields join the after row (was: {id:1, sign 0}, the offset gone, not even unmatched)', () => {
		const item = { payload: { op: 'c', before: null, after: { id: 1, name: 'Ada' } }, kafka_offset: '42', kafka_topic: 'inv.customers', ...marked };
		assert.deepEqual(mapped(mapperWith({ cdc: true }), item), {
			row: { id: 1, name: 'Ada', kafka_offset: '42', kafka_topic: 'inv.customers', __DORIS_DELETE_SIGN__: 0 },
			unmatched: [],
		});
		// A delete reads before, with the fields too.
		const del = { payload: { op: 'd', before: { id: 1 }, after: null }, kafka_offset: '43', ...marked };
		assert.deepEqual(mapped(mapperWith({ cdc: true }), del).row, { id: 1, kafka_offset: '43', __DORIS_DELETE_SIGN__: 1 });
	});

	it('Source Path and a Connect payload: the same', () => {
		const item = { data: { row: { id: 2 } }, kafka_offset: '7', ...marked };
		assert.deepEqual(mapped(mapperWith({ sourcePath: 'data.row' }), item).row, { id: 2, kafka_offset: '7' });
		const connect = {
			schema: { type: 'struct', fields: [{ field: 'id', type: 'int64', optional: false }] },
			payload: { id: 3 },
			kafka_offset: '8',
			...marked,
		};
		assert.deepEqual(mapped(mapperWith({ sourcePath: 'payload' }), connect).row, { id: 3, kafka_offset: '8' });
	});

	it('a record that already has an added name goes to Invalid (reserved_field), naming the field, both values and where they come from, and the fix; the item stays as it came', () => {
		// Before, the record's value won without a word: one column held Kafka's value for some rows and the
		// payload's for others, as the trigger refuses for a value's own top level (60bbb9b).
		const item = { payload: { op: 'c', before: null, after: { id: 1, kafka_offset: 'own' } }, name: 'envelope level', kafka_offset: '42', ...marked };
		const copy = structuredClone(item);
		const refused = mapperWith({ cdc: true }).map(item);
		assert.equal(refused.ok, false);
		const reasons = refused.ok ? [] : refused.reasons;
		assert.deepEqual(reasons.map((r) => [r.rule, r.column, r.value]), [['reserved_field', 'kafka_offset', 'own']]);
		assert.match(reasons[0].message, /^the record \(the Debezium envelope's "after"\) has the field "kafka_offset" \("own"\), which the Kafka Trigger's Add Kafka Fields also sets at the item's top level \("42"; named in _doris\.kafkaFields\)/);
		assert.match(reasons[0].message, /rename the field in Add Kafka Fields or upstream/);
		assert.deepEqual(item, copy, 'the item is not changed');
		// A delete's before, a Source Path's target, a null of its own: the same.
		const del = mapperWith({ cdc: true }).map({ payload: { op: 'd', before: { id: 1, kafka_topic: null }, after: null }, kafka_topic: 't', ...marked });
		assert.deepEqual(del.ok ? [] : del.reasons.map((r) => [r.rule, r.column, r.value]), [['reserved_field', 'kafka_topic', null]]);
		assert.match(del.ok ? '' : del.reasons[0].message, /^the record \(the Debezium envelope's "before"\) has the field "kafka_topic" \(null\), which .* \("t"; named/);
		const path = mapperWith({ sourcePath: 'data.row' }).map({ data: { row: { id: 2, kafka_offset: 9 } }, kafka_offset: '7', ...marked });
		assert.match(path.ok ? '' : path.reasons[0].message, /^the record \(at Source Path "data\.row"\) has the field "kafka_offset" \(9\)/);
		// Without the trigger's mark nothing is taken from the top level, as before.
		const unmarked = { payload: { op: 'c', before: null, after: { id: 1 } }, kafka_offset: '42' };
		assert.deepEqual(mapped(mapperWith({ cdc: true }), unmarked).row, { id: 1, __DORIS_DELETE_SIGN__: 0 });
	});

	it('the same per message, packed in this thread and packed in a worker thread, from the trigger on', async () => {
		const kafkaFields = [{ source: 'offset' as const, name: 'kafka_offset' }];
		const values = [{ id: 5 }, { id: 6, kafka_offset: 'own' }].map((after) => JSON.stringify({ payload: { op: 'c', before: null, after } }));
		const perMessage = parse({ kafkaFields }, values.map((v, k) => message(12 + k, v))).items.map((i) => ({ json: i.json as Record<string, unknown> }));
		const routed = routeItems(perMessage, mapperWith({ cdc: true }), { workflow: 'wf', node: 'Doris Schema' });
		assert.deepEqual(routed.rows.map((r) => r.json), [{ id: 5, kafka_offset: '12', __DORIS_DELETE_SIGN__: 0 }]);
		const rulesOf = (invalid: ReadonlyArray<{ json: Record<string, unknown> }>) => invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${r.column}`).join());
		assert.deepEqual(rulesOf(routed.invalid), ['reserved_field kafka_offset']);
		const packed = parse({ output: 'batch', kafkaFields }, values.map((v, k) => message(12 + k, v))).items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows;
		const pool = new PackedWorkerPool({ size: 1, minLines: 0 });
		try {
			for (const via of [null, pool]) {
				const result = await routePackedParallel(packed, mapperWith({ cdc: true }), { workflow: 'wf', node: 'Doris Schema' }, 0, via);
				assert.equal(result.packed?.jsonLines, '{"id":5,"kafka_offset":"12","__DORIS_DELETE_SIGN__":0}\n', via === null ? 'here' : 'worker');
				assert.deepEqual(rulesOf(result.invalid), ['reserved_field kafka_offset']);
				assert.deepEqual(result.invalid[0].json._kafka, { topic: 'orders', partition: 2, offset: '13', line: 1 });
			}
		} finally {
			await pool.close();
		}
	});

	it('an added field no column takes is an unknown field like any other (counted; refused under Unknown Fields: Reject)', () => {
		const item = { payload: { op: 'c', before: null, after: { id: 1 } }, src_partition: 2, [DORIS_FIELD]: { kafkaFields: ['src_partition'] } };
		assert.deepEqual(mapped(mapperWith({ cdc: true }), item).unmatched, ['src_partition']);
		const refused = mapperWith({ cdc: true, unknownFields: 'reject' }).map(item);
		assert.equal(refused.ok, false);
		assert.match(JSON.stringify(!refused.ok && refused.reasons), /src_partition/);
	});

	it('the trigger marks what it added, per message and per packed item, and the Schema node reads it: a CDC table gets the offset', () => {
		const value = JSON.stringify({ payload: { op: 'c', before: null, after: { id: 5 } } });
		const kafkaFields = [{ source: 'offset' as const, name: 'kafka_offset' }];
		const perMessage = parse({ kafkaFields }, [message(12, value)]).items[0].json;
		assert.deepEqual(perMessage[DORIS_FIELD], { kafkaFields: ['kafka_offset'] });
		assert.deepEqual(mapped(mapperWith({ cdc: true }), perMessage).row, { id: 5, kafka_offset: '12', __DORIS_DELETE_SIGN__: 0 });

		const batch = parse({ output: 'batch', kafkaFields }, [message(12, value), message(13, value.replace('5', '6'))]).items[0].json;
		const packed = batch[PACKED_ROWS_FIELD] as unknown as PackedRows;
		assert.deepEqual(packed.doris, { kafkaFields: ['kafka_offset'] });
		const routed = routePacked(packed, mapperWith({ cdc: true }), { workflow: 'wf', node: 'Doris Schema' }, 0);
		assert.deepEqual(routed.invalid, []);
		assert.deepEqual(
			routed.packed?.jsonLines.trimEnd().split('\n').map((line) => parseJsonExact(line)),
			[
				{ id: 5, kafka_offset: '12', __DORIS_DELETE_SIGN__: 0 },
				{ id: 6, kafka_offset: '13', __DORIS_DELETE_SIGN__: 0 },
			],
		);
	});

	it('Map Rows to Tables: a packed item split by topic keeps the mark on each part', async () => {
		const value = (id: number) => JSON.stringify({ payload: { op: 'c', before: null, after: { id } } });
		const kafkaFields = [{ source: 'offset' as const, name: 'kafka_offset' }];
		const packed = parse({ output: 'batch', kafkaFields }, [message(3, value(1)), message(4, value(2))]).items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows;
		// Two topics, so the item is split into one part per table.
		packed.sources = [
			{ topic: 'a', partition: 0, firstOffset: '3', lastOffset: '3', lines: 1 },
			{ topic: 'b', partition: 0, firstOffset: '4', lastOffset: '4', lines: 1 },
		];
		const routed = await mapItemsToTargets(
			[{ json: { [PACKED_ROWS_FIELD]: packed } as unknown as Record<string, unknown> }],
			{
				rules: { database: { kind: 'parameter' }, table: { kind: 'topic' } },
				parameters: () => ({ database: 'inv', table: '' }),
				tagTargets: true,
				mapperFor: async () => mapperWith({ cdc: true }),
			},
			{ labels: { workflow: 'wf', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false },
		);
		assert.deepEqual(routed.invalid, []);
		const rows = routed.rows.flatMap((r) => (r.json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines.trimEnd().split('\n').map((line) => parseJsonExact(line)));
		assert.deepEqual(rows, [
			{ id: 1, kafka_offset: '3', __DORIS_DELETE_SIGN__: 0 },
			{ id: 2, kafka_offset: '4', __DORIS_DELETE_SIGN__: 0 },
		]);
	});

	it('a broken mark is refused naming it, as any broken _doris is', () => {
		assert.match(String(readDorisInfo({ kafkaFields: 'kafka_offset' })), /_doris\.kafkaFields must be a list of field names, not "kafka_offset"/);
		assert.match(String(readDorisInfo({ kafkaFields: ['a', 3] }, 'packedRows.doris')), /packedRows\.doris\.kafkaFields must be a list of field names, not an array/);
		assert.deepEqual(readDorisInfo({ kafkaFields: ['a'] }), { kafkaFields: ['a'] });
	});
});
