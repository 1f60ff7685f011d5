// A packed line's own `_kafka` or `_doris` (src/doris/schema/reserved-line-fields.ts): the Doris nodes keep
// those names for an item's own information and read them only at an item's top level, so the Doris Schema
// node leaves them out of the line's row. It did so without a word, not even counted as a field no column
// takes (Unknown Fields: Reject let it through too): a row's own data dropped unseen. Now counted with the
// unmatched fields and told once per execution, naming the field, the table and why.
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
		for (const unknownFields of ['ignore', 'reject'] as const) {
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
});
