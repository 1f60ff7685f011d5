/**
 * Offsets of one fetched batch as the emitter cuts it into executions (execution-emitter.ts): where
 * the fetch started, where an execution ends, what a message weighs.
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';

/**
 * The offset the batch was fetched from: kafkajs 2.2.4 consumer/batch.js keeps it as `fetchedOffset`
 * (its typings do not list it) and drops messages below it; the first message otherwise.
 */
export function fetchedOffset(payload: EachBatchPayload): bigint {
	const fetched = (payload.batch as unknown as { fetchedOffset?: unknown }).fetchedOffset;
	return BigInt(typeof fetched === 'string' || typeof fetched === 'number' ? fetched : payload.batch.messages[0].offset);
}

/**
 * One past the execution of messages [.., to): the next message's offset, the batch's end (below)
 * for the batch's last execution; never past `limit`, where a range delivered again ends.
 */
export function executionEnd(payload: EachBatchPayload, to: number, limit: bigint | undefined): bigint {
	const { messages } = payload.batch;
	const end = to === messages.length ? batchEnd(payload) : BigInt(messages[to - 1].offset) + 1n;
	if (limit === undefined) return end;
	// Cut at the limit: the offsets between the last message and the limit hold nothing to deliver.
	if (to < messages.length) return BigInt(messages[to].offset) >= limit ? limit : end;
	return end > limit ? limit : end;
}

/**
 * One past the batch's last record, which the batch's last execution commits: kafkajs hands out no
 * control record (the marker closing a transaction) and no message of an aborted transaction, and
 * when the last message is resolved it resolves the batch's last record with it (consumer/runner.js
 * processEachBatch, Batch.lastOffset). Ending the execution at its last message instead left every
 * transactional topic one offset short of its end for good: a lag of 1 that never went away.
 */
export function batchEnd(payload: EachBatchPayload): bigint {
	const { messages } = payload.batch;
	const lastMessage = BigInt(messages[messages.length - 1].offset);
	const lastRecord = BigInt(payload.batch.lastOffset());
	return (lastRecord > lastMessage ? lastRecord : lastMessage) + 1n;
}

/**
 * The offset to resolve kafkajs to once the execution of messages [.., to) ending at `end` is handed
 * out: its last message, or `end - 1` when the execution was cut at a redelivered range's end past
 * that message (the offsets between hold only filtered records: a transaction's marker). Resolved to
 * the last message only, kafkajs fetched from below the tracker's floor next (Keep Order per Partition
 * returns after one execution), which was taken for kafkajs' own reset: a false "topic recreated or
 * log truncated?" error after every redelivery on a transactional topic, and the tracker forgot what
 * it knew (review session 18, F8). The batch's last message is left to kafkajs, which resolves the
 * batch's last record with it (runner.js).
 */
export function resolveThrough(payload: EachBatchPayload, to: number, end: bigint): string {
	const { messages } = payload.batch;
	const last = messages[to - 1].offset;
	return to < messages.length && end > BigInt(last) + 1n ? String(end - 1n) : last;
}

export function messageSize(message: KafkaMessage): number {
	return (message.value?.length ?? 0) + (message.key?.length ?? 0);
}
