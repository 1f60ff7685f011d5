// The mapper counts a record's fields that fill no column (how a column added to the table first shows,
// drift-signals.ts). Its cheap first test compares the record's keys with the columns filled; an item's
// own `_doris` and `_kafka` (on every item of One Item per Message) are left out of that count unless a
// column reads them, and columns that may read one key between them (Field Mappings from `a.b` and `a.c`)
// count as one. Whatever the count, a field no column takes is counted, and nothing else is: per message,
// and on packed lines in this thread or a worker's, where it also makes the node re-read the table.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import fc from 'fast-check';

import { PACKED_ROWS_FIELD, type PackedRows } from '../../../../src/common/item-contract';
import { mapItemsFollowingSchema, type SchemaSource } from '../../../../src/doris/schema/drift';
import { manualSchema, type ManualColumn } from '../../../../src/doris/schema/manual';
import { PackedWorkerPool, closePackedWorkers, routePackedParallel } from '../../../../src/doris/schema/packed-worker-pool';
import { routePackedCountingUnmatched } from '../../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, rowMapperFor, type RowMapperOptions } from '../../../../src/doris/schema/row-mapper';
import { metrics } from '../../../../src/metrics/metrics';
import { labels, pack } from './packed-support';

const columns = [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'STRING' },
];

function unmatchedOf(m: RowMapper, json: Record<string, unknown>): Record<string, number> {
	const unmatched = new Map<string, number>();
	m.unmatchedSink = unmatched;
	try {
		assert.equal(m.mapItem(json).ok, true);
		return Object.fromEntries(unmatched);
	} finally {
		m.unmatchedSink = null;
	}
}

const mapper = (extra: typeof columns = [], options: Partial<RowMapperOptions> = {}) => new RowMapper(manualSchema('d', 't', [...columns, ...extra]), { ...DEFAULT_ROW_MAPPER_OPTIONS, ...options });
const info = { _doris: { loadBy: 1 }, _kafka: { topic: 't', partition: 0, offset: '7' } };

describe('fields no column takes, beside an item’s own `_doris` and `_kafka`', () => {
	it('are counted when every column is filled, and the item’s own fields are not', () => {
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, name: 'a', ...info }), {});
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, name: 'a', extra: 2, ...info }), { extra: 1 });
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, name: 'a', _doris: { loadBy: 1 }, extra: 2 }), { extra: 1 });
		assert.deepEqual(unmatchedOf(mapper(), { id: 1, extra: 2, ...info }), { extra: 1 });
	});

	it('are counted when a column reads `_doris` or `_kafka` (its own name, another case, a Field Mapping)', () => {
		const readers = [
			mapper([{ name: '_doris', type: 'JSON' }]),
			mapper([{ name: '_Kafka', type: 'JSON' }]),
			mapper([{ name: 'topic', type: 'STRING' }], { mapping: [{ field: '_kafka.topic', column: 'topic' }] }),
		];
		for (const m of readers) {
			assert.deepEqual(unmatchedOf(m, { id: 1, name: 'a', extra: 2, ...info }), { extra: 1 });
			assert.deepEqual(unmatchedOf(m, { id: 1, name: 'a', ...info }), {});
		}
	});
});

/** Tables whose Field Mappings read one key between two columns, each with a record showing it, and the row it maps to. */
const sharing: Array<{ name: string; columns: ManualColumn[]; mapping: RowMapperOptions['mapping']; record: Record<string, unknown>; row: Record<string, unknown> }> = [
	{
		name: 'two Field Mappings from one object (`a.b`, `a.c`)',
		columns: [
			{ name: 'col_b', type: 'INT' },
			{ name: 'col_c', type: 'INT' },
		],
		mapping: [
			{ field: 'a.b', column: 'col_b' },
			{ field: 'a.c', column: 'col_c' },
		],
		record: { a: { b: 1, c: 2 } },
		row: { col_b: 1, col_c: 2 },
	},
	{
		name: 'a column `a` and a Field Mapping from `a.b`',
		columns: [
			{ name: 'a', type: 'JSON' },
			{ name: 'col_b', type: 'INT' },
		],
		mapping: [{ field: 'a.b', column: 'col_b' }],
		record: { a: { b: 1 } },
		row: { a: '{"b":1}', col_b: 1 },
	},
	{
		name: 'a Field Mapping from a column’s own field (`name` into `name2` too)',
		columns: [
			{ name: 'name', type: 'STRING' },
			{ name: 'name2', type: 'STRING' },
		],
		mapping: [{ field: 'name', column: 'name2' }],
		record: { name: 'x' },
		row: { name: 'x', name2: 'x' },
	},
];
const sharingMapper = (c: (typeof sharing)[number]) => rowMapperFor(manualSchema('d', 'shared', c.columns), { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: c.mapping });

describe('columns that read one key between them', () => {
	const pools: PackedWorkerPool[] = [];
	after(async () => {
		await Promise.all(pools.map((p) => p.close()));
		await closePackedWorkers();
	});

	it('per message: a field no column takes beside them is counted; the row is the same', () => {
		for (const c of sharing) {
			const m = sharingMapper(c);
			assert.deepEqual(unmatchedOf(m, c.record), {}, c.name);
			assert.deepEqual(unmatchedOf(m, { ...c.record, extra: 3 }), { extra: 1 }, c.name);
			assert.deepEqual(unmatchedOf(m, { ...c.record, extra: 3, ...info }), { extra: 1 }, c.name);
			assert.deepEqual(m.map({ ...c.record, extra: 3 }), { ok: true, row: c.row }, c.name);
		}
	});

	it('property: exactly the keys map() neither reads nor ignores are counted, whichever columns a record fills', () => {
		const mappers = [...sharing.map(sharingMapper), mapper()];
		const value = fc.oneof(fc.integer(), fc.constant(null), fc.string({ maxLength: 3 }), fc.record({ b: fc.integer(), c: fc.integer() }, { requiredKeys: [] }));
		const record = fc.dictionary(fc.constantFrom('a', 'a.b', 'name', 'name2', 'col_b', 'col_c', 'id', 'extra', 'more', '_doris', '_kafka'), value);
		fc.assert(
			fc.property(record, fc.nat(mappers.length - 1), (rec, which) => {
				const m = mappers[which];
				const counted = new Map<string, number>();
				m.unmatchedSink = counted;
				try {
					m.map(rec);
				} finally {
					m.unmatchedSink = null;
				}
				const expected = Object.keys(rec).filter((k) => !m.isKnownField(k));
				assert.deepEqual([...counted.keys()].sort(), expected.sort());
			}),
			{ numRuns: 400 },
		);
	});

	it('packed lines, in this thread and in a worker: counted on every line that has it', async () => {
		const pool = new PackedWorkerPool({ size: 1, minLines: 0, warn: () => undefined });
		pools.push(pool);
		for (const c of sharing) {
			const m = sharingMapper(c);
			const packed = pack([JSON.stringify(c.record), JSON.stringify({ ...c.record, extra: 3 }), JSON.stringify({ extra: 4, ...c.record, more: 5 })]);
			const here = new Map<string, number>();
			const routed = routePackedCountingUnmatched(packed, m, labels, 0, here);
			assert.deepEqual(Object.fromEntries(here), { extra: 2, more: 1 }, c.name);
			assert.equal(routed.packed?.count, 3);
			const inWorker = new Map<string, number>();
			assert.deepEqual(await routePackedParallel(packed, m, labels, 0, pool, inWorker), routed, c.name);
			assert.deepEqual(Object.fromEntries(inWorker), { extra: 2, more: 1 }, c.name);
		}
		assert.equal(pool.stats().routedInWorker, sharing.length, 'each item went through the worker');
	});

	// The drift signal the count feeds (drift-signals.ts): the new field re-reads the table, and its column, once added, is filled.
	const [objectCase] = sharing;
	const withExtra: ManualColumn[] = [...objectCase.columns, { name: 'extra', type: 'INT' }];
	const following = (name: string) => {
		let columns = objectCase.columns;
		const state = { reads: 0 };
		const options: RowMapperOptions = { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: objectCase.mapping };
		const source: SchemaSource = {
			current: async () => rowMapperFor(manualSchema('d', name, columns), options),
			reread: async () => {
				state.reads++;
				columns = withExtra;
				return rowMapperFor(manualSchema('d', name, columns), options);
			},
		};
		return { source, state };
	};
	const routeOptions = (workflow: string, workerThreads: number) => ({ labels: { workflow, node: 'Doris Schema' }, workerThreads, continueOnFail: false });

	it('per message: a new field re-reads the table, and the rows carry it once it is a column', async () => {
		const t = following('drift_items');
		const routed = await mapItemsFollowingSchema([{ json: { ...objectCase.record, extra: 3 } }], t.source, routeOptions('unmatched-shared-items', 0));
		assert.equal(t.state.reads, 1);
		assert.deepEqual(
			routed.rows.map((r) => r.json),
			[{ ...objectCase.row, extra: 3 }],
		);
	});

	for (const workerThreads of [0, 1]) {
		it(`packed lines, Worker Threads ${workerThreads}: a new field re-reads the table, and the rows carry it once it is a column`, async () => {
			const t = following(`drift_packed_${workerThreads}`);
			// 2,000 lines: past the worker threshold.
			const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify(i >= 500 ? { ...objectCase.record, extra: i } : objectCase.record));
			const packed: PackedRows = { jsonLines: lines.join('\n') + '\n', count: 2000, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '1999', lines: 2000 }] };
			const routed = await mapItemsFollowingSchema([{ json: { [PACKED_ROWS_FIELD]: packed } }], t.source, routeOptions(`unmatched-shared-packed-${workerThreads}`, workerThreads));
			assert.equal(t.state.reads, 1);
			const out = (routed.rows[0].json[PACKED_ROWS_FIELD] as PackedRows).jsonLines.split('\n').filter((l) => l !== '');
			assert.equal(out.filter((l) => (JSON.parse(l) as { extra?: number }).extra !== undefined).length, 1500);
		});
	}

	it('a field no column takes after the re-read is counted in sinker_fields_unmatched_total', async () => {
		const workflow = 'unmatched-shared-metric';
		const t = following('drift_metric');
		await mapItemsFollowingSchema([{ json: { ...objectCase.record, junk: 1 } }, { json: { ...objectCase.record, junk: 2 } }], t.source, routeOptions(workflow, 0));
		const counted = (await metrics.fieldsUnmatched.get()).values.filter((v) => v.labels.workflow === workflow).reduce((sum, v) => sum + v.value, 0);
		assert.equal(counted, 2);
	});
});
