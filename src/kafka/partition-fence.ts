/**
 * Keep Order per Partition across owners. An execution's rows may still be on their way to Doris
 * after its partition moved to another consumer: the trigger cannot reach the Stream Load node that
 * holds them (no side channel; in queue mode it is another process), so the rows carry their
 * deadline instead (DorisItemInfo.loadBy = the execution's start + Execution Timeout) and the Stream
 * Load node never starts loading them after it. What is left is to make the next owner wait until
 * every deadline the previous owner handed out has passed:
 *
 * - an owner marks the partition HELD in the offset commit's metadata before its first execution,
 *   with the latest deadline it may hand out (`n8n-doris-sinker:held:<epoch ms>`, a lease of
 *   LEASE_FACTOR x Execution Timeout, renewed before an execution whose deadline would pass it; an
 *   execution's deadline never does), and every later commit keeps the mark;
 * - after draining (close, or a rebalance with every execution finished) it commits RELEASED;
 * - a consumer newly given the partition reads the metadata (admin.fetchOffsets): HELD means the
 *   previous owner left with executions possibly in flight (crash, kill -9, rejoin before they
 *   finished), so it waits until the mark's deadline + FENCE_MARGIN_MS before starting the partition
 *   (at most MAX_FENCE_WAIT_MS: a deadline further away is a clock gone wrong); a plain HELD, written
 *   by a version without the deadline, means its own Execution Timeout + margin from the assignment.
 *   RELEASED, nothing or another tool's metadata means it starts at once.
 *
 * The deadline in the mark is the previous owner's, so lowering the Execution Timeout between two
 * activations does not shorten the wait for executions started under the old one. The same wait
 * applies inside one owner: a failed execution whose rows may still be loading (it was cancelled or
 * timed out rather than failing on an error) is redelivered only after its deadline. Clocks of the
 * n8n processes (main and workers) must agree within the margin.
 */
import type { Admin } from 'kafkajs';

import { markParts } from './compacted-hold-mark';
import type { PartitionState } from './partition-state';

/**
 * Clock difference between n8n processes, plus the commit of a load attempt whose body went out just
 * before its deadline (Doris commits it within moments of receiving it).
 */
export const FENCE_MARGIN_MS = 5_000;

export const HELD = 'n8n-doris-sinker:held';
export const RELEASED = 'n8n-doris-sinker:released';

/** A lease covers this many Execution Timeouts from its renewal: renewed every (LEASE_FACTOR - 1 - RENEW_SLACK) of one. */
export const LEASE_FACTOR = 1.25;
/** Renewed while an execution starting now (plus this share of a timeout for parsing it) still fits. */
const RENEW_SLACK = 0.125;
/** The longest a new owner waits for a previous owner's deadline. */
export const MAX_FENCE_WAIT_MS = 60 * 60_000;

/** The mark of an owner that may hand out deadlines up to `until` (epoch ms). */
export function heldMark(until: number): string {
	return `${HELD}:${Math.ceil(until)}`;
}

/** What a commit's metadata says about its owner: not holding it, holding it until a time, or holding it with no time (older versions). */
export type FenceMark = { held: false } | { held: true; until: number | undefined };

export function parseMark(metadata: string | null | undefined): FenceMark {
	// Its own part of the metadata: a compacted-topic hold's mark may follow it (compacted-hold-mark.ts).
	const fence = markParts(metadata).find((part) => part === HELD || part.startsWith(`${HELD}:`));
	if (fence === HELD) return { held: true, until: undefined };
	if (fence !== undefined) {
		const until = Number(fence.slice(HELD.length + 1));
		// An unreadable time is still a HELD mark: wait as for one without a time.
		return { held: true, until: Number.isFinite(until) && until > 0 ? until : undefined };
	}
	return { held: false };
}

/** The lease to commit now: long enough for an execution started now and a few more. */
export function leaseUntil(now: number, executionTimeoutMs: number): number {
	return now + executionTimeoutMs * LEASE_FACTOR;
}

/** Whether the committed lease still covers an execution starting now. */
export function leaseCovers(heldUntil: number, now: number, executionTimeoutMs: number): boolean {
	return heldUntil >= now + executionTimeoutMs * (1 + RENEW_SLACK);
}

/**
 * How long a new owner waits before starting a partition whose mark is `mark`: until the previous
 * owner's deadline + margin, or, for a mark without one, its own Execution Timeout + margin + one
 * heartbeat (the previous owner stops emitting at its next heartbeat after the rebalance).
 */
export function fenceWait(mark: FenceMark, now: number, own: { executionTimeoutMs: number; heartbeatIntervalMs: number }): { waitMs: number; until: number | undefined; capped: boolean } {
	if (!mark.held) return { waitMs: 0, until: undefined, capped: false };
	if (mark.until === undefined) return { waitMs: own.executionTimeoutMs + FENCE_MARGIN_MS + own.heartbeatIntervalMs, until: undefined, capped: false };
	const waitMs = Math.max(mark.until + FENCE_MARGIN_MS - now, 0);
	return waitMs > MAX_FENCE_WAIT_MS ? { waitMs: MAX_FENCE_WAIT_MS, until: mark.until, capped: true } : { waitMs, until: mark.until, capped: false };
}

/**
 * For each state, the mark its previous owner left. A partition the group never committed has no
 * previous owner to wait for.
 */
export async function previousOwnerMarks(admin: Admin, groupId: string, states: readonly PartitionState[]): Promise<Map<PartitionState, FenceMark>> {
	const topics = [...new Set(states.map((s) => s.topic))];
	const answer = await admin.fetchOffsets({ groupId, topics });
	const marks = new Map<string, FenceMark>();
	for (const { topic, partitions } of answer) {
		for (const { partition, metadata } of partitions) marks.set(`${topic}:${partition}`, parseMark(metadata));
	}
	return new Map(states.map((s) => [s, marks.get(`${s.topic}:${s.partition}`) ?? { held: false }]));
}
