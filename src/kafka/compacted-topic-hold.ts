/**
 * Subscribed topics whose cleanup.policy was changed to compact after activation, held (compacted-topics.ts
 * says why such a topic loses deletes under Tombstones "Skip" where a Doris Schema node deletes by Debezium's
 * delete events: op d envelopes, or flattened records with `__deleted: "true"`, src/common/event-deletes.ts). Activation
 * refuses a compacted topic and a pattern leaves a new one out, but a topic's policy can be altered while
 * the workflow runs (kafka-configs --alter, a platform default applied later): before this hold it was
 * never read again, and the consumer went on reading it with Skip, losing every delete event the cleaner
 * removed. The New Topics Check loop (following-consumer.ts) reads the policy of every subscribed topic
 * at each look; a topic that compacts now is held: its partitions paused in the running consumer
 * (PartitionControl.holdTopics), so nothing more of it is handed out or committed, while the executions
 * in flight finish and commit as usual. An error names the topic, the setting and the fix, and
 * kafka_compacted_topic_held{workflow,group,topic} is 1 while it is held.
 *
 * A topic held for compacting stays held until the user releases it, whatever its policy reads later:
 * this object lives for one activation, so the hold is also kept in the group's committed offsets
 * (compacted-hold-mark.ts), read back at every assignment (restore), across activations and n8n restarts. Holding stops the consumer, not Kafka's log cleaner: while
 * the policy compacts, the cleaner compacts the closed segments of the unread part, a delete event (op d, or a flattened `__deleted: "true"` record) followed
 * by its tombstone keeping only the tombstone, and setting the policy back to delete brings nothing back.
 * Released then (as this hold did at first, and an n8n restart did until the hold was kept in Kafka), the trigger read on with Skip, skipped the tombstone and
 * committed past the delete: the row stayed in Doris with no word but the error logged when the hold began
 * (review session 19, H1; shown on the real broker). Whether the cleaner ran over the unread range cannot
 * be told from the policy (Kafka keeps no history of it), so the user decides: Tombstones "Delete the Row
 * of Its Key" (a tombstone deletes its row whether or not its delete event survived; on a table with a
 * sequence column the Doris Schema node puts it on Invalid naming its key, as Doris ignores a delete
 * without the sequence value: visible, for a delete by hand; no hold is kept then), or Skip again where the
 * cleaner did not run over the unread messages, naming the hold in "Release Compacted-Topic Holds".
 *
 * Fail-closed: a topic whose policy cannot be read (the credential lost DescribeConfigs, the topic deleted
 * meanwhile, the brokers unreachable) is held too, as activation refuses and a New Topics Check leaves a
 * new topic out in that case. Reading on would bet a silent, permanent loss on the policy being unchanged;
 * holding costs a delay that is visible (the error, the gauge) and lifts itself at the next look that reads
 * the policy as not compacting (read as compact, it is held as compact, until released). With the
 * brokers down the fetches fail as well, so holding then costs nothing more.
 */
import type { Admin } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import { compactedHoldMark, holdName, isReleased } from './compacted-hold-mark';
import { cleanupPolicies, COMPACTED_TOPICS_FIX, compactedTopicsReason, DELETE_EVENT_FORMS } from './compacted-topics';
import type { SinkerConsumerOptions } from './consumer-options';

/** Why a topic is held: its policy compacts (since when: the hold's name and mark), or could not be read (the brokers' error). */
export type HoldReason = { kind: 'compact'; since: number } | { kind: 'unreadable'; error: string };

export interface CompactedTopicHoldContext {
	readonly admin: Pick<Admin, 'describeConfigs'>;
	readonly options: Pick<SinkerConsumerOptions, 'groupId' | 'labels' | 'releasedCompactedHolds' | 'refuseCompactedTopics'>;
	readonly logger: SinkerLogger | undefined;
	/** How often the policy is read again, for the log lines. */
	readonly everyMs: number;
	/**
	 * Unset where a hold found in the group's offsets is held again (Tombstones "Skip": following-consumer.ts
	 * keepsCompactedHolds); else the Tombstones that keep none: each hold found is released with a warning
	 * naming it, not dropped by the next commit unsaid.
	 */
	readonly releasingTombstones?: 'delete' | 'emit';
}

/** What the user does about a topic held for compacting, in the error and the warning. */
const HELD_TOPIC_FIX =
	'To go on, set the Kafka Trigger\'s Tombstones to "Delete the Row of Its Key", which on a compacted topic is what Kafka\'s tombstones mean (a tombstone then deletes its row, whether or not its delete event, op d or flattened __deleted "true", is still there; ' +
	'on a table with a sequence column Doris ignores a delete without its value, so there each tombstone goes to Invalid naming its key instead: delete those rows by hand; ' +
	'a tombstone has no Debezium source block, so a Doris Schema node must take tables from the topic, Table From "Kafka Topic" or a Topic → Table Map, not "Debezium Source", which activation refuses with it) and activate the workflow again. ' +
	'Setting cleanup.policy back to delete and releasing the hold with Skip (its name in the Kafka Trigger\'s "Release Compacted-Topic Holds", then activate the workflow again) is safe only if the log cleaner has not run over the unread messages';

export class CompactedTopicHold {
	/** Held topics and why; one held as compact stays held whatever a later read says (see above). */
	private readonly held = new Map<string, HoldReason>();
	/** Topics held as compact whose policy was read as not compacting again, warned about once each time. */
	private readonly warnedNotCompacting = new Set<string>();
	/** Released holds said so once each (a hold is found again at every assignment until its mark is gone). */
	private readonly announcedReleases = new Set<string>();
	/** Topics with a kafka_compacted_topic_held series out. */
	private readonly shown = new Set<string>();
	/** Set by end(): a read still under way at close shows nothing afterwards. */
	private ended = false;

	constructor(private readonly ctx: CompactedTopicHoldContext) {}

	/** The topics held now. */
	topics(): string[] {
		return [...this.held.keys()];
	}

	/** The topics held for compacting, each with the mark its partitions' commits carry (compacted-hold-mark.ts). */
	marks(): Map<string, string> {
		const marks = new Map<string, string>();
		for (const [topic, reason] of this.held) if (reason.kind === 'compact') marks.set(topic, compactedHoldMark(reason.since));
		return marks;
	}

	/**
	 * The holds the group's committed offsets carry (topic → when each began; compacted-hold-lookup.ts),
	 * of the `subscribed` topics: each held again as compact, whatever its policy reads now, unless the user
	 * released that very hold (releasedCompactedHolds). Returns whether the held topics changed.
	 */
	restore(found: ReadonlyMap<string, number>, subscribed: readonly string[]): boolean {
		const released = this.ctx.options.releasedCompactedHolds ?? [];
		const restored: string[] = [];
		for (const [topic, since] of found) {
			if (!subscribed.includes(topic) || this.held.get(topic)?.kind === 'compact') continue;
			if (this.ctx.releasingTombstones !== undefined) {
				const deletes = this.ctx.releasingTombstones === 'delete';
				this.announceRelease(topic, since, `Tombstones is "${deletes ? 'Delete the Row of Its Key' : 'Emit'}", which keeps no hold`, `reading ${topic} on from its committed offset, each tombstone ${deletes ? 'deleting the row of its key' : 'an item with _parseError'}`);
				continue;
			}
			if (isReleased(released, topic, since)) {
				this.announceRelease(topic, since, '"Release Compacted-Topic Holds"', `reading ${topic} on from its committed offset with Tombstones "Skip"`);
				continue;
			}
			this.held.set(topic, { kind: 'compact', since });
			restored.push(topic);
		}
		if (restored.length === 0) return false;
		const names = restored.map((topic) => holdName(topic, (this.held.get(topic) as { since: number }).since));
		const named = released.filter((hold) => restored.includes(hold.topic)).map((hold) => holdName(hold.topic, hold.since));
		const [Its, its, it] = restored.length === 1 ? ['Its', 'its', 'it'] : ['Their', 'their', 'them'];
		// A workflow that no longer refuses compacted topics (Keep Order off under flattened deletes, __deleted mapped as
		// data, a graph n8n did not hand over) holds it all the same: a hold is released only on purpose (H2).
		const why =
			this.ctx.options.refuseCompactedTopics === true
				? `${compactedTopicsReason(restored)}. ${Its} cleanup.policy changed to compact while the workflow ran, and ${its} hold (${names.join(', ')})`
				: `Kafka topic${restored.length === 1 ? '' : 's'} ${restored.join(', ')} ${restored.length === 1 ? 'was' : 'were'} held for compacting while this workflow read ${it} with Tombstones "Skip" and a Doris Schema node deleting by Debezium's delete events (${DELETE_EVENT_FORMS}). ` +
					`The workflow does not refuse compacted topics now (Keep Order per Partition off under flattened deletes, __deleted mapped as data, or its graph unreadable), but a hold is released only on purpose, and ${its} hold (${names.join(', ')})`;
		this.ctx.logger?.error(
			`${why} is kept in group ${this.ctx.options.groupId}'s committed offsets: ${its} partitions are paused, nothing more of ${it} read or committed, ` +
				`whatever ${its} cleanup.policy reads now, until the hold is released${named.length > 0 ? ` ("Release Compacted-Topic Holds" names ${named.join(', ')}, not this hold)` : ''}. ${HELD_TOPIC_FIX}`,
			{ topics: restored },
		);
		this.show(subscribed);
		return true;
	}

	/** A hold found in the group's offsets and not held: said once (it is found again at every assignment until its mark is gone). */
	private announceRelease(topic: string, since: number, by: string, then: string): void {
		if (this.announcedReleases.has(topic)) return;
		this.announcedReleases.add(topic);
		this.ctx.logger?.warn(`Kafka: compacted-topic hold ${holdName(topic, since)} released (${by}): ${then}; its mark leaves the group's committed offsets with its partitions' next commit`, { topics: [topic] });
	}

	/**
	 * Reads the cleanup.policy of the `subscribed` topics again and holds those that compact or cannot be
	 * read; releases those held only because their policy could not be read, once it reads as not
	 * compacting. Returns whether the held topics changed (the consumer is told then).
	 */
	async recheck(subscribed: readonly string[]): Promise<boolean> {
		const now = await this.read(subscribed);
		const before = new Set(this.held.keys());
		const compactNew: string[] = [];
		const unreadableNew = new Map<string, string>();
		const notCompactingAgain: string[] = [];
		const released: string[] = [];
		for (const topic of before) if (!subscribed.includes(topic)) this.held.delete(topic);
		for (const topic of subscribed) {
			const was = this.held.get(topic);
			const reason = now.get(topic);
			if (was?.kind === 'compact') {
				// Held until released: the cleaner may have compacted its unread messages meanwhile.
				if (reason?.kind === 'compact') this.warnedNotCompacting.delete(topic);
				else if (reason === undefined && !this.warnedNotCompacting.has(topic)) {
					this.warnedNotCompacting.add(topic);
					notCompactingAgain.push(topic);
				}
				continue;
			}
			if (reason === undefined) {
				if (was !== undefined) released.push(topic);
				this.held.delete(topic);
				continue;
			}
			if (was?.kind !== reason.kind) {
				if (reason.kind === 'compact') compactNew.push(topic);
				else unreadableNew.set(topic, reason.error);
			}
			// A hold as compact is named by when it began: now.
			this.held.set(topic, reason.kind === 'compact' ? { kind: 'compact', since: Date.now() } : reason);
		}
		this.tell(compactNew, unreadableNew, released);
		this.warnNotCompacting(notCompactingAgain);
		this.show(subscribed);
		return this.held.size !== before.size || [...this.held.keys()].some((topic) => !before.has(topic));
	}

	/** Topics deleted from the cluster: nothing to hold, no series. */
	forget(topics: readonly string[]): void {
		for (const topic of topics) {
			this.held.delete(topic);
			this.warnedNotCompacting.delete(topic);
			if (this.shown.delete(topic)) metrics.kafkaCompactedTopicHeld.remove(this.labels(topic));
		}
	}

	/** The consumer closed: its series are removed. */
	end(): void {
		this.ended = true;
		for (const topic of this.shown) metrics.kafkaCompactedTopicHeld.remove(this.labels(topic));
		this.shown.clear();
	}

	private async read(subscribed: readonly string[]): Promise<Map<string, HoldReason>> {
		const now = new Map<string, HoldReason>();
		try {
			// A topic deleted meanwhile (missing) is not held: nothing is left to read of it, and the consumer
			// restarts without it (following-consumer.ts); created again, the next look reads its policy.
			const { compacted, unreadable } = await cleanupPolicies(this.ctx.admin, subscribed);
			for (const topic of compacted) now.set(topic, { kind: 'compact', since: 0 });
			for (const [topic, error] of unreadable) now.set(topic, { kind: 'unreadable', error });
		} catch (error) {
			for (const topic of subscribed) now.set(topic, { kind: 'unreadable', error: (error as Error).message });
		}
		return now;
	}

	private tell(compactNew: string[], unreadableNew: Map<string, string>, released: string[]): void {
		const logger = this.ctx.logger;
		const every = `looked at again every ${this.ctx.everyMs / 1000} s`;
		if (compactNew.length > 0) {
			const one = compactNew.length === 1;
			const [Its, its, it] = one ? ['Its', 'its', 'it'] : ['Their', 'their', 'them'];
			const names = compactNew.map((topic) => holdName(topic, (this.held.get(topic) as { since: number }).since));
			logger?.error(
				`${compactedTopicsReason(compactNew)}. ${Its} cleanup.policy changed to compact while the workflow ran: ${its} partitions are paused, nothing more of ${it} read or committed ` +
					`(executions in flight finish and commit), until the hold is released: it is kept in group ${this.ctx.options.groupId}'s committed offsets (hold ${names.join(', ')}), across activations and n8n restarts. Setting cleanup.policy back to delete does not release ${it}: ` +
					`while ${it} compact${one ? 's' : ''}, the log cleaner may remove delete events (op d, or flattened __deleted "true") among ${its} unread messages and keep their tombstones, and a policy change does not bring them back. ${HELD_TOPIC_FIX}`,
				{ topics: compactNew },
			);
		}
		if (unreadableNew.size > 0) {
			const topics = [...unreadableNew.keys()];
			const errors = [...new Set(unreadableNew.values())].join('; ');
			logger?.error(
				`Kafka: could not read whether subscribed topics ${topics.join(', ')} are compacted (${errors}); a compacted one would lose deletes under Tombstones "Skip" where a Doris Schema node deletes by Debezium's delete events (op d, or flattened __deleted "true"), so their partitions are paused, nothing more of them read or committed, until it can be read (${every}). ` +
					`Let this credential describe the topics' configuration (DescribeConfigs), or ${COMPACTED_TOPICS_FIX}`,
				{ topics },
			);
		}
		if (released.length > 0) logger?.info(`Kafka: the cleanup.policy of topics ${released.join(', ')} could be read again and does not compact: reading them on from where they were paused`, { topics: released });
	}

	/** A topic held as compact reads as not compacting: it stays held, and the log says why (once each time). */
	private warnNotCompacting(topics: readonly string[]): void {
		if (topics.length === 0) return;
		const one = topics.length === 1;
		const [it, its, stays] = one ? ['it', 'its', 'stays'] : ['they', 'their', 'stay'];
		this.ctx.logger?.warn(
			`Kafka: held topic${one ? '' : 's'} ${topics.join(', ')} no longer compact${one ? 's' : ''} (cleanup.policy read again), but ${stays} held until the hold is released: ` +
				`while ${it} compacted, the log cleaner may have removed delete events (op d, or flattened __deleted "true") among ${its} unread messages, which Skip would then lose without a trace. ${HELD_TOPIC_FIX}`,
			{ topics },
		);
	}

	/** 1 for each held topic, 0 for every other subscribed one; a topic no longer subscribed has no series. */
	private show(subscribed: readonly string[]): void {
		if (this.ended) return;
		const now = new Set(subscribed);
		for (const topic of this.shown) {
			if (!now.has(topic)) metrics.kafkaCompactedTopicHeld.remove(this.labels(topic));
		}
		this.shown.clear();
		for (const topic of now) {
			this.shown.add(topic);
			metrics.kafkaCompactedTopicHeld.set(this.labels(topic), this.held.has(topic) ? 1 : 0);
		}
	}

	private labels(topic: string): { workflow: string; group: string; topic: string } {
		return { workflow: this.ctx.options.labels.workflow, group: this.ctx.options.groupId, topic };
	}
}
