/**
 * The compacted-topic hold (compacted-topic-hold.ts) kept in Kafka, where it outlives the trigger. The hold
 * began in memory only: after an n8n restart (or n8n activating the workflow again by itself after a crash)
 * with the topic's cleanup.policy back to delete, the new trigger read on from the committed offset with
 * Tombstones "Skip", and every delete the log cleaner had removed meanwhile was lost without a word. An
 * activation by a user and one by a restart look the same to the trigger, so the hold is written where the
 * next consumer of the group reads first: the metadata string of the partition's committed offset
 * (OffsetCommit carries one per partition; kafkajs 2.2.4 sends it, consumer/offsetManager commitOffsets, and
 * returns it, admin/index.js fetchOffsets, as partition-fence.ts already relies on).
 *
 * - A hold that begins commits each held partition's committed offset again, carrying
 *   `n8n-doris-sinker:compacted-hold:<epoch ms the hold began>`; every later commit of the partition carries
 *   it too (offset-committer.ts metadataFor), so no commit drops it while held.
 * - A consumer given a partition reads the group's offsets of its topic first (paused meanwhile,
 *   compacted-hold-lookup.ts): a marked partition holds the topic again, whatever its policy reads now, and
 *   on a rebalance a member of another process honours it just the same.
 * - The user releases it on purpose: Tombstones no longer "Skip" (no hold is kept then: a warning names the
 *   hold released, and the next commit of each partition drops the mark), the hold named in the trigger's
 *   "Release Compacted-Topic Holds" (its `<topic>@<time>`, as the error names it: one hold, so a value left
 *   there releases no later one), or the group's offsets reset (a commit without the mark). Nothing else
 *   releases it: with Skip the marks are read at every assignment whether or not the workflow refuses
 *   compacted topics now (following-consumer.ts keepsCompactedHolds). Before, Keep Order switched off under
 *   flattened deletes, `__deleted` mapped as data or a graph n8n did not hand over stopped the lookup,
 *   and the next commit dropped the mark without a word (late review session 20, H2).
 *
 * With Keep Order per Partition the fence mark (partition-fence.ts) comes first and this one after a ';'
 * (MARK_SEPARATOR): an older version reading both takes the fence mark as HELD without a deadline and
 * waits its own Execution Timeout, the safe side.
 */
import type { Admin } from 'kafkajs';

export const COMPACTED_HOLD = 'n8n-doris-sinker:compacted-hold';
/** Between the fence mark and this one in one metadata string. */
export const MARK_SEPARATOR = ';';

/** The mark of a hold that began at `since` (epoch ms). */
export function compactedHoldMark(since: number): string {
	return `${COMPACTED_HOLD}:${Math.round(since)}`;
}

/** The metadata a commit carries: the fence mark, the hold's mark, both, or none (null: no cost, as before). */
export function joinMarks(fence: string | null, hold: string | null): string | null {
	if (hold === null) return fence;
	return fence === null ? hold : `${fence}${MARK_SEPARATOR}${hold}`;
}

/** The parts of a commit's metadata (another tool's metadata is one part that is none of ours). */
export function markParts(metadata: string | null | undefined): string[] {
	return metadata ? metadata.split(MARK_SEPARATOR) : [];
}

/**
 * When the hold a commit's metadata carries began, undefined when it carries none. A mark whose time
 * cannot be read still holds (0: named as "at an unknown time"): a hold read wrong must not read on.
 */
export function readCompactedHold(metadata: string | null | undefined): number | undefined {
	for (const part of markParts(metadata)) {
		if (part !== COMPACTED_HOLD && !part.startsWith(`${COMPACTED_HOLD}:`)) continue;
		const since = Number(part.slice(COMPACTED_HOLD.length + 1));
		return Number.isFinite(since) && since > 0 ? since : 0;
	}
	return undefined;
}

/** How the error and the release option name a hold: `<topic>@<ISO time it began>`. */
export function holdName(topic: string, since: number): string {
	return `${topic}@${since > 0 ? new Date(since).toISOString() : 'unknown'}`;
}

/** A hold the user releases: its topic and when it began (as holdName names it). */
export interface ReleasedHold {
	topic: string;
	since: number;
}

/**
 * The trigger's "Release Compacted-Topic Holds": hold names (holdName) separated by commas, blanks or
 * lines. Throws naming the value and the rule for one that is not `<topic>@<time>`.
 */
export function parseReleasedHolds(value: string): ReleasedHold[] {
	const names = value.split(/[\s,]+/).filter((name) => name !== '');
	return names.map((name) => {
		const at = name.lastIndexOf('@');
		const since = at > 0 ? (name.slice(at + 1) === 'unknown' ? 0 : Date.parse(name.slice(at + 1))) : Number.NaN;
		if (!Number.isFinite(since)) {
			throw new Error(`Release Compacted-Topic Holds: "${name}" is not a hold's name: give it as the hold's error names it, <topic>@<time the hold began>, e.g. shop.orders@2026-12-07T08:04:06.123Z`);
		}
		return { topic: name.slice(0, at), since };
	});
}

/** Whether `released` names the hold of `topic` that began at `since`. */
export function isReleased(released: readonly ReleasedHold[], topic: string, since: number): boolean {
	return released.some((hold) => hold.topic === topic && hold.since === since);
}

/** What the group's committed offsets say of `topics`: each partition's offset and metadata, and when a marked topic's hold began. */
export interface GroupHoldMarks {
	/** `topic:partition` → the committed offset and its metadata; absent where the group has none. */
	offsets: Map<string, { offset: bigint; metadata: string | null }>;
	/** topic → when its hold began (the earliest of its partitions' marks). */
	held: Map<string, number>;
}

/** Reads the group's committed offsets of `topics` (admin.fetchOffsets) and the holds they carry. */
export async function groupHoldMarks(admin: Pick<Admin, 'fetchOffsets'>, groupId: string, topics: readonly string[]): Promise<GroupHoldMarks> {
	const found: GroupHoldMarks = { offsets: new Map(), held: new Map() };
	if (topics.length === 0) return found;
	for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
		for (const { partition, offset, metadata } of partitions) {
			// kafkajs answers -1 for a partition the group has no offset for.
			if (BigInt(offset) >= 0n) found.offsets.set(`${topic}:${partition}`, { offset: BigInt(offset), metadata: metadata ?? null });
			const since = readCompactedHold(metadata);
			if (since !== undefined) found.held.set(topic, Math.min(since, found.held.get(topic) ?? since));
		}
	}
	return found;
}
