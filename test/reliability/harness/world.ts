/**
 * One reliability test file's world: a Doris test server (in-process, ephemeral ports), a Kafka
 * client and admin on the shared broker, the capture, and per-case topics, tables and pipelines.
 * `close()` leaves nothing running (consumers, batchers, Stream Load clients, MySQL pools, servers).
 * Every file gets its world from `useWorld()`, which starts it before the file's tests and closes it
 * (and prints the file's figures) after them.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';

import { closeDorisClients } from '../../../src/batch/doris-target';
import { resetBatchers } from '../../../src/batch/registry';
import { closeDorisPools } from '../../../src/doris/mysql';
import { closeSchemaCache } from '../../../src/doris/schema/schema-cache';
import { fixKafkajsIdleTimers } from '../../../src/kafka/request-queue-fix';
import { startDorisTestServer, type DorisTestServer, type DorisTestServerOptions } from '../../ground/doris/server';
import { kafkaBrokers } from '../../ground/kafka/env';
import { uniqueName } from '../../ground/kafka/helpers';
import { createTopicsReady } from '../../support/kafka-topics';
import { Capture } from './capture';
import { printFigures } from './figures';
import { Ledger, plainRows, produceKnown, type ToProduce } from './ledger';
import { Pipeline, type PipelineSpec } from './pipeline';

export const DATABASE = 'rel';

export type KeyModel = 'UNIQUE' | 'DUPLICATE';

export interface Case {
	pipeline: Pipeline;
	ledger: Ledger;
	topic: string;
	table: string;
	/** The table as metrics' `table` label carries it: `database.table`. */
	metricTable: string;
	partitions: number;
	produce(items: ToProduce[]): Promise<void>;
	/** Plain `{id, v}` rows with ids [from, from+count). */
	produceRows(from: number, count: number): Promise<void>;
}

export interface CaseOptions extends Partial<Omit<PipelineSpec, 'doris' | 'kafka' | 'ledger' | 'capture' | 'database' | 'table' | 'topic' | 'brokers'>> {
	partitions?: number;
	model?: KeyModel;
	/** Column list after `id BIGINT NOT NULL`; default `v VARCHAR(64)`. */
	columns?: string;
	/** Table properties besides `replication_num` (a hidden sequence column's `function_column.sequence_type`). */
	tableProperties?: Record<string, string>;
	topicConfig?: Record<string, string>;
	/** Do not start the pipeline (cases that start it themselves, or expect it to fail). */
	noStart?: boolean;
}

export class World {
	readonly capture = new Capture();
	readonly kafka: Kafka;
	readonly admin: Admin;
	private readonly pipelines: Pipeline[] = [];
	private readonly topics: string[] = [];

	private constructor(
		readonly doris: DorisTestServer,
		readonly brokers: string[],
	) {
		fixKafkajsIdleTimers();
		this.kafka = new Kafka({ clientId: uniqueName('rel-admin'), brokers, logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 200 } });
		this.admin = this.kafka.admin();
	}

	/** `brokers`: another broker than the shared one (a test that restarts its own). */
	static async start({ brokers = kafkaBrokers, ...options }: DorisTestServerOptions & { brokers?: string[] } = {}): Promise<World> {
		const doris = await startDorisTestServer(options);
		const world = new World(doris, brokers);
		await world.admin.connect();
		await doris.sql(`CREATE DATABASE ${DATABASE}`);
		return world;
	}

	async createTopic(partitions: number, config: Record<string, string> = {}): Promise<string> {
		const topic = uniqueName('rel');
		await createTopicsReady(this.admin, [
			{ topic, numPartitions: partitions, replicationFactor: 1, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) },
		]);
		this.topics.push(topic);
		return topic;
	}

	async createTable(model: KeyModel = 'UNIQUE', columns = 'v VARCHAR(64)', properties: Record<string, string> = {}): Promise<string> {
		const table = uniqueName('t').replace(/-/g, '_');
		const more = Object.entries(properties).map(([name, value]) => `, "${name}" = "${value}"`).join('');
		await this.doris.sql(
			`CREATE TABLE ${DATABASE}.${table} (id BIGINT NOT NULL, ${columns}) ${model} KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1"${more})`,
		);
		return table;
	}

	/** A topic, a table, a ledger and (unless noStart) a running pipeline between them. */
	async newCase(options: CaseOptions = {}): Promise<Case> {
		const partitions = options.partitions ?? 2;
		const topic = await this.createTopic(partitions, options.topicConfig);
		const table = await this.createTable(options.model, options.columns, options.tableProperties);
		const ledger = new Ledger();
		const spec: PipelineSpec = { brokers: this.brokers, ...options, doris: this.doris, kafka: this.kafka, ledger, capture: this.capture, database: DATABASE, table, topic };
		const pipeline = options.noStart ? await Pipeline.create(spec) : await Pipeline.start(spec);
		this.pipelines.push(pipeline);
		const produce = (items: ToProduce[]) => produceKnown(this.kafka, topic, items, ledger);
		return { pipeline, ledger, topic, table, metricTable: `${DATABASE}.${table}`, partitions, produce, produceRows: (from, count) => produce(plainRows(from, count, partitions)) };
	}

	async close(): Promise<void> {
		await Promise.allSettled(this.pipelines.map((p) => p.close()));
		await resetBatchers();
		closeDorisClients();
		closeSchemaCache();
		await closeDorisPools();
		if (this.topics.length > 0) await this.admin.deleteTopics({ topics: this.topics }).catch(() => undefined);
		await this.admin.disconnect();
		await this.doris.close();
	}
}

export interface WorldHooks {
	/** Runs before the world starts (a broker of the file's own, whose address `brokers` then reads). */
	beforeStart?: () => unknown;
	/** Runs before the world closes (a second world the file started). */
	beforeClose?: () => unknown;
	/** Runs after the world closed, even when closing failed (what the file changed outside the world). */
	afterClose?: () => unknown;
}

/**
 * The world of the calling test file: started in a top-level `before`, closed in a top-level `after`
 * that then prints the file's figures. Call it once at the top of the file; the World it returns
 * forwards to the one started in `before`, so tests use it directly (`world.newCase()`).
 */
export function useWorld(
	{ brokers, ...options }: DorisTestServerOptions & { brokers?: () => string[] } = {},
	hooks: WorldHooks = {},
): World {
	let started: World | undefined;
	before(async () => {
		await hooks.beforeStart?.();
		started = await World.start({ ...options, brokers: brokers?.() });
	});
	after(async () => {
		try {
			await hooks.beforeClose?.();
			await started?.close();
		} finally {
			try {
				await hooks.afterClose?.();
			} finally {
				printFigures();
			}
		}
	});
	return new Proxy({} as World, {
		get(_target, key) {
			if (started === undefined) throw new Error('the reliability world is started in before(): use it inside a test');
			const value: unknown = Reflect.get(started, key, started);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
		},
	});
}

export interface InvariantOptions {
	model?: KeyModel;
	/** DUPLICATE KEY: also require exactly one copy of each row (no double load). */
	exact?: boolean;
}

/**
 * THE invariant of every case: the table holds every produced row (set equality on UNIQUE KEY, no
 * row missing on DUPLICATE KEY), every bad message is on the invalid output with its reason, and no
 * commit (seen by the consumer or sampled from the broker) ever passed a row not yet in Doris.
 */
export function assertInvariant(c: Case, options: InvariantOptions = {}): void {
	const { pipeline, ledger } = c;
	assert.deepEqual(pipeline.violations, [], 'a committed offset passed rows that were not in Doris');
	assert.deepEqual(pipeline.fatalErrors, [], 'a consumer crashed and will not restart (consumption stopped)');
	const want = ledger.validIds();
	const rows = pipeline.spec.doris.tableRows(pipeline.spec.database, pipeline.spec.table).map((r) => String(r.id));
	const have = new Set(rows);
	const missing = [...want].filter((id) => !have.has(id));
	assert.deepEqual(missing.slice(0, 20), [], `${missing.length} produced row(s) missing from Doris`);
	if ((options.model ?? 'UNIQUE') === 'UNIQUE') {
		const extra = [...have].filter((id) => !want.has(id));
		assert.deepEqual(extra.slice(0, 20), [], 'rows in Doris that were never produced');
	} else if (options.exact) {
		assert.equal(rows.length, want.size, `DUPLICATE KEY table holds ${rows.length} rows for ${want.size} produced: a batch was loaded twice`);
	}
	for (const entry of ledger.invalidEntries()) {
		const out = pipeline.invalid.get(`${entry.partition}:${entry.offset}`);
		assert.ok(out, `offset ${entry.partition}:${entry.offset} (${entry.invalid?.rule}) is not on the invalid output`);
		const [first] = out.info.reasons;
		assert.equal(first.rule, entry.invalid?.rule, `offset ${entry.partition}:${entry.offset}: rule (reasons: ${JSON.stringify(out.info.reasons).slice(0, 300)})`);
		assert.equal(first.column, entry.invalid?.column, `offset ${entry.partition}:${entry.offset}: column`);
		if (entry.invalid?.mentions) assert.match(first.message, entry.invalid.mentions, `offset ${entry.partition}:${entry.offset}: reason text`);
		if (entry.invalid && 'value' in entry.invalid) assert.deepEqual(first.value, entry.invalid.value, `offset ${entry.partition}:${entry.offset}: value`);
	}
}

/** Every execution failure names the table and matches `pattern` (the fault's own words). */
export function assertClearFailures(c: Case, pattern: RegExp): void {
	for (const reason of c.pipeline.failures) {
		assert.match(reason, new RegExp(`"${c.table}"|${c.table}`), `failure does not name the table: ${reason}`);
		assert.match(reason, pattern, `failure does not say what happened: ${reason}`);
	}
}

/** Produces half, waits until some rows are in, runs `inject`, produces the rest. */
export async function midStream(c: Case, count: number, inject: () => unknown | Promise<unknown>): Promise<void> {
	const half = Math.floor(count / 2);
	await c.produceRows(0, half);
	const deadline = Date.now() + 30_000;
	while (c.pipeline.tableRowCount() < half / 4) {
		if (Date.now() > deadline) throw new Error('no rows reached Doris before the fault was injected');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	await inject();
	await c.produceRows(half, count - half);
}
