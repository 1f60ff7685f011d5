/**
 * The trigger's consumer, which follows the cluster's topics: this wrapper restarts the sinker
 * consumer (close: what is buffered for the executions in flight loaded, they are drained, bounded;
 * what finished committed; partitions released; then start again) subscribed to a new set of topics.
 *
 * New topics of a pattern. kafkajs resolves a RegExp subscription once, when the consumer subscribes
 * (consumer/index.js subscribe: `topicRegExp.test` over the cluster's topics at that moment); a topic
 * created later is never consumed. A change stream creates a topic for every table that gets its
 * first change (Debezium's `<prefix>.<database>.<table>`), so a whole-database workflow must see them:
 * the topics are listed every New Topics Check (`topicCheckIntervalMs`) and a new matching one
 * restarts the consumer. A topic found this way starts at its earliest offset whatever Read From
 * Beginning says: the table's first changes were written before the check could see the topic
 * (start-positions.ts).
 *
 * Deleted topics, of a pattern or of a list. kafkajs 2.2.4 never forgets a topic: the consumer's and
 * the admin's cluster keep every topic subscribed or read in their target set (cluster/index.js
 * addMultipleTargetTopics), every metadata refresh asks for all of them (cluster/index.js
 * REFRESH_METADATA, `Array.from(this.targetTopics)`) and fails whole on one the broker no longer
 * knows (UNKNOWN_TOPIC_OR_PARTITION). The consumer refreshes before each fetch round
 * (consumer/consumerGroup.js fetch, refreshMetadataIfNecessary): it crashed and restarted every
 * 300 ms and loaded no topic at all (measured: 106-144 crashes in 60 s, none of the other topics' new
 * messages loaded), for good with a topic list or the check at 0. Only new clients forget. So a
 * subscribed topic gone from the cluster restarts the consumer without it, found by the periodic
 * check or at once by the consumer's first fetch, offset commit or crash over an unknown topic
 * (onUnknownTopic, unknown-topic-watch.ts), with the check at 0 too: measured, the restart ~1 s after
 * the deletion, every other topic's message handed over once. Its partitions are forgotten first (Assignment.dropTopics):
 * the close would otherwise commit them, and the broker refuses that (offset-committer.ts sends one
 * request per topic, so the refusal holds nothing of the other topics). Its unread messages went
 * with it; those of the other topics are committed exactly as at any restart. A warning names it.
 *
 * A listed topic created again is consumed again, from its earliest offset (as a topic found later:
 * its first messages were written before any check could see it), when the check finds it: the list
 * names it, the user expects it back without reactivating. With every listed topic gone no consumer
 * runs, and the check waits for one. A listed topic missing at activation still fails the activation,
 * now naming it (kafkajs said only "This server does not host this topic-partition"). A deletion is
 * logged, not reported as a failed execution as a stall is (consumer-stall-watch.ts): the trigger goes
 * on by itself with every topic that exists, and a dropped table is the ordinary life of a CDC
 * database, where a failed execution each time would run the Error Workflow for nothing.
 *
 * Compacted topics (refuseCompactedTopics, compacted-topics.ts): activation refuses them, a new one a
 * look finds is left out, and every look also reads the subscribed topics' cleanup.policy again
 * (CompactedTopicHold, compacted-topic-hold.ts) and holds a topic that compacts now, its partitions paused
 * in the running consumer until the user releases it, the hold kept in the group's committed offsets and
 * read back at each assignment (compacted-hold-mark.ts); the looks then come at least every compactedTopicCheckMs (60 s), also with
 * New Topics Check at 0 or longer, and those in between only read the policy. The marks are read back
 * wherever Tombstones is "Skip", also where the workflow no longer refuses compacted topics (Keep Order
 * switched off under flattened deletes, `__deleted` mapped as data, a graph n8n did not hand over): a
 * mark found holds its topic all the same, until released by name. Before, such a trigger read no mark,
 * and its first commit of each partition dropped the hold for the whole group without a log line (late
 * review session 20, H2); its policy is still not read (no DescribeConfigs asked of such a workflow).
 * With other Tombstones the marks are read too, and a hold found is released with a warning naming it.
 *
 * Nothing is lost across a restart: close commits only what finished, and the new consumer starts
 * from the committed offsets; an execution close could not wait for is redelivered (and with Keep
 * Order per Partition fenced, partition-fence.ts). This wrapper's admin only lists topics (Metadata
 * for all topics, no target set) and reads their cleanup.policy (DescribeConfigs, which adds no topic to
 * kafkajs' target set either: admin/index.js describeConfigs): it never fetches or refreshes a topic by
 * name, so a deletion does not poison it.
 */
import type { Admin, Kafka } from 'kafkajs';

import { untilAborted } from '../common/abortable';
import { createKafka, endLeftoverSockets } from './client';
import { CloseDeadline } from './close-deadline';
import { CompactedTopicHold } from './compacted-topic-hold';
import { COMPACTED_TOPICS_FIX, compactedTopics, compactedTopicsMessage } from './compacted-topics';
import type { RunExecution, SinkerConsumerOptions } from './consumer-options';
import { SinkerConsumer, type CloseReport } from './sinker-consumer';
import { isUnknownTopicError, topicChange, topicNames, type TopicChange } from './topic-changes';

/** How often the topics are looked at, unless the options say otherwise. */
export const DEFAULT_TOPIC_CHECK_MS = 30_000;

/** How often the subscribed topics' cleanup.policy is read again where compacted topics are refused, unless the options say otherwise. */
export const DEFAULT_COMPACTED_TOPIC_CHECK_MS = 60_000;

/** A timer may fire a millisecond before Date.now() reaches its due time (partition-state.ts fenceFor): still due. */
const TIMER_SLACK_MS = 10;

/** Starts of a restart: a topic deleted between the look and the subscription makes another look and start. */
const START_ATTEMPTS = 3;

/**
 * Whether the trigger keeps the compacted-topic holds the group's offsets carry (compacted-hold-mark.ts):
 * wherever it refuses compacted topics, and wherever Tombstones is "Skip" (H2 above). Tombstones "Delete
 * the Row of Its Key" or "Emit" is a release on purpose (each tombstone deletes its row, or is an item):
 * the hold found is released then with a warning naming it, no longer dropped by the next commit unsaid.
 */
export function keepsCompactedHolds(options: Pick<SinkerConsumerOptions, 'refuseCompactedTopics' | 'parser'>): boolean {
	return options.refuseCompactedTopics === true || options.parser.tombstones === 'skip';
}

/** What the trigger holds of a consumer: a SinkerConsumer, or this wrapper with its face. */
export type TriggerConsumer = Pick<SinkerConsumer, 'assigned' | 'inFlight' | 'close'>;

export class FollowingConsumer {
	/** Undefined while no topic of a list exists (and before the first start). */
	private current: SinkerConsumer | undefined;
	private closed = false;
	private checking: Promise<void> | undefined;
	/** An unknown topic was met while a check ran: look again right after it. */
	private checkAgain = false;
	private timer: NodeJS.Timeout | undefined;
	private readonly foundLater = new Set<string>();
	/** Compacted topics left out of the subscription, each warned about once (leaveOutCompacted). */
	private readonly warnedCompacted = new Set<string>();
	/** The topics the current consumer subscribes to (for a list: in the list's order). */
	private known = new Set<string>();
	private readonly intervalMs: number;
	/**
	 * Subscribed topics held because they compact now (refuseCompactedTopics, read again at every look) or
	 * because the group's offsets carry a hold (wherever Tombstones is "Skip": keepsCompactedHolds; elsewhere
	 * a hold found is released with a warning naming it).
	 */
	private readonly hold: CompactedTopicHold;
	/** How often the policy is read at least (looks that only read it come in between); 0 where compacted topics are not refused. */
	private readonly policyEveryMs: number;
	/** When the topics are listed next, and when the next look is due at the latest (Infinity: none). */
	private topicsDueAt = Infinity;
	private policyDueAt = Infinity;
	/** close() stopped waiting for a check's restart at its deadline: a consumer that restart starts is closed at once. */
	private stoppedWaiting = false;
	/** Set once the first consumer started: until then a crash is the start's own business. */
	private started = false;

	private constructor(
		private readonly options: SinkerConsumerOptions,
		private readonly run: RunExecution,
		private readonly kafka: Kafka,
		private readonly admin: Admin,
	) {
		this.intervalMs = options.topicCheckIntervalMs ?? DEFAULT_TOPIC_CHECK_MS;
		const compactedEveryMs = options.compactedTopicCheckMs ?? DEFAULT_COMPACTED_TOPIC_CHECK_MS;
		this.policyEveryMs = options.refuseCompactedTopics !== true ? 0 : this.intervalMs > 0 ? Math.min(this.intervalMs, compactedEveryMs) : compactedEveryMs;
		const releasingTombstones = keepsCompactedHolds(options) || options.parser.tombstones === 'skip' ? undefined : options.parser.tombstones;
		this.hold = new CompactedTopicHold({ admin, options, logger: options.logger, everyMs: this.policyEveryMs, releasingTombstones });
	}

	/** A consumer of `options`; one that follows the topics, except in an editor test run (one execution, then closed). */
	static async start(options: SinkerConsumerOptions, run: RunExecution): Promise<TriggerConsumer> {
		if (options.manual !== undefined) return SinkerConsumer.start(options, run);
		const kafka = createKafka(options.connection, { logger: options.logger });
		const admin = kafka.admin();
		await admin.connect();
		const following = new FollowingConsumer(options, run, kafka, admin);
		try {
			await following.begin();
		} catch (error) {
			await following.disconnectAdmin();
			throw error;
		}
		following.started = true;
		following.setDueTimes(true);
		following.schedule();
		return following;
	}

	private async begin(): Promise<void> {
		const { now, missing } = topicChange(this.options.topics, new Set(), await this.admin.listTopics(), true);
		// The whole list is subscribed, as before: a topic the credential may not describe is missing from
		// the listing too, and kafkajs' refusal then names the authorisation, not a deletion.
		this.known = missing.length > 0 && 'names' in this.options.topics ? new Set(this.options.topics.names) : now;
		await this.refuseCompacted([...now]);
		try {
			this.current = await SinkerConsumer.start(this.consumerOptions(), this.run);
		} catch (error) {
			if (missing.length === 0 || !isUnknownTopicError(error)) throw error;
			const brokers = this.options.connection.brokers.join(', ');
			const [them, be] = missing.length === 1 ? ['it', 'does'] : ['them', 'do'];
			throw new Error(`Kafka topic${missing.length === 1 ? '' : 's'} ${topicNames(missing)} of Topics ${be} not exist at ${brokers}: create ${them}, or remove ${them} from Topics`, { cause: error });
		}
	}

	private consumerOptions(): SinkerConsumerOptions {
		// Where compacted topics are refused, a pattern is subscribed as the topics checked: kafkajs would
		// resolve it again at subscribe time, taking a compacted topic left out, or one created since.
		const topics = 'names' in this.options.topics || this.options.refuseCompactedTopics === true ? { names: [...this.known] } : this.options.topics;
		const hold = this.hold;
		// The holds the group's offsets carry, read by the consumer at each assignment: held again unless released.
		// Found only for partitions assigned, so of subscribed topics (a pattern's topic kafkajs resolved after the listing included).
		const onCompactedHolds = (found: ReadonlyMap<string, number>) => {
			hold.restore(found, [...new Set([...this.known, ...found.keys()])]);
			return { topics: hold.topics(), marks: hold.marks() };
		};
		return { ...this.options, topics, topicsFoundLater: [...this.foundLater], heldTopics: hold.topics(), heldMarks: hold.marks(), onCompactedHolds, onUnknownTopic: () => this.lookNow() };
	}

	assigned(): Map<string, number[]> {
		return this.current?.assigned() ?? new Map();
	}

	get inFlight(): number {
		return this.current?.inFlight ?? 0;
	}

	/** After a look (or the start): the next listing when this one `listed`, the next policy read in any case. */
	private setDueTimes(listed: boolean): void {
		const now = Date.now();
		if (listed) this.topicsDueAt = this.intervalMs > 0 ? now + this.intervalMs : Infinity;
		this.policyDueAt = this.policyEveryMs > 0 ? now + this.policyEveryMs : Infinity;
	}

	private schedule(): void {
		clearTimeout(this.timer);
		const next = Math.min(this.topicsDueAt, this.policyDueAt);
		if (this.closed || next === Infinity) return;
		this.timer = setTimeout(() => void this.look(Date.now() + TIMER_SLACK_MS >= this.topicsDueAt), Math.max(0, next - Date.now()));
	}

	/** A consumer's crash or commit met a topic the broker does not know: look now, not at the next check. */
	private lookNow(): void {
		if (this.closed || !this.started) return;
		if (this.checking) this.checkAgain = true;
		else void this.look();
	}

	/** Reads the subscribed topics' policy again (with the hold), and lists the topics when `listTopics`. */
	private look(listTopics = true): Promise<void> {
		clearTimeout(this.timer);
		if (this.closed) return Promise.resolve();
		this.checking = this.check(listTopics).finally(() => {
			this.checking = undefined;
			this.setDueTimes(listTopics);
			if (!this.checkAgain) return this.schedule();
			this.checkAgain = false;
			void this.look();
		});
		return this.checking;
	}

	private async check(listTopics: boolean): Promise<void> {
		// The policy first: a restart below then starts the consumer with the topics held as they are now.
		await this.recheckCompacted();
		if (listTopics) await this.followTopics();
	}

	/**
	 * The subscribed topics' cleanup.policy read again (CompactedTopicHold, which holds on a failed read:
	 * fail-closed, as activation): the running consumer pauses the topics that compact now, and resumes those
	 * held only because their policy could not be read once it reads as not compacting. A topic held for
	 * compacting is never resumed by this consumer: the cleaner may have compacted its unread messages.
	 */
	private async recheckCompacted(): Promise<void> {
		// Holds only kept (refuseCompactedTopics off): no policy is read, as no activation refuses one.
		if (this.policyEveryMs === 0 || this.closed) return;
		if (await this.hold.recheck([...this.known])) this.current?.holdTopics(this.hold.topics(), this.hold.marks());
	}

	private async followTopics(): Promise<void> {
		try {
			const change = topicChange(this.options.topics, this.known, await this.admin.listTopics(), this.intervalMs > 0);
			await this.leaveOutCompacted(change);
			if (this.closed || (change.added.length === 0 && change.deleted.length === 0)) return;
			this.tell(change);
			this.known = change.now;
			for (const topic of change.added) this.foundLater.add(topic);
			// Created again later, it is found again as a topic met later.
			for (const topic of change.deleted) this.foundLater.delete(topic);
			if (change.deleted.length > 0) {
				this.current?.forgetTopics(change.deleted);
				this.hold.forget(change.deleted);
			}
			await this.restart();
		} catch (error) {
			this.options.logger?.warn(`Kafka: looking at the subscribed topics failed: ${(error as Error).message}`);
		}
	}

	/**
	 * The compacted ones of `topics` where the options refuse them (refuseCompactedTopics), else none;
	 * `unknown` with the brokers' error when they cannot tell (no DescribeConfigs permission, a broker
	 * restarting). Unknown is treated as compacted: a topic let in on a failed lookup would be read with
	 * Skip and never looked at again.
	 */
	private async compactedOf(topics: string[]): Promise<{ compacted: string[] } | { unknown: string }> {
		if (this.options.refuseCompactedTopics !== true || topics.length === 0) return { compacted: [] };
		try {
			return { compacted: await compactedTopics(this.admin, topics) };
		} catch (error) {
			return { unknown: (error as Error).message };
		}
	}

	/** At activation: a compacted topic, or one the brokers cannot say, refuses the start. */
	private async refuseCompacted(topics: string[]): Promise<void> {
		const found = await this.compactedOf(topics);
		if ('unknown' in found) {
			throw new Error(
				`Kafka: could not read whether topics ${topics.join(', ')} are compacted (${found.unknown}); a compacted one would lose deletes under Tombstones "Skip" where a Doris Schema node deletes by Debezium's delete events (op d, or flattened __deleted "true"). ` +
					`Let this credential describe the topics' configuration (DescribeConfigs), or ${COMPACTED_TOPICS_FIX}`,
			);
		}
		if (found.compacted.length > 0) throw new Error(compactedTopicsMessage(found.compacted));
	}

	/**
	 * New topics that are compacted stay out of the subscription (refuseCompactedTopics), with one
	 * warning each; so do all of them for this round when the brokers cannot tell, looked at again at
	 * the next check. A topic whose policy changed to delete is subscribed at the next check.
	 */
	private async leaveOutCompacted(change: TopicChange): Promise<void> {
		const found = await this.compactedOf(change.added);
		const out = 'unknown' in found ? [...change.added] : found.compacted;
		if (out.length === 0) return;
		for (const topic of out) change.now.delete(topic);
		change.added = change.added.filter((topic) => !out.includes(topic));
		if ('unknown' in found) {
			this.options.logger?.warn(`Kafka: could not read whether new topics ${out.join(', ')} are compacted (${found.unknown}); not subscribed until it can be read (looked at again at the next New Topics Check): ${COMPACTED_TOPICS_FIX}`, { topics: out });
			return;
		}
		const unwarned = out.filter((topic) => !this.warnedCompacted.has(topic));
		for (const topic of unwarned) this.warnedCompacted.add(topic);
		if (unwarned.length > 0) this.options.logger?.warn(`${compactedTopicsMessage(unwarned)}. Not subscribed: their messages stay unread and uncommitted until then (looked at again at every New Topics Check)`, { topics: unwarned });
	}

	/** One log line per kind of change, naming the topics. */
	private tell({ added, deleted, now, missing }: TopicChange): void {
		const logger = this.options.logger;
		const subscription = this.options.topics;
		const back = this.intervalMs > 0 ? `looked for every ${this.intervalMs / 1000} s` : 'New Topics Check is 0: reactivate the workflow once it exists again';
		if ('pattern' in subscription) {
			const { pattern } = subscription;
			if (added.length > 0) logger?.info(`Kafka: new topics match ${pattern}: ${added.join(', ')}; restarting the consumer to subscribe to them`, { topics: added });
			if (deleted.length > 0) logger?.warn(`Kafka: topics matching ${pattern} were deleted: ${deleted.join(', ')}; restarting the consumer without them (their unread messages went with them)`, { topics: deleted });
			return;
		}
		if (added.length > 0) logger?.info(`Kafka: listed topics exist again: ${topicNames(added)}; restarting the consumer to read them from their first message`, { topics: added });
		if (deleted.length > 0) {
			logger?.warn(
				`Kafka: listed topics were deleted: ${topicNames(deleted)}; restarting the consumer without them (their unread messages went with them). ` +
					`The other topics go on; a deleted one is read again from its first message when it is created again (${back})`,
				{ topics: deleted },
			);
		}
		if (now.size === 0) logger?.warn(`Kafka: no topic of the list exists (${topicNames(missing)}); the trigger consumes nothing until one is created again (${back})`, { topics: missing });
	}

	private async restart(): Promise<void> {
		// Executions in flight may be waiting for a Stream Load batch to fill: load it now, so close can
		// commit them instead of giving them up at its timeout to the new consumer (which loads them again).
		const flushed = this.options.flushBuffered?.().catch((error: unknown) => {
			this.options.logger?.warn(`Kafka: loading what was buffered before the restart failed: ${(error as Error).message}`);
		});
		const closing = this.current;
		const [report] = await Promise.all([closing?.close(), flushed]);
		if (this.current === closing) this.current = undefined;
		if (report && report.abandoned > 0) this.options.logger?.warn('Kafka: restarted for changed topics with executions still in flight; they are redelivered', { abandoned: report.abandoned });
		for (let attempt = 1; !this.closed && !('names' in this.options.topics && this.known.size === 0); attempt++) {
			try {
				const started = await SinkerConsumer.start(this.consumerOptions(), this.run);
				// Started after close() stopped waiting for this restart (its deadline passed): nobody else closes it.
				if (this.stoppedWaiting) await started.close();
				else this.current = started;
				return;
			} catch (error) {
				if (attempt < START_ATTEMPTS && isUnknownTopicError(error)) {
					// Deleted between the look and the subscription: subscribe to what is left.
					const change = topicChange(this.options.topics, this.known, await this.admin.listTopics(), false);
					this.tell({ ...change, added: [] });
					this.known = new Set([...this.known].filter((t) => change.now.has(t)));
					for (const topic of change.deleted) this.foundLater.delete(topic);
					continue;
				}
				this.options.onFatalError?.(error instanceof Error ? error : new Error(String(error)));
				return;
			}
		}
	}

	/**
	 * Closes the consumer within one Close Timeout (close-deadline.ts), every wait included: a restart
	 * under way (a consumer it starts after this close stopped waiting is closed as soon as it started),
	 * the load of what is buffered for the executions in flight (started at once, as restart does, so they
	 * finish instead of waiting out the batch interval), the admin's disconnect.
	 */
	async close(): Promise<CloseReport> {
		const deadline = new CloseDeadline(this.options.closeTimeoutMs);
		this.closed = true;
		clearTimeout(this.timer);
		this.hold.end();
		const flushed = this.options.flushBuffered?.().catch((error: unknown) => {
			this.options.logger?.warn(`Kafka: loading what was buffered at close failed: ${(error as Error).message}`);
		});
		try {
			this.stoppedWaiting = !(await untilAborted(this.checking?.catch(() => undefined) ?? Promise.resolve(), deadline.signal));
			return (await this.current?.close(deadline)) ?? { drained: true, abandoned: 0 };
		} finally {
			await untilAborted(flushed ?? Promise.resolve(), deadline.signal);
			await this.disconnectAdmin(deadline.signal);
			deadline.end();
		}
	}

	/**
	 * Disconnects the topic listing's admin client and ends what kafkajs left open of it (client.ts
	 * endLeftoverSockets): after a listing met a deleted topic, a connection kafkajs reopened outside its
	 * pool held the process until the broker's 10-minute idle timeout (measured in the deleted-topic
	 * test: its file ended its tests, then waited ~10 minutes to exit).
	 */
	private async disconnectAdmin(signal?: AbortSignal): Promise<void> {
		await untilAborted(this.admin.disconnect(), signal).catch(() => undefined);
		endLeftoverSockets(this.kafka);
	}
}
