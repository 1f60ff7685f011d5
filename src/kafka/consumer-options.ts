/**
 * Everything the sinker consumer needs, typed, with the defaults a Doris sinker wants (the Go
 * doris-sinker's max_fetch_records = 5000 and max_fetch_bytes = 10 MB; several executions in flight), and the one
 * place that checks them: errors name the option and the value.
 */
import type { ConsumerConfig } from 'kafkajs';

import { backoffDelay, type BackoffSteps } from '../common/backoff';
import type { SinkerLogger } from './client';
import type { KafkaConnection } from './connection';
import type { ReleasedHold } from './compacted-hold-mark';
import type { MessageParserOptions, TriggerItem } from './message-parser';
import type { StallReport } from './stall-watch';
import { plainKeyColumn } from './tombstone-keys';

export type TopicSubscription = { names: string[] } | { pattern: RegExp };

export interface SinkerConsumerOptions {
	connection: KafkaConnection;
	groupId: string;
	topics: TopicSubscription;
	/**
	 * Where the topics present when the group starts begin, for partitions with no committed offset:
	 * earliest (true) or latest (false). A topic met later starts at its earliest (start-positions.ts).
	 */
	fromBeginning: boolean;
	maxRecordsPerExecution: number;
	/** Key + value bytes per execution; a single bigger message still travels alone. */
	maxBytesPerExecution: number;
	/**
	 * kafkajs maxBytesPerPartition: the most one fetch brings per partition. The broker exceeds it only for
	 * the first partition of the fetch that has data (ReplicaManager readFromLocalLog: minOneMessage is
	 * false once a partition returned data); on a later partition it returns the limit's worth, and kafkajs
	 * drops a batch cut short (fetch/v4/decodeMessages.js). kafkajs 2.2.4 asks for the partitions of a
	 * broker in the same order every fetch (full fetches, no fetch session), so a message bigger than this
	 * on a later partition waits until every earlier partition of that broker has nothing new: its lag
	 * grows under load (README Troubleshooting).
	 */
	fetchMaxBytesPerPartition: number;
	/** kafkajs maxBytes: the most one fetch response brings in total. */
	fetchMaxBytes: number;
	/** How long the broker may hold an empty fetch; also kafkajs' sleep when every partition is paused. */
	fetchMaxWaitMs: number;
	/** Window: executions handed to n8n and not finished yet. */
	executionsInFlight: number;
	sessionTimeoutMs: number;
	heartbeatIntervalMs: number;
	rebalanceTimeoutMs: number;
	/** An execution not finished by then counts as failed and is redelivered; 0 = wait forever. */
	executionTimeoutMs: number;
	/**
	 * At most one execution per partition in flight (partitions still run in parallel), so no row of
	 * a partition loads before an earlier one; every execution's items carry its deadline (now +
	 * executionTimeoutMs, which must then be > 0) and partitions are fenced across owners
	 * (partition-fence.ts). Default false.
	 */
	keepPartitionOrder?: boolean;
	/**
	 * How often to look at the subscribed topics (following-consumer.ts): new ones of a pattern, and listed
	 * ones created again after a deletion; 0 = never (a deletion is still noticed: onUnknownTopic).
	 * Default 30 s.
	 */
	topicCheckIntervalMs?: number;
	/**
	 * Loads what the process holds buffered for executions in flight (n8n: every Stream Load batch).
	 * The New Topics Check's restart calls it as n8n's close does: an execution waiting for its batch
	 * would otherwise outlast the Close Timeout, be handed over again by the new consumer and load twice.
	 */
	flushBuffered?: () => Promise<void>;
	/** Topics the New Topics Check found after activation (new in a pattern, or a listed one created again): they start at their earliest offset. */
	topicsFoundLater?: string[];
	/**
	 * A fetch, an offset commit or the consumer itself failed because the broker does not know a topic
	 * (UNKNOWN_TOPIC_OR_PARTITION; unknown-topic-watch.ts): a subscribed topic was most likely deleted, and
	 * kafkajs crashes over it until restarted without it (following-consumer.ts looks at the topics at once).
	 */
	onUnknownTopic?: () => void;
	redeliveryBackoff: { initialMs: number; maxMs: number };
	/** Close waits this long for executions in flight before it commits and disconnects. */
	closeTimeoutMs: number;
	/** Rebalance: how long to wait for executions in flight before giving partitions up. */
	rebalanceDrainMs: number;
	/** Lag (end offset − committed offset) is measured this often; 0 turns it off. */
	lagIntervalMs: number;
	parser: MessageParserOptions;
	/**
	 * Editor test run: never commit, emit only the first execution, and start each partition
	 * `recentMessages` before its end so a sample arrives at once when the topic has data.
	 */
	manual?: { recentMessages: number };
	/** Prometheus labels. */
	labels: { workflow: string; node: string };
	logger?: SinkerLogger;
	/** A crash kafkajs will not restart from, after the consumer had started (n8n: emitError). */
	onFatalError?: (error: Error) => void;
	/**
	 * How long the group coordinator may stay silent, with kafkajs crashing and restarting the consumer,
	 * before onStall reports it (stall-watch.ts); 0 = only the log. SINKER_DEFAULTS.stallReportMs when unset.
	 * Never in an editor test run.
	 */
	stallReportMs?: number;
	/** Once per stall (n8n: saveFailedExecution, so the execution list shows it and the Error Workflow runs). */
	onStall?: (report: StallReport) => void;
	/**
	 * Whether the first tombstone Tombstones "Skip" skips on each partition is warned about (default on):
	 * on a compacted changelog whose tombstones are its deletes, Skip drops every delete. The trigger
	 * turns it off where a Doris Schema node reads Debezium Envelopes, whose op d event deletes.
	 */
	warnSkippedTombstones?: boolean;
	/**
	 * Tombstones are skipped and a Doris Schema node deletes rows by Debezium's delete events (op d, or
	 * a flattened record's `__deleted: "true"`: src/common/event-deletes.ts): a
	 * compacted topic can lose the event and keep only the tombstone (compacted-topics.ts), so such a
	 * topic is refused at activation and left out when a pattern finds it later. Not in an editor test run.
	 */
	refuseCompactedTopics?: boolean;
	/**
	 * With refuseCompactedTopics, how often the subscribed topics' cleanup.policy is read again while the
	 * consumer runs (compacted-topic-hold.ts), besides every New Topics Check. Internal (tests set it);
	 * DEFAULT_COMPACTED_TOPIC_CHECK_MS when unset.
	 */
	compactedTopicCheckMs?: number;
	/** Subscribed topics held from the first join, their partitions paused (a restart of following-consumer.ts passes them on). */
	heldTopics?: readonly string[];
	/** Of heldTopics, those held for compacting: topic → the mark their commits carry (compacted-hold-mark.ts). */
	heldMarks?: ReadonlyMap<string, string>;
	/**
	 * Set by following-consumer.ts (not in an editor test run): the consumer reads the group's offsets of
	 * each partition assigned to it (compacted-hold-lookup.ts) and tells the holds they carry (topic → when
	 * each began); the answer is every topic to hold from now on, and the marks of those held for compacting.
	 */
	onCompactedHolds?: (held: ReadonlyMap<string, number>) => { topics: string[]; marks: ReadonlyMap<string, string> };
	/** Holds the user releases (the trigger's "Release Compacted-Topic Holds", compacted-hold-mark.ts). */
	releasedCompactedHolds?: readonly ReleasedHold[];
	observer?: SinkerObserver;
}

/** Counters of one consumer's life, shared by its emit path and its commit loop. */
export interface SinkerStats {
	executionsStarted: number;
	executionsSucceeded: number;
	executionsFailed: number;
	messages: number;
	parseErrors: number;
	tombstonesSkipped: number;
	redeliveries: number;
	commits: number;
	maxInFlight: number;
}

/** A consumer's counters before anything happened. */
export function zeroSinkerStats(): SinkerStats {
	return { executionsStarted: 0, executionsSucceeded: 0, executionsFailed: 0, messages: 0, parseErrors: 0, tombstonesSkipped: 0, redeliveries: 0, commits: 0, maxInFlight: 0 };
}

/** Optional hooks, for logs and tests; called synchronously, must not throw. */
export interface SinkerObserver {
	onExecution?(execution: SinkExecution): void;
	/** The broker confirmed a commit of `offset` (kafkajs COMMIT_OFFSETS event). */
	onCommit?(topic: string, partition: number, offset: string): void;
	/**
	 * A commit of `offset` is about to go to kafkajs (commitOffsets), before any answer. Every row below
	 * it must be in Doris already: a test checks there, since a commit ahead of Doris whose rows finish
	 * loading before the broker confirms it would look sound at onCommit.
	 */
	onCommitRequest?(topic: string, partition: number, offset: string): void;
	onRedeliver?(topic: string, partition: number, offset: string, attempt: number): void;
	onAssignment?(assignment: Record<string, number[]>): void;
	onPauseChange?(paused: boolean): void;
}

/** One execution: consecutive messages of one partition. */
export interface SinkExecution {
	readonly topic: string;
	readonly partition: number;
	readonly firstOffset: string;
	readonly lastOffset: string;
	readonly items: TriggerItem[];
	/** Key + value bytes of the messages. */
	readonly bytes: number;
	/** Messages in the range, including skipped tombstones. */
	readonly messages: number;
	/** How many times this partition has been redelivered since its last successful commit. */
	readonly attempt: number;
	/** With keepPartitionOrder: ms since the epoch after which its rows must not start loading. */
	readonly loadBy?: number;
}

/**
 * `settled` (on a failure): the execution ended on an error a node raised, so none of its rows is
 * still on its way to Doris (the Stream Load node fails only once its batches are settled). Without
 * it (cancelled, crashed, timed out) its rows may still load until its deadline.
 */
export type ExecutionOutcome = { ok: true } | { ok: false; reason: string; settled?: boolean };

/** The n8n boundary: start a workflow execution for the items and report how it ended. */
export type RunExecution = (execution: SinkExecution, signal: AbortSignal) => Promise<ExecutionOutcome>;

export const SINKER_DEFAULTS = {
	fromBeginning: true,
	maxRecordsPerExecution: 5000,
	maxBytesPerExecution: 10 * 1024 * 1024,
	fetchMaxBytesPerPartition: 10 * 1024 * 1024,
	fetchMaxBytes: 10 * 1024 * 1024,
	fetchMaxWaitMs: 1000,
	executionsInFlight: 10,
	sessionTimeoutMs: 30_000,
	heartbeatIntervalMs: 3_000,
	rebalanceTimeoutMs: 60_000,
	// Above what the Doris Stream Load node may take at its defaults (a 10 s batch interval, retries
	// bounded by 2 × (600 s load timeout + 60 s), a last attempt that waits out a running label): an
	// execution timed out while its rows' load can still commit is redelivered, and those rows then
	// load twice. One hour, as n8n's own Kafka trigger waits by default.
	executionTimeoutMs: 3_600_000,
	redeliveryBackoff: { initialMs: 1_000, maxMs: 60_000 },
	closeTimeoutMs: 30_000,
	rebalanceDrainMs: 25_000,
	lagIntervalMs: 30_000,
	// A broker restart, a coordinator moving, a rolling upgrade are over in well under a minute (kafkajs
	// restarts the consumer ~10 s after the broker answers again, docs/reliability.md); five minutes of
	// silence is an outage someone should hear of.
	stallReportMs: 300_000,
} as const;

/** kafkajs' consumer settings for these options; `isClosing` vetoes kafkajs' restart once the consumer closes. */
export function kafkajsConsumerConfig(options: SinkerConsumerOptions, isClosing: () => boolean): ConsumerConfig {
	return {
		groupId: options.groupId,
		sessionTimeout: options.sessionTimeoutMs,
		heartbeatInterval: options.heartbeatIntervalMs,
		rebalanceTimeout: options.rebalanceTimeoutMs,
		maxBytesPerPartition: options.fetchMaxBytesPerPartition,
		maxBytes: Math.max(options.fetchMaxBytes, options.fetchMaxBytesPerPartition),
		maxWaitTimeInMs: options.fetchMaxWaitMs,
		allowAutoTopicCreation: false,
		// kafkajs notices added partitions only on a metadata refresh (default every 300 s); until then
		// their messages wait, and a group reading new data only would skip what was written meanwhile.
		metadataMaxAge: 30_000,
		// consumer/index.js onCrash consults this only for retriable errors (e.g. the coordinator
		// still loading the group, or a coordinator lookup that met a broker going down: kafkajs
		// calls that retriable only with coordinator-lookup.ts); never restart after close: no
		// restart loop, no ghost member.
		retry: { restartOnFailure: async () => !isClosing() },
	};
}

/**
 * Exponential, capped, without jitter (the schedule the settings promise): initial, 2×initial …
 * up to max. `attempt` starts at 1.
 */
export function redeliveryDelay(attempt: number, backoff: BackoffSteps): number {
	return backoffDelay(backoff, attempt, 'none');
}

/**
 * Parses the topics parameter: a comma/newline list of names, or one regular expression. A pattern's
 * flags g and y are dropped: they make a RegExp remember where it last matched, and kafkajs tests every
 * topic name with the same RegExp (consumer/index.js subscribe, as subscribedTopics in topic-changes.ts does), so with them
 * every second matching topic failed its test and was never consumed, without a word.
 */
export function parseTopics(text: string, isPattern: boolean): TopicSubscription {
	const trimmed = text.trim();
	if (isPattern) {
		const literal = /^\/(.+)\/([a-z]*)$/.exec(trimmed);
		try {
			return { pattern: literal ? new RegExp(literal[1], literal[2].replace(/[gy]/g, '')) : new RegExp(trimmed) };
		} catch (error) {
			throw new Error(`Topics pattern "${trimmed}" is not a regular expression: ${(error as Error).message}`);
		}
	}
	const names = trimmed
		.split(/[\s,]+/)
		.map((name) => name.trim())
		.filter((name) => name !== '');
	if (names.length === 0) throw new Error('Topics: at least one topic name is required');
	for (const name of names) {
		if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name)) throw new Error(`Topic "${name}" is not a valid Kafka topic name`);
	}
	return { names };
}

/** Throws an Error naming the first option whose value cannot work. */
export function validateConsumerOptions(options: SinkerConsumerOptions): void {
	const positive: Array<[string, number]> = [
		['Max Records per Execution', options.maxRecordsPerExecution],
		['Max Bytes per Execution', options.maxBytesPerExecution],
		['Fetch Max Bytes per Partition', options.fetchMaxBytesPerPartition],
		['Fetch Max Bytes', options.fetchMaxBytes],
		['Executions in Flight', options.executionsInFlight],
		['Session Timeout', options.sessionTimeoutMs],
		['Heartbeat Interval', options.heartbeatIntervalMs],
		['Rebalance Timeout', options.rebalanceTimeoutMs],
		['Redelivery Backoff', options.redeliveryBackoff.initialMs],
		['Max Redelivery Backoff', options.redeliveryBackoff.maxMs],
	];
	for (const [name, value] of positive) {
		if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
	}
	const nonNegative: Array<[string, number]> = [
		['Execution Timeout', options.executionTimeoutMs],
		['Close Timeout', options.closeTimeoutMs],
		['Rebalance Drain', options.rebalanceDrainMs],
		['Lag Interval', options.lagIntervalMs],
		['Report Stalled Consumer After', options.stallReportMs ?? 0],
		['Fetch Max Wait', options.fetchMaxWaitMs],
	];
	for (const [name, value] of nonNegative) {
		if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be zero or more, got ${value}`);
	}
	if (!Number.isInteger(options.executionsInFlight)) {
		throw new Error(`Executions in Flight must be a whole number, got ${options.executionsInFlight}`);
	}
	// kafkajs refuses a heartbeat interval ≥ the session timeout (consumer/index.js); a third is Kafka's advice.
	if (options.heartbeatIntervalMs >= options.sessionTimeoutMs) {
		throw new Error(
			`Heartbeat Interval (${options.heartbeatIntervalMs} ms) must be lower than Session Timeout (${options.sessionTimeoutMs} ms), ideally a third of it`,
		);
	}
	if (options.parser.tombstones === 'delete' && options.keepPartitionOrder !== true) {
		// Executions of one partition in flight together reach the Doris Stream Load node's shared batch in
		// either order, and a failed one is delivered again after later ones loaded. Doris keeps the row
		// loaded last (one load: by line, be/src/olap/memtable.cpp _sort "sort extra round by _row_pos";
		// across loads: by version), so an upsert landing after the tombstone that followed it in the log
		// brings the deleted row back without a word, and a delete has no sequence value to put it right.
		throw new Error(
			'Tombstones "Delete the Row of Its Key" needs Keep Order per Partition: without it two executions of a partition can load in either order, and an upsert loaded after the tombstone that followed it in the log brings the deleted row back. Turn Keep Order per Partition on (trigger options)',
		);
	}
	// Throws naming the setting and the rule (tombstone-keys.ts); the parser takes it as checked here.
	plainKeyColumn(options.parser.tombstoneKeyColumn, options.parser.tombstones);
	if (options.keepPartitionOrder === true && !(options.executionTimeoutMs > 0)) {
		throw new Error('Keep Order per Partition needs an Execution Timeout above 0: it is the deadline by which an execution\'s rows are loaded or not at all');
	}
	if (options.groupId.trim() === '') throw new Error('Group ID is empty');
	if (options.parser.format === 'schemaRegistry' && !options.parser.schemaRegistry) {
		throw new Error('Message format "Schema Registry" needs a Schema Registry URL');
	}
}
