/**
 * Records of aborted transactions, hidden as Kafka's own consumer hides them under read_committed
 * (kafkajs' default isolation level, which the sinker keeps).
 *
 * kafkajs 2.2.4 filters them itself (node_modules/kafkajs/src/consumer/filterAbortedMessages.js), and
 * gets it wrong two ways:
 * - it takes the broker's list of aborted transactions as sorted by first offset and enters at most
 *   one per record. The broker lists them in the order they ended (its transaction index is appended
 *   at each abort marker: kafka storage TransactionIndex, LogSegment.collectAbortedTxns), so when two
 *   aborted transactions overlap and the one that began first ended last, the records it wrote before
 *   the other began are handed out: rows that, for the producer, never happened, loaded into Doris
 *   (the real-broker test in kafka-sinker-commits.test.ts, before this: `Y-aborted-1` delivered);
 * - it takes any record whose key is the four bytes 00 00 00 00 for an abort marker, control record
 *   or not, so an aborted transaction's record with such a key (an int 0 written by Kafka's
 *   IntegerSerializer) ended its filtering and the rest of the transaction was handed out.
 *
 * This is the Java consumer's rule (kafka-clients CompletedFetch.nextFetchedRecord, 3.x/4.x): aborted
 * transactions are taken in first-offset order, every one that began at or before the end of the
 * record's batch enters the set of aborted producers; an ABORT control record takes its producer out
 * of it; a transactional record of a producer in the set is skipped.
 *
 * Applied by wrapping Broker.prototype.fetch (node_modules/kafkajs/src/broker/index.js): each
 * partition's aborted records are given kafkajs' control-record flag, the one flag by which its Batch
 * hides a record from eachBatch while still counting its offset (consumer/batch.js: messages drops
 * them, rawMessages / lastOffset keep them, so the offsets still advance past them), and the aborted
 * list is emptied so kafkajs' own filter does nothing more. Once, to the kafkajs copy this package
 * loads, and only to 2.2.4 (kafkajsPatch, kafkajs-patch.ts), whose fetch response shape this reads.
 */
import { kafkajsPatch } from './kafkajs-patch';

/** What the broker lists per partition under read_committed (Fetch response aborted_transactions). */
export interface AbortedTransaction {
	producerId: string;
	firstOffset: string;
}

/** The fields of a kafkajs 2.2.4 decoded record this reads (protocol/recordBatch/record/v0/decoder.js). */
export interface FetchedRecord {
	offset: string;
	key: Buffer | null;
	isControlRecord: boolean;
	batchContext: {
		/** The batch's base offset. */
		firstOffset: string;
		lastOffsetDelta: number;
		producerId: string;
		inTransaction: boolean;
		isControlBatch: boolean;
	};
}

interface FetchedPartition {
	abortedTransactions?: AbortedTransaction[] | null;
	messages: FetchedRecord[];
}

interface FetchResponse {
	responses?: Array<{ partitions: FetchedPartition[] }>;
}

/** The method of kafkajs' Broker the wrapper replaces. */
interface BrokerState {
	fetch(request: { isolationLevel?: number }): Promise<FetchResponse>;
}

const READ_COMMITTED = 1;
/** A control record's key: int16 version, int16 type; type 0 is ABORT (kafka ControlRecordType). */
const ABORT_TYPE = 0;
const NO_PRODUCER = '-1';

/** Whether a record is a transaction's abort marker (a control record of type ABORT). */
function isAbortMarker(record: FetchedRecord): boolean {
	const key = record.key;
	return record.batchContext.isControlBatch && key !== null && key.length >= 4 && key.readInt16BE(2) === ABORT_TYPE;
}

/**
 * The records of `records` (one partition's, in offset order) that belong to a transaction in
 * `aborted`, by the Java consumer's rule (see the header).
 */
export function abortedRecords(records: readonly FetchedRecord[], aborted: readonly AbortedTransaction[]): Set<FetchedRecord> {
	const hidden = new Set<FetchedRecord>();
	if (aborted.length === 0) return hidden;
	const queue = aborted.map((transaction) => ({ producerId: transaction.producerId, firstOffset: BigInt(transaction.firstOffset) }));
	queue.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
	const abortedProducers = new Set<string>();
	let next = 0;
	// Records of one batch share its context: its end is computed once per batch.
	let batch: FetchedRecord['batchContext'] | undefined;
	let batchEnd = 0n;
	for (const record of records) {
		// Every aborted transaction entered and ended: nothing after this can be aborted.
		if (next === queue.length && abortedProducers.size === 0) break;
		if (record.batchContext !== batch) {
			batch = record.batchContext;
			batchEnd = BigInt(batch.firstOffset) + BigInt(batch.lastOffsetDelta);
		}
		if (batch.producerId === NO_PRODUCER) continue;
		while (next < queue.length && queue[next].firstOffset <= batchEnd) abortedProducers.add(queue[next++].producerId);
		if (isAbortMarker(record)) abortedProducers.delete(batch.producerId);
		else if (batch.inTransaction && !batch.isControlBatch && abortedProducers.has(batch.producerId)) hidden.add(record);
	}
	return hidden;
}

/** Hides one partition's aborted records the way kafkajs hides control records, and empties its aborted list. */
export function hideAbortedRecords(partition: FetchedPartition): number {
	const aborted = partition.abortedTransactions;
	if (!aborted || aborted.length === 0) return 0;
	const hidden = abortedRecords(partition.messages, aborted);
	for (const record of hidden) record.isControlRecord = true;
	partition.abortedTransactions = [];
	return hidden.size;
}

/** Installs the wrapper (idempotent); false when the kafkajs found is not the version it was written for. */
export const hideAbortedTransactionsAsKafkaDoes = kafkajsPatch<BrokerState, 'fetch'>(
	'kafkajs/src/broker/index.js',
	'fetch',
	(fetch) =>
		async function (this: BrokerState, request: { isolationLevel?: number }): Promise<FetchResponse> {
			const response = await fetch.call(this, request);
			if (request.isolationLevel === READ_COMMITTED) {
				for (const topic of response.responses ?? []) for (const partition of topic.partitions) hideAbortedRecords(partition);
			}
			return response;
		},
);
