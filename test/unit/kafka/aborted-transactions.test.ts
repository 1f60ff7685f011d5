import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { abortedRecords, hideAbortedRecords, type AbortedTransaction, type FetchedRecord } from '../../../src/kafka/aborted-transactions';

/** One record as kafkajs 2.2.4 decodes it, alone in its batch. */
function record(offset: number, producerId: string, kind: 'data' | 'plain' | 'abort' | 'commit', key: Buffer | null = null): FetchedRecord {
	const control = kind === 'abort' || kind === 'commit';
	const controlKey = Buffer.from([0, 0, 0, kind === 'abort' ? 0 : 1]);
	return {
		offset: String(offset),
		key: control ? controlKey : key,
		isControlRecord: control,
		batchContext: {
			firstOffset: String(offset),
			lastOffsetDelta: 0,
			producerId: kind === 'plain' ? '-1' : producerId,
			inTransaction: kind !== 'plain',
			isControlBatch: control,
		},
	};
}

const offsetsOf = (records: Iterable<FetchedRecord>) => [...records].map((r) => Number(r.offset)).sort((a, b) => a - b);

describe('aborted transactions (read_committed)', () => {
	it('overlapping aborted transactions listed in the order they ended: every record of both is aborted, the committed ones after them are not', () => {
		// early begins at 0, late at 1; late aborts (2), early aborts (5); then both commit a transaction.
		const records = [
			record(0, 'early', 'data'),
			record(1, 'late', 'data'),
			record(2, 'late', 'abort'),
			record(3, 'early', 'data'),
			record(4, 'early', 'data'),
			record(5, 'early', 'abort'),
			record(6, 'late', 'data'),
			record(7, 'late', 'commit'),
			record(8, 'early', 'data'),
			record(9, 'early', 'commit'),
		];
		// As the broker lists them: in the order the transactions ended.
		const aborted: AbortedTransaction[] = [
			{ producerId: 'late', firstOffset: '1' },
			{ producerId: 'early', firstOffset: '0' },
		];
		assert.deepEqual(offsetsOf(abortedRecords(records, aborted)), [0, 1, 3, 4]);
	});

	it('a record whose key is four zero bytes is no abort marker unless it is a control record', () => {
		const records = [record(0, 'p', 'data'), record(1, 'p', 'data', Buffer.alloc(4)), record(2, 'p', 'data'), record(3, 'p', 'abort'), record(4, 'p', 'data', Buffer.alloc(4))];
		assert.deepEqual(offsetsOf(abortedRecords(records, [{ producerId: 'p', firstOffset: '0' }])), [0, 1, 2]);
	});

	it('a fetch starting inside several aborted transactions, the last to begin ending first: that producer\'s next transaction is committed and kept', () => {
		// a began at 0, b at 1, c at 2, all before the fetch at 3; c's abort marker is the fetch's first record.
		const records = [record(3, 'c', 'abort'), record(4, 'a', 'data'), record(5, 'b', 'abort'), record(6, 'a', 'abort'), record(7, 'c', 'data'), record(8, 'c', 'commit')];
		const aborted: AbortedTransaction[] = [
			{ producerId: 'c', firstOffset: '2' },
			{ producerId: 'b', firstOffset: '1' },
			{ producerId: 'a', firstOffset: '0' },
		];
		assert.deepEqual(offsetsOf(abortedRecords(records, aborted)), [4]);
	});

	it('records outside transactions and records of producers with no aborted transaction are never hidden', () => {
		const records = [record(0, 'p', 'data'), record(1, '', 'plain'), record(2, 'q', 'data'), record(3, 'q', 'commit'), record(4, 'p', 'abort')];
		assert.deepEqual(offsetsOf(abortedRecords(records, [{ producerId: 'p', firstOffset: '0' }])), [0]);
	});

	it('a batch of several records enters every transaction that began up to its last offset', () => {
		const batch = { firstOffset: '10', lastOffsetDelta: 2, producerId: 'p', inTransaction: true, isControlBatch: false };
		const records: FetchedRecord[] = [10, 11, 12].map((offset) => ({ offset: String(offset), key: null, isControlRecord: false, batchContext: batch }));
		assert.deepEqual(offsetsOf(abortedRecords(records, [{ producerId: 'p', firstOffset: '10' }])), [10, 11, 12]);
	});

	it("kafkajs' Batch then hands out only the committed records, and its last offset still covers the aborted ones", () => {
		const load = createRequire(__filename);
		const Batch = load('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, partitionData: unknown) => {
			messages: FetchedRecord[];
			lastOffset(): string;
		};
		const messages = [record(0, 'early', 'data'), record(1, 'late', 'data'), record(2, 'late', 'abort'), record(3, 'early', 'data'), record(4, 'early', 'abort'), record(5, 'early', 'data'), record(6, 'early', 'commit'), record(7, 'early', 'data'), record(8, 'early', 'abort')];
		const partition = { partition: 0, highWatermark: '9', abortedTransactions: [{ producerId: 'late', firstOffset: '1' }, { producerId: 'early', firstOffset: '0' }, { producerId: 'early', firstOffset: '7' }], messages };
		assert.equal(hideAbortedRecords(partition), 4);
		assert.deepEqual(partition.abortedTransactions, []);
		const batch = new Batch('t', '0', partition);
		assert.deepEqual(batch.messages.map((m) => m.offset), ['5']);
		assert.equal(batch.lastOffset(), '8');
	});
});
