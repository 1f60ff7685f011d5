/**
 * The core pipeline without n8n, on the real broker and the Doris test server, wired from the same
 * src/ pieces the three nodes wire:
 *
 *   SinkerConsumer (Kafka trigger) → message parser → mapItems (Doris Schema, schema read from the
 *   test server over MySQL) → sortItemsForLoad + loadSortedItems (Doris Stream Load: shared batcher
 *   + client) → the execution's outcome → the consumer commits.
 *
 * `execute` plays n8n: an execution calls the functions the Doris Schema and Doris Stream Load nodes
 * call (src/doris/schema/map-items.ts, src/batch/load-items.ts), puts invalid items on the invalid
 * output, and reports success only once the rows are loaded (Continue On Fail off, as by default). The invariant is checked three times while the run goes on: at every commit the consumer
 * requests (observer.onCommitRequest, before kafkajs sends it) and at every one the broker confirms
 * (synchronously, against the table at that instant), and by sampling the group's committed offsets
 * from the broker (admin.fetchOffsets) and checking each sample against the table.
 *
 * The Doris Schema node's activation and the schema each execution maps with are schema-node.ts; the
 * offsets the broker holds are read with an admin of the pipeline's own, offset-reader.ts.
 */
import type { Kafka } from 'kafkajs';

import type { DorisTargetConfig } from '../../../src/batch/doris-target';
import { firstUnloadable, loadSortedItems, sortItemsForLoad } from '../../../src/batch/load-items';
import { rejectedItems, takenOutItems, type RejectedItem } from '../../../src/batch/rejected-items';
import { countRejectedRows } from '../../../src/batch/rejected-count';
import type { DorisConnection } from '../../../src/doris/connection';
import { mapItemsFollowingSchema, type SchemaSource } from '../../../src/doris/schema/drift';
import { csvRowCheck } from '../../../src/doris/stream-load/wire-format';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import type { RowMapperOptions } from '../../../src/doris/schema/row-mapper';
import { KAFKA_METADATA_FIELD, type KafkaMessageMetadata } from '../../../src/common/item-contract';
import type { KafkaConnection } from '../../../src/kafka/connection';
import type { ExecutionOutcome, SinkExecution, SinkerConsumerOptions } from '../../../src/kafka/consumer-options';
import { SinkerConsumer } from '../../../src/kafka/sinker-consumer';
import type { DorisTestServer } from '../../ground/doris/server';
import { testOptions } from '../../integration/kafka-sinker-helpers';
import { kafkaBrokers } from '../../ground/kafka/env';
import { uniqueName } from '../../ground/kafka/helpers';
import { Capture, render } from './capture';
import type { Ledger } from './ledger';
import { OffsetReader } from './offset-reader';
import { activateSchemaNode } from './schema-node';

export interface PipelineSpec {
	doris: DorisTestServer;
	/** The pipeline reads offsets with an admin of its own from this client (see `reader`). */
	kafka: Kafka;
	ledger: Ledger;
	capture: Capture;
	database: string;
	table: string;
	topic: string;
	/** Defaults to the server's; a wrong one for the wrong-password case. */
	dorisPassword?: string;
	feUrls?: string[];
	dorisTls?: DorisConnection['tls'];
	/** How the consumer reaches Kafka (SASL / TLS cases); PLAINTEXT by default. */
	kafkaConnection?: KafkaConnection;
	/** PLAINTEXT brokers when kafkaConnection is not given; the shared test broker by default. */
	brokers?: string[];
	consumer?: Partial<SinkerConsumerOptions>;
	target?: Partial<Omit<DorisTargetConfig, 'connection' | 'database' | 'table'>>;
	mapper?: Partial<RowMapperOptions>;
	/** Sample committed offsets from the broker this often (ms); 0 = off. */
	sampleMs?: number;
	/** Keep every execution's items and load results in the capture (the security case greps them). */
	captureData?: boolean;
	/** The drift re-read's rate limit (drift.ts); the node's 5 s by default. */
	minRereadMs?: number;
	/** The Doris Schema node's Worker Threads (packed items of 1,000 lines and more map there); 0 by default. */
	workerThreads?: number;
	/** A node before Doris fails this execution when it returns (or resolves to) a reason (the redelivery cases). */
	failExecution?: (execution: SinkExecution) => string | undefined | Promise<string | undefined>;
}

export interface InvalidOut {
	json: Record<string, unknown>;
	info: InvalidInfo;
	meta: KafkaMessageMetadata | undefined;
}

const OK: ExecutionOutcome = Object.freeze({ ok: true });

/**
 * The integration suites' test consumer (short timeouts, so rebalances and redeliveries take seconds),
 * with smaller executions, metadata on every item and tombstones emitted, so the ledger can follow
 * each message to Doris or to the invalid output.
 */
export function consumerDefaults(topic: string, groupId: string, connection: KafkaConnection): Omit<SinkerConsumerOptions, 'logger' | 'observer'> {
	const { logger: _logger, ...options } = testOptions(topic, groupId, {
		connection,
		maxRecordsPerExecution: 200,
		maxBytesPerExecution: 10 * 1024 * 1024,
		fetchMaxBytesPerPartition: 1024 * 1024,
		redeliveryBackoff: { initialMs: 200, maxMs: 2_000 },
		parser: { format: 'json', includeMetadata: true, tombstones: 'emit' },
		labels: { workflow: 'reliability', node: 'Kafka Trigger' },
	});
	return options;
}

export class Pipeline {
	readonly consumers: SinkerConsumer[] = [];
	/**
	 * Invalid output, one entry per message (a redelivered execution does not add it twice): the Doris
	 * Schema node's Invalid output and the Doris Stream Load node's Rejected output, which a workflow
	 * wires to one dead-letter branch.
	 */
	readonly invalid = new Map<string, InvalidOut>();
	/** Keys of `invalid` that came from the Stream Load node's Rejected output. */
	readonly rejected = new Set<string>();
	/** Execution failures as the trigger saw them (the reason n8n would report). */
	readonly failures: string[] = [];
	/** The errors behind those failures. */
	readonly errors: unknown[] = [];
	/** Violations of "a committed offset never passes a row not in Doris". */
	readonly violations: string[] = [];
	/**
	 * Crashes the consumer will not recover from by itself (its onFatalError: n8n would get emitError).
	 * Consumption has stopped for good then, so settle() fails at once instead of waiting for its timeout.
	 */
	readonly fatalErrors: string[] = [];
	readonly commits: Array<{ partition: number; offset: bigint; at: number }> = [];
	readonly executions: Array<{ partition: number; first: bigint; last: bigint; at: number; attempt: number }> = [];
	/** Executions that failed (their rows may have loaded in part or whole, and are delivered again). */
	readonly failedExecutions: Array<{ partition: number; first: bigint; last: bigint }> = [];
	samples = 0;
	/** Commits the consumers asked kafkajs for (each partition of a commit round counts once). */
	commitRequests = 0;
	readonly groupId: string;
	readonly target: DorisTargetConfig;
	private schemaSource!: SchemaSource;
	private sampler: NodeJS.Timeout | undefined;
	private sampling: Promise<void> | undefined;
	/** What the sampler and settle() read offsets with: an admin of the pipeline's own (offset-reader.ts). */
	private readonly offsets: OffsetReader;
	private closed = false;

	private constructor(readonly spec: PipelineSpec) {
		this.groupId = uniqueName('rel-group');
		this.offsets = new OffsetReader(spec.kafka, this.groupId, spec.topic);
		const { doris } = spec;
		this.target = {
			connection: { feUrls: spec.feUrls ?? doris.feUrls, user: doris.user, password: spec.dorisPassword ?? doris.password, tls: spec.dorisTls },
			database: spec.database,
			table: spec.table,
			load: { format: 'json', timeoutSeconds: 60 },
			labelPrefix: 'rel',
			batch: { maxRows: 1000, maxBytes: 4 * 1024 * 1024, maxIntervalMs: 100, maxBufferedBytes: 16 * 1024 * 1024, maxInFlight: 1 },
			retry: { maxRetries: 4, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 20_000 },
			requestTimeoutMs: 5_000,
			logger: spec.capture.logger,
			...spec.target,
		};
	}

	/** Reads the schema (validate on start, as the Doris Schema node's first run), starts one consumer. */
	static async start(spec: PipelineSpec): Promise<Pipeline> {
		const pipeline = new Pipeline(spec);
		await pipeline.begin();
		return pipeline;
	}

	/** A pipeline not started yet: `begin()` later (or only `readSchema()` to see activation fail). */
	static async create(spec: PipelineSpec): Promise<Pipeline> {
		return new Pipeline(spec);
	}

	async begin(): Promise<void> {
		await this.readSchema();
		await this.startConsuming();
	}

	/** Starts the first consumer and the commit sampler (after readSchema). */
	async startConsuming(): Promise<void> {
		await this.addConsumer();
		this.startSampler();
	}

	/** Only the schema part: what "activation" of the Doris Schema node does (and how it fails). */
	async readSchema(): Promise<void> {
		const { doris } = this.spec;
		const connection: DorisConnection = {
			feUrls: this.target.connection.feUrls,
			queryPort: doris.mysqlPort,
			queryHost: doris.mysqlHost,
			user: this.target.connection.user,
			password: this.target.connection.password,
			database: this.spec.database,
		};
		const node = await activateSchemaNode(connection, this.spec);
		this.schemaSource = node.source;
		this.target.onRefused = node.onRefused;
	}

	async addConsumer(overrides: Partial<SinkerConsumerOptions> = {}): Promise<SinkerConsumer> {
		const { spec } = this;
		const connection = spec.kafkaConnection ?? { brokers: spec.brokers ?? kafkaBrokers, clientId: uniqueName('rel-client') };
		const consumer = await SinkerConsumer.start(
			{
				...consumerDefaults(spec.topic, this.groupId, connection),
				...spec.consumer,
				...overrides,
				logger: spec.capture.logger,
				onFatalError: (error) => {
					this.fatalErrors.push(error.message);
					spec.capture.error('fatal consumer error', error);
				},
				observer: {
					onCommit: (_topic, partition, offset) => this.onCommit(partition, BigInt(offset)),
					onCommitRequest: (_topic, partition, offset) => this.onCommitRequest(partition, BigInt(offset)),
					onExecution: (e) => this.executions.push({ partition: e.partition, first: BigInt(e.firstOffset), last: BigInt(e.lastOffset), at: Date.now(), attempt: e.attempt }),
				},
			},
			(execution, signal) => this.execute(execution, signal),
		);
		this.consumers.push(consumer);
		return consumer;
	}

	async removeConsumer(consumer: SinkerConsumer): Promise<void> {
		await consumer.close();
		const i = this.consumers.indexOf(consumer);
		if (i >= 0) this.consumers.splice(i, 1);
	}

	/** n8n's part: one workflow execution = Doris Schema (map rows) + Doris Stream Load (await the batch). */
	private async execute(execution: SinkExecution, signal: AbortSignal): Promise<ExecutionOutcome> {
		try {
			const injected = await this.spec.failExecution?.(execution);
			if (injected !== undefined) throw new Error(injected);
			if (this.spec.captureData) this.spec.capture.record('execution items', execution.items);
			const routed = await mapItemsFollowingSchema(execution.items, this.schemaSource, { labels: { workflow: 'reliability', node: 'Doris Schema' }, workerThreads: this.spec.workerThreads ?? 0, continueOnFail: false });
			for (const item of routed.invalid) {
				const meta = item.json[KAFKA_METADATA_FIELD] as KafkaMessageMetadata | undefined;
				const key = meta ? `${meta.partition}:${meta.offset}` : `?:${this.invalid.size}`;
				this.invalid.set(key, { json: item.json, info: item.json[INVALID_FIELD] as InvalidInfo, meta });
				if (this.spec.captureData) this.spec.capture.record('invalid output', item.json);
			}
			// The Stream Load node's Sequence Column and CSV checks, with its Rejected output connected (handed back here).
			const column = this.target.load.sequenceColumn;
			const sequence = column === undefined ? undefined : { column, deletesAll: false, handBack: true };
			const csvCheck = csvRowCheck(this.target.load);
			const sorted = sortItemsForLoad(routed.rows, { format: this.target.load.format, deletes: 'auto', sequence, csvCheck: csvCheck === undefined ? undefined : { check: csvCheck, handBack: true } });
			const unloadable = firstUnloadable(sorted);
			if (unloadable !== undefined) throw new Error(unloadable.message);
			// As the node: its Rejected output is its answer, given once every row is settled (none when it fails).
			const handedBack = takenOutItems(routed.rows, sorted, `${this.spec.database}.${this.spec.table}`);
			if (sorted.loadable.length > 0) {
				// As the node: with Keep Order per Partition the rows carry their execution's deadline.
				const result = await loadSortedItems(this.target, sorted, { signal, deadline: execution.loadBy });
				if (this.spec.captureData) this.spec.capture.record('load result', result);
				handedBack.push(...rejectedItems(routed.rows, sorted, result.rejected, `${this.spec.database}.${this.spec.table}`));
			}
			for (const item of handedBack) this.handBack(item, execution, routed.rows);
			countRejectedRows(handedBack, 'reliability');
			return OK;
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			this.failures.push(reason);
			this.errors.push(error);
			this.failedExecutions.push({ partition: execution.partition, first: BigInt(execution.firstOffset), last: BigInt(execution.lastOffset) });
			this.spec.capture.error(`execution ${execution.topic}[${execution.partition}] ${execution.firstOffset}..${execution.lastOffset}`, error);
			return { ok: false, reason };
		}
	}

	/** A row on the Stream Load node's Rejected output: recorded with where it came from. */
	private handBack(item: RejectedItem, execution: SinkExecution, rows: ReadonlyArray<{ index: number }>): void {
		// A rejected ordinary item is the mapped row; where it came from is its input item's `_kafka` (pairedItem in n8n).
		const meta = (item.json[KAFKA_METADATA_FIELD] ?? execution.items[rows[item.index].index].json[KAFKA_METADATA_FIELD]) as KafkaMessageMetadata | undefined;
		const key = meta ? `${meta.partition}:${meta.offset}` : `?:${this.invalid.size}`;
		this.invalid.set(key, { json: item.json, info: item.json[INVALID_FIELD] as InvalidInfo, meta });
		this.rejected.add(key);
	}

	/** The table's keys right now (the test server is in-process: this is the content at this instant). */
	tableIds(): Set<string> {
		return new Set(this.spec.doris.tableRows(this.spec.database, this.spec.table).map((r) => String(r.id)));
	}

	tableRowCount(): number {
		return this.spec.doris.tableRows(this.spec.database, this.spec.table).length;
	}

	/**
	 * Everything below `offset` of the partition is in Doris or on the invalid output (a valid row
	 * there only when it was handed back unloaded: `doris_not_loaded`).
	 */
	private check(partition: number, offset: bigint, source: string): void {
		if (offset < 0n) return; // kafkajs' symbolic "earliest"/"latest" after an offset reset
		const ids = this.tableIds();
		for (const entry of this.spec.ledger.below(partition, offset)) {
			const handedBack = this.invalid.get(`${partition}:${entry.offset}`)?.info.reasons[0]?.rule === 'doris_not_loaded';
			if (entry.id !== null && !ids.has(entry.id) && !handedBack) {
				this.violations.push(`${source}: partition ${partition} committed at ${offset} but row id=${entry.id} (offset ${entry.offset}) is not in Doris`);
				return;
			}
			if (entry.invalid && !this.invalid.has(`${partition}:${entry.offset}`)) {
				this.violations.push(`${source}: partition ${partition} committed at ${offset} but offset ${entry.offset} is not on the invalid output`);
				return;
			}
		}
	}

	/**
	 * The strongest check: the trigger asks kafkajs to commit only past executions that already
	 * finished with their rows in Doris, so the table holds them when the commit is requested. Checked
	 * only at the confirmation, a commit ahead of Doris goes unseen when its rows finish loading before
	 * the broker answers (or when the broker never confirms it).
	 */
	private onCommitRequest(partition: number, offset: bigint): void {
		this.commitRequests++;
		this.check(partition, offset, 'commit request');
	}

	private onCommit(partition: number, offset: bigint): void {
		this.commits.push({ partition, offset, at: Date.now() });
		this.check(partition, offset, 'commit');
	}

	private startSampler(): void {
		const every = this.spec.sampleMs ?? 300;
		if (every <= 0) return;
		this.sampler = setInterval(() => {
			if (this.sampling) return;
			this.sampling = this.sampleOnce()
				.catch(() => undefined) // the broker restart case: no answer for a while
				.finally(() => (this.sampling = undefined));
		}, every);
	}

	private async sampleOnce(): Promise<void> {
		const offsets = await this.committed();
		this.samples++;
		for (const [partition, offset] of offsets) this.check(partition, offset, 'sample');
	}

	/** The group's committed offsets as the broker holds them (partitions without one are left out). */
	committed(): Promise<Map<number, bigint>> {
		return this.offsets.committed();
	}

	/**
	 * Waits until the run has settled: every partition committed up to its end offset and every row
	 * of the ledger in Doris. Throws with the state it stopped in.
	 */
	async settle(timeoutMs = 60_000): Promise<number> {
		const started = Date.now();
		const want = this.spec.ledger.validIds();
		let last = '';
		while (Date.now() - started < timeoutMs) {
			if (this.fatalErrors.length > 0) throw this.unsettled(`a consumer crashed and will not restart: ${this.fatalErrors.join('; ')}`);
			const ends = await this.offsets.endOffsets();
			const committed = await this.committed();
			const behind = ends.filter((p) => (committed.get(p.partition) ?? -1n) < BigInt(p.high));
			const ids = this.tableIds();
			// Rows handed back unloaded (their execution's other rows loaded) are settled on Rejected.
			const handedBack = new Set([...this.invalid.values()].filter((out) => out.info.reasons[0]?.rule === 'doris_not_loaded').map((out) => String(out.json.id)));
			let missing = 0;
			for (const id of want) if (!ids.has(id) && !handedBack.has(id)) missing++;
			if (behind.length === 0 && missing === 0) return Date.now() - started;
			last = `partitions behind: ${behind.map((p) => `${p.partition} at ${committed.get(p.partition) ?? 'none'} of ${p.high}`).join(', ') || 'none'}; rows missing: ${missing}; failures: ${this.failures.length} (last: ${this.failures.at(-1) ?? '-'})`;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		throw this.unsettled(`pipeline did not settle in ${timeoutMs} ms: ${last}`);
	}

	/**
	 * Why settle() gave up, with what the consumers were doing: the state alone (a partition behind, no
	 * failure) does not say why, the consumers' state and the last log lines (kafkajs' and ours: crashes,
	 * reconnects, rebalances, commits) do.
	 */
	private unsettled(reason: string): Error {
		const consumers = this.consumers.map((c) => `in flight ${c.inFlight}, assigned ${render(Object.fromEntries(c.assigned()))}, ${render(c.stats)}`);
		const tail = this.spec.capture.lines.slice(-SETTLE_FAILURE_LOG_LINES);
		return new Error(`${reason}\nconsumers: ${consumers.join('; ') || 'none'}\nlast ${tail.length} of ${this.spec.capture.lines.length} log lines:\n${tail.join('\n')}`);
	}

	/** Stops the sampler and every consumer (each commits what finished, then leaves the group). */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		clearInterval(this.sampler);
		await this.sampling;
		await Promise.all(this.consumers.map((c) => c.close().catch((error: unknown) => this.spec.capture.error('close', error))));
		this.consumers.length = 0;
		await this.offsets.close();
	}
}

/** How many of the capture's last lines a settle failure prints. */
const SETTLE_FAILURE_LOG_LINES = 150;
