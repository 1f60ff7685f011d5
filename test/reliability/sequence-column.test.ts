// A Debezium stream into a table with a hidden sequence column (function_column.sequence_type) through
// the Doris Schema core and the Stream Load side with Sequence Column "updated_at", on the real broker:
// Doris loads a row whose sequence value is NULL and keeps the stored row of its key over it (a delete
// deletes nothing), so every change without a value must come out on Rejected with its rule
// (null_sequence, delete_sequence) and its offset, the other changes load, and no execution fails.
// Before the Stream Load node checked its Sequence Column, those changes were counted as loaded and
// left no trace: their offsets committed while the table kept the old rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { assertInvariant, DATABASE, useWorld, type Case, type CaseOptions } from './harness/world';

const IDS = 600;
const world = useWorld();

const change = (partition: number, id: number, value: Record<string, unknown>, invalid?: ToProduce['invalid']): ToProduce => ({
	partition,
	id: invalid === undefined ? String(id) : null,
	key: String(id),
	value: JSON.stringify(value),
	...(invalid === undefined ? {} : { invalid }),
});

/** Creates with a sequence value, then per id: an update with a higher one, or a change without one. */
function stream(partitions: number): { items: ToProduce[]; withoutValue: number } {
	const items: ToProduce[] = [];
	let withoutValue = 0;
	for (let id = 0; id < IDS; id++) items.push(change(id % partitions, id, { op: 'c', before: null, after: { id, v: 'created', updated_at: 10 } }));
	for (let id = 0; id < IDS; id++) {
		const p = id % partitions;
		if (id % 4 === 1) items.push(change(p, id, { op: 'u', before: null, after: { id, v: 'updated', updated_at: 20 } }));
		else if (id % 4 === 2) {
			items.push(change(p, id, { op: 'u', before: null, after: { id, v: 'lost', updated_at: null } }, { rule: 'null_sequence', column: 'updated_at', mentions: /Sequence Column "updated_at"/ }));
			withoutValue++;
		} else if (id % 4 === 3) {
			// PostgreSQL's default REPLICA IDENTITY: the before image holds the key only.
			items.push(change(p, id, { op: 'd', before: { id, v: null, updated_at: null }, after: null }, { rule: 'delete_sequence', column: 'updated_at', mentions: /delete would delete nothing/ }));
			withoutValue++;
		}
	}
	// Keys whose only change has no value: never in the table (the invariant's "rows never produced").
	for (let id = IDS; id < IDS + 20; id++) {
		items.push(change(id % partitions, id, { op: 'c', before: null, after: { id, v: 'never', updated_at: null } }, { rule: 'null_sequence', column: 'updated_at' }));
		withoutValue++;
	}
	return { items, withoutValue };
}

const hiddenSequence: CaseOptions = {
	columns: 'v VARCHAR(64) NULL, updated_at BIGINT NULL',
	tableProperties: { 'function_column.sequence_type': 'BIGINT' },
	mapper: { cdc: true },
	target: { load: { format: 'json', timeoutSeconds: 60, sequenceColumn: 'updated_at' } },
};

async function run(c: Case, name: string): Promise<void> {
	const { items, withoutValue } = stream(c.partitions);
	const started = Date.now();
	await c.produce(items);
	const settleMs = await c.pipeline.settle(60_000);
	assertInvariant(c);
	assert.deepEqual(c.pipeline.failures, [], 'no execution failed');
	assert.equal(c.pipeline.rejected.size, withoutValue, 'every change without a sequence value is on Rejected');
	const byId = new Map(world.doris.tableRows(DATABASE, c.table).map((r) => [Number(r.id), r]));
	for (let id = 0; id < IDS; id++) {
		const want = id % 4 === 1 ? { v: 'updated', updated_at: 20 } : { v: 'created', updated_at: 10 };
		assert.deepEqual({ v: byId.get(id)?.v, updated_at: byId.get(id)?.updated_at }, want, `id ${id}`);
	}
	recordFigures(name, { changes: items.length, withoutSequenceValue: withoutValue, onRejected: c.pipeline.rejected.size, rowsLost: 0, settleMs, sinceProduceMs: Date.now() - started });
	await c.pipeline.close();
}

describe('Sequence Column into a hidden sequence column: changes without a value are handed back, never lost', { timeout: 120_000 }, () => {
	it('one item per message', async () => {
		await run(await world.newCase(hiddenSequence), 'sequence-column-per-message');
	});

	it('one item per batch (packed lines): the lines without a value come back with their offsets', async () => {
		const c = await world.newCase({ ...hiddenSequence, consumer: { parser: { format: 'json', includeMetadata: true, tombstones: 'emit', output: 'batch' } } });
		await run(c, 'sequence-column-packed');
	});
});
