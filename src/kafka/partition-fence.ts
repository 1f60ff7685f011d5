/**
 * Keep Order per Partition across owners. An execution's rows may still be on their way to Doris
 * after its partition moved to another consumer: the trigger cannot reach the Stream Load node that
 * holds them (no side channel; in queue mode it is another process), so the rows carry their
 * deadline instead (DorisItemInfo.loadBy = the execution's start + Execution Timeout) and the Stream
 * Load node never starts loading them after it. What is left is to make the next owner wait until
 * every deadline the previous owner handed out has passed:
 *
 * - an owner marks the partition HELD in the offset commit's metadata before its first execution,
 *   and every later commit keeps the mark;
 * - after draining (close, or a rebalance with every execution finished) it commits RELEASED;
 * - a consumer newly given the partition reads the metadata (admin.fetchOffsets): HELD means the
 *   previous owner left with executions possibly in flight (crash, kill -9, rejoin before they
 *   finished), so it waits Execution Timeout + FENCE_MARGIN_MS from the assignment before starting
 *   the partition; RELEASED, nothing or another tool's metadata means it starts at once.
 *
 * The same wait applies inside one owner: a failed execution whose rows may still be loading (it
 * was cancelled or timed out rather than failing on an error) is redelivered only after its deadline.
 * The bound assumes the previous owner used the same Execution Timeout, and that clocks of the
 * n8n processes (main and workers) agree within the margin.
 */
import type { Admin } from 'kafkajs';

import type { PartitionState } from './partition-state';

/**
 * Clock difference between n8n processes, plus the commit of a load attempt whose body went out just
 * before its deadline (Doris commits it within moments of receiving it).
 */
export const FENCE_MARGIN_MS = 5_000;

export const HELD = 'n8n-doris-sinker:held';
export const RELEASED = 'n8n-doris-sinker:released';

/**
 * For each state, whether its previous owner left it HELD. A partition the group never committed has
 * no previous owner to wait for.
 */
export async function heldByPreviousOwner(admin: Admin, groupId: string, states: readonly PartitionState[]): Promise<Map<PartitionState, boolean>> {
	const topics = [...new Set(states.map((s) => s.topic))];
	const answer = await admin.fetchOffsets({ groupId, topics });
	const held = new Set<string>();
	for (const { topic, partitions } of answer) {
		for (const { partition, metadata } of partitions) if (metadata === HELD) held.add(`${topic}:${partition}`);
	}
	return new Map(states.map((s) => [s, held.has(`${s.topic}:${s.partition}`)]));
}
