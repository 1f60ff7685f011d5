// Mapping that follows the table (src/doris/schema/drift.ts): what makes it re-read the schema, that
// it maps again with new columns, that a field it already knows is unmatched asks nothing more, and
// that invalid items are counted once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { mapItemsFollowingSchema, type SchemaSource } from '../../../../src/doris/schema/drift';
import { manualSchema, type ManualColumn } from '../../../../src/doris/schema/manual';
import { closePackedWorkers } from '../../../../src/doris/schema/packed-worker-pool';
import { DEFAULT_ROW_MAPPER_OPTIONS, rowMapperFor } from '../../../../src/doris/schema/row-mapper';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../../src/common/item-contract';
import type { TableSchema } from '../../../../src/doris/schema/types';
import { metrics } from '../../../../src/metrics/metrics';

/** A table whose columns the test changes; each read makes a new schema object, as a read from Doris does. `reads` counts re-reads. */
function table(name: string, columns: ManualColumn[]) {
	let current = columns;
	let held: TableSchema = manualSchema('db', name, columns);
	const state = { reads: 0 };
	const source: SchemaSource = {
		current: async () => rowMapperFor(held, DEFAULT_ROW_MAPPER_OPTIONS),
		reread: async () => {
			state.reads++;
			held = manualSchema('db', name, current);
			return rowMapperFor(held, DEFAULT_ROW_MAPPER_OPTIONS);
		},
	};
	const alter = (next: ManualColumn[]) => (current = next);
	return { source, state, alter };
}
const options = (workflow: string) => ({ labels: { workflow, node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false });
const counter = async (name: 'rowsInvalid' | 'fieldsUnmatched', workflow: string) =>
	(await metrics[name].get()).values.filter((v) => v.labels.workflow === workflow).reduce((s, v) => s + v.value, 0);

describe('mapItemsFollowingSchema', () => {
	it('a new field re-reads the schema once; with the column added the rows carry it', async () => {
		const t = table('t1', [{ name: 'id', type: 'INT' }]);
		t.alter([{ name: 'id', type: 'INT' }, { name: 'extra', type: 'VARCHAR(8)' }]);
		const routed = await mapItemsFollowingSchema([{ json: { id: 1, extra: 'x' } }], t.source, options('w1'));
		assert.deepEqual(routed.rows.map((r) => r.json), [{ id: 1, extra: 'x' }]);
		assert.equal(t.state.reads, 1);
	});

	it('a field that matches no column after a re-read is counted, and asks for no more re-reads', async () => {
		const t = table('t2', [{ name: 'id', type: 'INT' }]);
		await mapItemsFollowingSchema([{ json: { id: 1, junk: 1 } }], t.source, options('w2'));
		await mapItemsFollowingSchema([{ json: { id: 2, junk: 2 } }, { json: { id: 3, junk: 3 } }], t.source, options('w2'));
		assert.equal(t.state.reads, 1, 'only the first sight of "junk" re-reads');
		assert.equal(await counter('fieldsUnmatched', 'w2'), 3);
	});

	it('an item invalid for a reason a wider column takes is mapped again after the re-read; counted once either way', async () => {
		const t = table('t3', [{ name: 'id', type: 'INT' }, { name: 'v', type: 'VARCHAR(4)' }]);
		t.alter([{ name: 'id', type: 'INT' }, { name: 'v', type: 'VARCHAR(32)' }]);
		const widened = await mapItemsFollowingSchema([{ json: { id: 1, v: 'longer than four' } }], t.source, options('w3'));
		assert.deepEqual([widened.rows.length, widened.invalid.length], [1, 0]);
		assert.equal(await counter('rowsInvalid', 'w3'), 0, 'not counted as invalid: it was not');
		const still = await mapItemsFollowingSchema([{ json: { id: 2, v: 'x'.repeat(40) } }], t.source, options('w3'));
		assert.equal(still.invalid.length, 1);
		assert.equal(await counter('rowsInvalid', 'w3'), 1);
	});

	it('a source that cannot re-read (too soon) keeps the schema in hand', async () => {
		const schema = manualSchema('db', 't4', [{ name: 'id', type: 'INT' }]);
		const source: SchemaSource = { current: async () => rowMapperFor(schema, DEFAULT_ROW_MAPPER_OPTIONS), reread: async () => undefined };
		const routed = await mapItemsFollowingSchema([{ json: { id: 'x' } }], source, options('w4'));
		assert.equal(routed.invalid.length, 1);
	});

	// A packed item of 2,000 lines (over the worker threshold) whose field appears from line 500 on:
	// in a worker thread or not, the table is re-read and every line after 500 carries the field.
	for (const workerThreads of [0, 1]) {
		it(`packed lines, Worker Threads ${workerThreads}: a field appearing from line 500 re-reads the schema and every row carries it`, async () => {
			const workflow = `w5-${workerThreads}`;
			const t = table(`t5${workerThreads}`, [{ name: 'id', type: 'INT' }]);
			t.alter([{ name: 'id', type: 'INT' }, { name: 'extra', type: 'VARCHAR(8)' }]);
			const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify(i >= 500 ? { id: i, extra: 'x' } : { id: i }));
			const packed: PackedRows = { jsonLines: lines.join('\n') + '\n', count: 2000, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '1999', lines: 2000 }] };
			const routed = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed } }], t.source, { ...options(workflow), workerThreads });
			const out = (routed.rows[0].json[PACKED_ROWS_FIELD] as PackedRows).jsonLines.split('\n').filter((l) => l !== '');
			assert.equal(t.state.reads, 1);
			assert.equal(out.filter((l) => (JSON.parse(l) as { extra?: string }).extra === 'x').length, 1500);
		});

		it(`packed lines, Worker Threads ${workerThreads}: fields that match no column are counted on every line`, async () => {
			const workflow = `w6-${workerThreads}`;
			const t = table(`t6${workerThreads}`, [{ name: 'id', type: 'INT' }]);
			const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify(i >= 500 ? { id: i, junk: 1 } : { id: i }));
			const packed: PackedRows = { jsonLines: lines.join('\n') + '\n', count: 2000, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '1999', lines: 2000 }] };
			await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed } }], t.source, { ...options(workflow), workerThreads });
			assert.equal(await counter('fieldsUnmatched', workflow), 1500);
		});
	}
	after(() => closePackedWorkers());
});
