/**
 * Subscribed topics whose cleanup.policy was changed to compact after activation, held (compacted-topics.ts
 * says why such a topic loses deletes under Tombstones "Skip" behind Debezium Envelopes). Activation
 * refuses a compacted topic and a pattern leaves a new one out, but a topic's policy can be altered while
 * the workflow runs (kafka-configs --alter, a platform default applied later): before this hold it was
 * never read again, and the consumer went on reading it with Skip, losing every op d event the cleaner
 * removed. The New Topics Check loop (following-consumer.ts) reads the policy of every subscribed topic
 * at each look; a topic that compacts now is held: its partitions paused in the running consumer
 * (PartitionControl.holdTopics), so nothing more of it is handed out or committed, while the executions
 * in flight finish and commit as usual. An error names the topic, the setting and the fix, and
 * kafka_compacted_topic_held{workflow,group,topic} is 1 until its policy is delete again; then it is read
 * on from where it stopped.
 *
 * Fail-closed: a topic whose policy cannot be read (the credential lost DescribeConfigs, the topic deleted
 * meanwhile, the brokers unreachable) is held too, as activation refuses and a New Topics Check leaves a
 * new topic out in that case. Reading on would bet a silent, permanent loss on the policy being unchanged;
 * holding costs a delay that is visible (the error, the gauge) and lifts itself at the next look that reads
 * the policy. With the brokers down the fetches fail as well, so holding then costs nothing more.
 */
import type { Admin } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';
import { cleanupPolicies, COMPACTED_TOPICS_FIX, compactedTopicsMessage } from './compacted-topics';
import type { SinkerConsumerOptions } from './consumer-options';

/** Why a topic is held: its policy compacts, or could not be read (the brokers' error). */
export type HoldReason = { kind: 'compact' } | { kind: 'unreadable'; error: string };

export interface CompactedTopicHoldContext {
	readonly admin: Pick<Admin, 'describeConfigs'>;
	readonly options: Pick<SinkerConsumerOptions, 'groupId' | 'labels'>;
	readonly logger: SinkerLogger | undefined;
	/** How often the policy is read again, for the log lines. */
	readonly everyMs: number;
}

export class CompactedTopicHold {
	private readonly held = new Map<string, HoldReason>();
	/** Topics with a kafka_compacted_topic_held series out. */
	private readonly shown = new Set<string>();
	/** Set by end(): a read still under way at close shows nothing afterwards. */
	private ended = false;

	constructor(private readonly ctx: CompactedTopicHoldContext) {}

	/** The topics held now. */
	topics(): string[] {
		return [...this.held.keys()];
	}

	/**
	 * Reads the cleanup.policy of the `subscribed` topics again and holds those that compact or cannot be
	 * read, releases the others. Returns whether the held topics changed (the consumer is told then).
	 */
	async recheck(subscribed: readonly string[]): Promise<boolean> {
		const now = await this.read(subscribed);
		const before = new Set(this.held.keys());
		const compactNew: string[] = [];
		const unreadableNew = new Map<string, string>();
		for (const [topic, reason] of now) {
			if (this.held.get(topic)?.kind === reason.kind) continue;
			if (reason.kind === 'compact') compactNew.push(topic);
			else unreadableNew.set(topic, reason.error);
		}
		const released = [...before].filter((topic) => !now.has(topic));
		this.held.clear();
		for (const [topic, reason] of now) this.held.set(topic, reason);
		this.tell(compactNew, unreadableNew, released);
		this.show(subscribed);
		return released.length > 0 || [...now.keys()].some((topic) => !before.has(topic));
	}

	/** Topics deleted from the cluster: nothing to hold, no series. */
	forget(topics: readonly string[]): void {
		for (const topic of topics) {
			this.held.delete(topic);
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
			for (const topic of compacted) now.set(topic, { kind: 'compact' });
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
			logger?.error(
				`${compactedTopicsMessage(compactNew)}. ${Its} cleanup.policy changed to compact while the workflow ran: ${its} partitions are paused, nothing more of ${it} read or committed ` +
					`(executions in flight finish and commit), until ${its} cleanup.policy is delete again (${every}); then ${one ? 'it is' : 'they are'} read on from where ${one ? 'it' : 'they'} stopped`,
				{ topics: compactNew },
			);
		}
		if (unreadableNew.size > 0) {
			const topics = [...unreadableNew.keys()];
			const errors = [...new Set(unreadableNew.values())].join('; ');
			logger?.error(
				`Kafka: could not read whether subscribed topics ${topics.join(', ')} are compacted (${errors}); a compacted one would lose deletes under Tombstones "Skip" behind Debezium Envelopes, so their partitions are paused, nothing more of them read or committed, until it can be read (${every}). ` +
					`Let this credential describe the topics' configuration (DescribeConfigs), or ${COMPACTED_TOPICS_FIX}`,
				{ topics },
			);
		}
		if (released.length > 0) logger?.info(`Kafka: topics ${released.join(', ')} are not compacted (cleanup.policy read again): reading them on from where they were paused`, { topics: released });
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
