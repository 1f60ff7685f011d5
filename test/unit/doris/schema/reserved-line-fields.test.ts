// A packed line's own `_kafka` or `_doris` (src/doris/schema/reserved-line-fields.ts): the Doris nodes keep
// those names for an item's own information and read them only at an item's top level, so the Doris Schema
// node leaves them out of the line's row. It did so without a word, not even counted as a field no column
// takes (Unknown Fields: Reject let it through too): a row's own data dropped unseen. Now counted with the
// unmatched fields and told once per execution, naming the field, the table and why.
// Session 17 (review of session 16, section 6): under Unknown Fields "Reject", where the user asked that no
// field be dropped, such a row goes to Invalid instead (rule unknown_field), naming the field, its value
// (shortened) and why, as any other field no column takes; with One Item per Message the trigger leaves the
// value's own field out of its item and says so in the item's `_doris.ownFields`, which the node reads the
// same way. A real dead letter is refused under Reject already, for its `_invalid`, before and after.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { PACKED_ROWS_FIELD, type PackedRows } from '../../../../src/common/item-contract';
import { mapItemsFollowingSchema, type SchemaSource } from '../../../../src/doris/schema/drift';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { closePackedWorkers } from '../../../../src/doris/schema/packed-worker-pool';
import { DEFAULT_ROW_MAPPER_OPTIONS, rowMapperFor } from '../../../../src/doris/schema/row-mapper';
import type { UnknownFieldPolicy } from '../../../../src/doris/schema/row-mapper-options';
import { metrics } from '../../../../src/metrics/metrics';

after(closePackedWorkers);

function source(table: string, unknownFields: UnknownFieldPolicy, columns = [{ name: 'id', type: 'INT' }, { name: 'v', type: 'VARCHAR(8)' }]): SchemaSource {
	const schema = manualSchema('db', table, columns);
	const mapper = rowMapperFor(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, unknownFields });
	return { current: async () => mapper, reread: async () => mapper };
}

/** A packed item of `n` lines {id, v}; every 10th also has `_kafka` (a dead letter's position) and every 20th `_doris`. */
function packedItem(n: number): { json: Record<string, unknown> } {
	const lines = Array.from({ length: n }, (_, i) => {
		const row: Record<string, unknown> = { id: i, v: 'x' };
		if (i % 10 === 0) row._kafka = { topic: 'orders', partition: 0, offset: String(i) };
		if (i % 20 === 0) row._doris = { table: 'old' };
		return JSON.stringify(row);
	});
	const packed: PackedRows = { jsonLines: `${lines.join('\n')}\n`, count: n, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(n - 1), lines: n }] };
	return { json: { [PACKED_ROWS_FIELD]: packed } };
}

const unmatched = async (workflow: string) =>
	(await metrics.fieldsUnmatched.get()).values.filter((v) => v.labels.workflow === workflow).reduce((s, v) => s + v.value, 0);

describe('Doris Schema: a packed line\'s own _kafka / _doris', () => {
	// 2,000 lines: over the worker threshold, so Worker Threads 1 maps them in a worker.
	for (const workerThreads of [0, 1]) {
		for (const unknownFields of ['ignore'] as const) {
			it(`Worker Threads ${workerThreads}, Unknown Fields ${unknownFields}: rows load without them, counted, one warning per execution and field naming it, the table and why`, async () => {
				const workflow = `reserved-${workerThreads}-${unknownFields}`;
				const warnings: string[] = [];
				const options = { labels: { workflow, node: 'Doris Schema' }, workerThreads, continueOnFail: false, warn: (m: string) => warnings.push(m) };
				const routed = await mapItemsFollowingSchema([packedItem(2000)], source(`t_${workerThreads}_${unknownFields}`, unknownFields), options);
				assert.equal(routed.invalid.length, 0, 'a dead letter replayed through the trigger still loads');
				const out = (routed.rows[0].json[PACKED_ROWS_FIELD] as PackedRows).jsonLines.split('\n').filter((l) => l !== '');
				assert.equal(out.length, 2000);
				assert.deepEqual(JSON.parse(out[0]), { id: 0, v: 'x' });
				assert.equal(warnings.length, 2, warnings.join('\n'));
				assert.match(warnings.find((w) => w.includes('"_kafka"')) ?? '', /^Doris Schema: 200 line\(s\) of packed items for db\.t_\S+ have their own top-level "_kafka" field.*not loaded.*dead letter/);
				assert.match(warnings.find((w) => w.includes('"_doris"')) ?? '', /^Doris Schema: 100 line\(s\) of packed items for db\.t_\S+ have their own top-level "_doris" field/);
				assert.equal(await unmatched(workflow), 300);
			});
		}
	}

	for (const workerThreads of [0, 1]) {
		it(`Worker Threads ${workerThreads}, Unknown Fields reject: a line with its own _kafka / _doris goes to Invalid naming the field, its value and the rule; the others load`, async () => {
			const workflow = `reserved-${workerThreads}-reject`;
			const warnings: string[] = [];
			const options = { labels: { workflow, node: 'Doris Schema' }, workerThreads, continueOnFail: false, warn: (m: string) => warnings.push(m) };
			const routed = await mapItemsFollowingSchema([packedItem(2000)], source(`t_${workerThreads}_reject`, 'reject'), options);
			assert.equal(routed.invalid.length, 200, 'every 10th line');
			const out = (routed.rows[0].json[PACKED_ROWS_FIELD] as PackedRows).jsonLines.split('\n').filter((l) => l !== '');
			assert.equal(out.length, 1800);
			const first = routed.invalid[0].json;
			assert.deepEqual(first._kafka, { topic: 't', partition: 0, offset: '0', line: 0 }, 'the invalid item says where the line came from');
			const reasons = (first._invalid as { reasons: Array<Record<string, unknown>> }).reasons;
			assert.deepEqual(
				reasons.map((r) => [r.rule, r.column, r.value]),
				[
					['unknown_field', null, { topic: 'orders', partition: 0, offset: '0' }],
					['unknown_field', null, { table: 'old' }],
				],
			);
			assert.match(String(reasons[0].message), /^field "_kafka" matches no column: the Doris nodes keep the name "_kafka" for an item's own Kafka position .* and never load it from a row; Unknown Fields is Reject, so the row is not loaded without it\. Rename the field upstream; a dead letter replayed through the Kafka trigger carries "_kafka" and "_doris" from its first pass/);
			assert.deepEqual(warnings, [], 'the reason says it: no "not loaded" warning');
		});
	}

	it('Unknown Fields reject: a long value is shortened in the reason (the item keeps all of it)', async () => {
		const options = { labels: { workflow: 'reserved-long', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false };
		const line = JSON.stringify({ id: 1, v: 'x', _doris: { table: 'x'.repeat(500) } });
		const packed: PackedRows = { jsonLines: `${line}\n`, count: 1, sources: [] };
		const routed = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed } }], source('t_long', 'reject'), options);
		const reason = (routed.invalid[0].json._invalid as { reasons: Array<Record<string, unknown>> }).reasons[0];
		assert.equal(typeof reason.value, 'string');
		assert.ok(String(reason.value).length <= 201 && String(reason.value).startsWith('{"table":"xxx') && String(reason.value).endsWith('…'), String(reason.value));
		assert.deepEqual(routed.invalid[0].json._doris, { table: 'x'.repeat(500) });
	});

	it('Unknown Fields reject, One Item per Message: the field the trigger left out of the item (its _doris.ownFields) refuses the item the same way; Ignore loads it', async () => {
		const item = () => ({ json: { id: 1, v: 'x', _doris: { ownFields: { _kafka: { topic: 'elsewhere', partition: 0, offset: '9' } } } } });
		const options = { labels: { workflow: 'reserved-message', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false };
		const refused = await mapItemsFollowingSchema([item()], source('t_message_reject', 'reject'), options);
		assert.equal(refused.rows.length, 0);
		const reasons = (refused.invalid[0].json._invalid as { reasons: Array<Record<string, unknown>> }).reasons;
		assert.deepEqual(reasons.map((r) => [r.rule, r.value]), [['unknown_field', { topic: 'elsewhere', partition: 0, offset: '9' }]]);
		assert.match(String(reasons[0].message), /^field "_kafka" matches no column/);
		const loaded = await mapItemsFollowingSchema([item()], source('t_message_ignore', 'ignore'), options);
		assert.deepEqual([loaded.rows.length, loaded.invalid.length], [1, 0]);
	});

	it('Unknown Fields reject, a record read from inside the line (Source Path): its top-level _kafka is no field of the row, as the envelope\'s others are not', async () => {
		const schema = manualSchema('db', 't_path', [{ name: 'id', type: 'INT' }]);
		const mapper = rowMapperFor(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, unknownFields: 'reject', sourcePath: 'data' });
		const packed: PackedRows = { jsonLines: '{"data":{"id":1},"_kafka":{"topic":"x"}}\n', count: 1, sources: [] };
		const options = { labels: { workflow: 'reserved-path', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false };
		const routed = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed } }], { current: async () => mapper, reread: async () => mapper }, options);
		assert.equal(routed.invalid.length, 0);
	});

	it('a real dead letter (with its _invalid) replayed under Reject goes to Invalid for its _invalid, as before; under Ignore it loads', async () => {
		const deadLetter = JSON.stringify({ id: 1, v: 'x', _kafka: { topic: 'orders', partition: 0, offset: '3' }, _invalid: { table: 'db.t', reasons: [] } });
		const packed = (): PackedRows => ({ jsonLines: `${deadLetter}\n`, count: 1, sources: [] });
		const options = { labels: { workflow: 'reserved-dead', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false };
		const rejected = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed() } }], source('t_dead_reject', 'reject'), options);
		const reasons = (rejected.invalid[0].json._invalid as { reasons: Array<Record<string, unknown>> }).reasons;
		assert.ok(reasons.some((r) => String(r.message).startsWith('field "_invalid" matches no column')));
		const ignored = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed() } }], source('t_dead_ignore', 'ignore'), options);
		assert.equal(ignored.invalid.length, 0);
	});

	it('an item\'s _kafka and _doris (the trigger\'s, the contract) are no row\'s data: no warning', async () => {
		const warnings: string[] = [];
		const options = { labels: { workflow: 'reserved-items', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false, warn: (m: string) => warnings.push(m) };
		const item = { json: { id: 1, v: 'x', _kafka: { topic: 't', partition: 0, offset: '5' }, _doris: { loadBy: Date.now() + 60_000 } } };
		const routed = await mapItemsFollowingSchema([item], source('t_items', 'reject'), options);
		assert.equal(routed.rows.length, 1);
		assert.deepEqual(warnings, []);
	});

	it('a table with a column of that name takes the line\'s value: no warning', async () => {
		const warnings: string[] = [];
		const options = { labels: { workflow: 'reserved-column', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false, warn: (m: string) => warnings.push(m) };
		const columns = [{ name: 'id', type: 'INT' }, { name: '_kafka', type: 'JSON' }];
		const packed: PackedRows = { jsonLines: '{"id":1,"_kafka":{"a":1}}\n', count: 1, sources: [] };
		const routed = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed } }], source('t_column', 'ignore', columns), options);
		assert.equal((routed.rows[0].json[PACKED_ROWS_FIELD] as PackedRows).jsonLines, '{"id":1,"_kafka":"{\\"a\\":1}"}\n');
		assert.deepEqual(warnings, []);
	});

	// Review session 17, leftover 3: per message such a column got the item's information (`{"ownFields":…}`,
	// the Add Kafka Fields names) or nothing, never the message's value; packed, the output line lost it.
	it('a table column named _doris takes the row\'s own value: per message from _doris.ownFields (the row carries it there), packed from the line', async () => {
		const columns = [{ name: 'id', type: 'INT' }, { name: '_doris', type: 'VARCHAR(32)' }];
		const options = { labels: { workflow: 'reserved-doris-column', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false };
		const items = [
			{ json: { id: 1, _doris: { loadBy: 5, ownFields: { _doris: 'own' } } } },
			{ json: { id: 2, _doris: { kafkaFields: ['id'] } } },
			{ json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":3,"_doris":"line"}\n', count: 1, sources: [] } } },
		];
		for (const unknownFields of ['ignore', 'reject'] as const) {
			const routed = await mapItemsFollowingSchema(items, source(`t_doris_column_${unknownFields}`, unknownFields, columns), options);
			const [one, two, three] = routed.rows.map((r) => r.json);
			assert.deepEqual(one, { id: 1, _doris: { loadBy: 5, ownFields: { _doris: 'own' } } });
			assert.deepEqual(two, { id: 2 }, 'no value: none, never the item\'s information');
			assert.equal((three[PACKED_ROWS_FIELD] as PackedRows).jsonLines, '{"id":3,"_doris":"line"}\n');
		}
	});
});
