// A whole database's Debezium change stream through ONE workflow (examples/cdc-database.json) in real
// n8n, on the real broker and the Doris test server: 20 tables (a topic each, 3 partitions), inserts,
// updates, deletes and re-inserts, one table gaining a column mid-stream (ADD COLUMN), one table (and
// its topic) appearing mid-stream (CREATE TABLE), at least 10 executions in flight with Keep Order per
// Partition, and n8n killed with -9 in the middle: afterwards every Doris table equals the state the
// stream describes. Then the same stream through one workflow per table (examples/cdc-debezium.json,
// as CDC had to be run before) to compare rows per second. Needs `npm run build` and the broker.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { uniqueName } from '../ground/kafka/helpers';
import { freePort } from '../ground/n8n/process';
import { databaseStream, DATABASE_COLUMNS, NEW_COLUMN, type ChangeMessage, type DatabaseStream } from '../fixtures/debezium/database';
import { waitFor } from '../support/wait-for';
import { assertTableEquals } from './support/doris';
import { NODE_TYPES, nodeOfType, readExample, type ExampleWorkflow } from './support/examples';
import { startWorld, type E2eWorld } from './support/fixture';
import { deployWorkflow } from './support/n8n-setup';

const TABLES = 20;
const CHANGES = Number(process.env.E2E_CDC_CHANGES ?? 30_000);
const PARTITIONS = 3;
const IN_FLIGHT = 12;

interface Case {
	server: string;
	database: string;
	groupId: string;
	deadLetters: string;
	stream: DatabaseStream;
	topicOf(table: string): string;
}

function rlc(value: string) {
	return { __rl: true, mode: 'name', value };
}

/** examples/cdc-database.json pointed at this case's topics (a pattern), database and dead-letter topic. */
function oneWorkflow(world: E2eWorld, c: Case, trigger: Record<string, unknown>, schema: Record<string, unknown> = {}): ExampleWorkflow {
	const workflow = readExample('cdc-database');
	workflow.name = `e2e cdc-database ${c.server}`;
	const t = nodeOfType(workflow, NODE_TYPES.trigger);
	t.parameters = { ...t.parameters, topics: `^${c.server}\\.inventory\\.[^.]+$`, groupId: c.groupId, ...trigger, options: { ...(t.parameters.options as object), ...(trigger.options as object) } };
	const s = nodeOfType(workflow, NODE_TYPES.schema);
	s.parameters = { ...s.parameters, ...schema, database: rlc(c.database) };
	const load = nodeOfType(workflow, NODE_TYPES.streamLoad);
	load.parameters = { ...load.parameters, batchIntervalSeconds: 2 };
	nodeOfType(workflow, NODE_TYPES.deadLetters).parameters.topic = c.deadLetters;
	return withCredentials(workflow, world);
}

/** examples/cdc-debezium.json for one table: its topic, its table, one execution in flight. */
function perTableWorkflow(world: E2eWorld, c: Case, table: string): ExampleWorkflow {
	const workflow = readExample('cdc-debezium');
	workflow.name = `e2e cdc per table ${c.server} ${table}`;
	const t = nodeOfType(workflow, NODE_TYPES.trigger);
	t.parameters = { ...t.parameters, topics: c.topicOf(table), groupId: `${c.groupId}-${table}` };
	const schema = nodeOfType(workflow, NODE_TYPES.schema);
	schema.parameters = { ...schema.parameters, database: rlc(c.database), table: rlc(table) };
	const load = nodeOfType(workflow, NODE_TYPES.streamLoad);
	load.parameters = { ...load.parameters, database: rlc(c.database), table: rlc(table), batchIntervalSeconds: 2, options: { ...(load.parameters.options as object), labelPrefix: `pt_${table}` } };
	nodeOfType(workflow, NODE_TYPES.deadLetters).parameters.topic = c.deadLetters;
	return withCredentials(workflow, world);
}

function withCredentials(workflow: ExampleWorkflow, world: E2eWorld): ExampleWorkflow {
	const refs = { kafkaDorisSinkApi: world.credentials.kafka, dorisApi: world.credentials.doris, kafka: world.credentials.deadLetters };
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {})) {
			const ref = refs[type as keyof typeof refs];
			if (ref && node.credentials) node.credentials[type] = ref;
		}
	}
	return workflow;
}

async function newCase(world: E2eWorld, label: string): Promise<Case> {
	const tag = uniqueName(label).replace(/[^a-z0-9]/gi, '').slice(-10).toLowerCase();
	const server = `e2e${tag}`;
	const c: Case = {
		server,
		database: `cdc_${tag}`,
		groupId: `${server}-group`,
		deadLetters: `${server}-dead-letters`,
		stream: databaseStream({ tables: TABLES, changes: CHANGES, partitions: PARTITIONS, server, addColumnAt: 0.5, newTableAt: 0.6 }),
		topicOf: (table) => `${server}.inventory.${table}`,
	};
	await world.doris.sql(`CREATE DATABASE ${c.database}`);
	await world.kafka.createTopic(c.deadLetters, 1);
	for (const table of c.stream.tables) {
		await world.kafka.createTopic(c.topicOf(table), PARTITIONS);
		await world.doris.sql(c.stream.ddl(table, c.database));
	}
	return c;
}

/** Produces `messages` in stream order, grouped per topic per call (each message keyed and placed by its key). */
async function produce(world: E2eWorld, messages: ChangeMessage[]): Promise<void> {
	const byTopic = new Map<string, ChangeMessage[]>();
	for (const m of messages) {
		const list = byTopic.get(m.topic);
		if (list === undefined) byTopic.set(m.topic, [m]);
		else list.push(m);
	}
	// One topic after the other, one request at a time, so each partition holds its changes in stream
	// order (two requests in flight may land in either order); 200 messages a request: a change event
	// with its schema is ~2 KB, the broker takes 1 MB per request.
	for (const [topic, list] of byTopic) {
		// A tombstone (null value) follows each delete, as Debezium writes it.
		await world.kafka.produce(topic, list.map((m, i) => ({ id: `${topic}:${i}`, key: m.key, value: m.value as string, partition: m.partition })), 200, 1);
	}
}

async function lag(world: E2eWorld, c: Case, groupOf: (table: string) => string): Promise<number> {
	let sum = 0;
	for (const table of [...c.stream.tables, c.stream.lateTable]) sum += await world.kafka.lag(groupOf(table), c.topicOf(table)).catch(() => Number.POSITIVE_INFINITY);
	return sum;
}

function assertTables(world: E2eWorld, c: Case): void {
	for (const [table, rows] of c.stream.finalRows) {
		const columns = table === c.stream.evolvingTable ? [...DATABASE_COLUMNS, NEW_COLUMN] : [...DATABASE_COLUMNS];
		try {
			assertTableEquals(world.doris.tableRows(c.database, table), [...rows.values()], 'id', columns);
		} catch (error) {
			throw new Error(`table ${c.database}.${table}: ${(error as Error).message}`, { cause: error });
		}
	}
}

/** The highest sinker_executions_in_flight the n8n process reported while `until` runs. */
function watchInFlight(port: number): { stop(): number } {
	let max = 0;
	let stopped = false;
	void (async () => {
		while (!stopped) {
			try {
				const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
				for (const line of text.split('\n')) if (line.startsWith('sinker_executions_in_flight{')) max = Math.max(max, Number(line.split(' ').pop()));
			} catch {
				// n8n down (killed) or starting
			}
			await sleep(200);
		}
	})();
	return {
		stop() {
			stopped = true;
			return max;
		},
	};
}

describe('a whole database in one workflow (Debezium → Doris)', { timeout: 1_200_000 }, () => {
	let world: E2eWorld;
	let metricsPort: number;

	before(async () => {
		metricsPort = await freePort();
		world = await startWorld('cdc-database', { env: { DORIS_SINKER_METRICS: 'true', DORIS_SINKER_METRICS_PORT: String(metricsPort) } });
	});
	after(async () => {
		await world?.close();
	});

	it(`${TABLES} tables + 1 appearing mid-stream, an ADD COLUMN, ≥ 10 executions in flight, kill -9 mid-stream: every table equals the stream's final state`, async (t: TestContext) => {
		const c = await newCase(world, 'cdcdb');
		const workflowId = await deployWorkflow(
			world.n8n,
			oneWorkflow(world, c, { executionsInFlight: IN_FLIGHT, options: { topicCheckSeconds: 2, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000, executionTimeoutSeconds: 30 } }),
		);
		const inFlight = watchInFlight(metricsPort);
		t.after(() => inFlight.stop());
		const messages = c.stream.messages;
		const lateAt = messages.findIndex((m) => m.table === c.stream.lateTable);
		const slices = 10;
		const started = Date.now();
		let killedAt = -1;
		for (let s = 0; s < slices; s++) {
			const slice = messages.slice(Math.floor((s * messages.length) / slices), Math.floor(((s + 1) * messages.length) / slices));
			// The late table's topic appears with its first change, as Debezium's topic auto-creation does.
			if (slice.some((m) => m.table === c.stream.lateTable) && (await world.kafka.admin.listTopics()).every((name) => name !== c.topicOf(c.stream.lateTable))) {
				await world.kafka.createTopic(c.topicOf(c.stream.lateTable), PARTITIONS);
			}
			await produce(world, slice);
			if (s === 3) {
				// Mid-stream: some rows of every kind are in, many are not.
				await waitFor('rows loaded before kill -9', () => world.doris.loads.filter((l) => l.db === c.database && l.status === 'Success').length >= 20, { timeoutMs: 180_000 });
				await world.n8n.kill();
				killedAt = Date.now();
			}
			if (s === 5) await world.n8n.start();
			await sleep(1500);
		}
		assert.ok(lateAt > messages.length / 2, 'the late table starts after the middle of the stream');
		await waitFor('every topic committed to its end', async () => (await lag(world, c, () => c.groupId)) === 0, {
			timeoutMs: 600_000,
			intervalMs: 1000,
			progress: async () => `lag ${await lag(world, c, () => c.groupId)}; log ${world.n8n.logPath}`,
		});
		const elapsed = Date.now() - started;
		const maxInFlight = inFlight.stop();
		assertTables(world, c);
		assert.ok(maxInFlight >= 10, `executions in flight reached only ${maxInFlight}`);
		const desc = (await world.doris.sql(`DESC ${c.database}.${c.stream.evolvingTable}`)) as Array<{ Field: string }>;
		assert.ok(desc.some((col) => col.Field === NEW_COLUMN), 'the column the source gained was added');
		const log = world.n8n.logText();
		assert.match(log, new RegExp(`created table ${c.database}\\.${c.stream.lateTable}: CREATE TABLE`), 'the CREATE TABLE is logged with its statement');
		assert.match(log, new RegExp(`altered table ${c.database}\\.${c.stream.evolvingTable}: ALTER TABLE .* ADD COLUMN`), 'the ADD COLUMN is logged with its statement');
		assert.deepEqual(await world.kafka.readAll(c.deadLetters, 3_000), [], 'no change event dead-lettered');
		const changes = messages.filter((m) => m.value !== null).length;
		t.diagnostic(
			`${changes} changes over ${c.stream.finalRows.size} tables (${messages.length} messages with tombstones) in ${elapsed} ms, n8n killed -9 at ${killedAt - started} ms; max ${maxInFlight} executions in flight; workflow ${workflowId}`,
		);
	});

	it('rows per second: the same stream through one workflow, and through one workflow per table', async (t: TestContext) => {
		const measure = async (label: string, deploy: (c: Case) => Promise<string[]>, groupOf: (c: Case) => (table: string) => string, prepare?: (c: Case) => Promise<void>) => {
			const c = await newCase(world, label);
			await prepare?.(c);
			await world.kafka.createTopic(c.topicOf(c.stream.lateTable), PARTITIONS);
			await produce(world, c.stream.messages);
			const started = Date.now();
			const ids = await deploy(c);
			await waitFor(`${label}: every topic committed`, async () => (await lag(world, c, groupOf(c))) === 0, { timeoutMs: 900_000, intervalMs: 500 });
			const ms = Date.now() - started;
			assertTables(world, c);
			for (const id of ids) await world.n8n.deactivate(id).catch(() => undefined);
			const changes = c.stream.messages.filter((m) => m.value !== null).length;
			return { ms, rowsPerSecond: Math.round((changes / ms) * 1000), changes };
		};
		const one = await measure(
			'cdcone',
			async (c) => [await deployWorkflow(world.n8n, oneWorkflow(world, c, { executionsInFlight: 20, options: { topicCheckSeconds: 2, executionTimeoutSeconds: 120 } }))],
			(c) => () => c.groupId,
		);
		// One Item per Batch: the lines carry no Kafka key, so the created table's key is named.
		const packed = await measure(
			'cdcpacked',
			async (c) => [
				await deployWorkflow(
					world.n8n,
					oneWorkflow(world, c, { executionsInFlight: 20, output: 'batch', options: { topicCheckSeconds: 2, executionTimeoutSeconds: 120 } }, { keyColumns: 'id' }),
				),
			],
			(c) => () => c.groupId,
		);
		const perTable = await measure(
			'cdcper',
			async (c) => {
				const ids: string[] = [];
				for (const table of [...c.stream.tables, c.stream.lateTable]) ids.push(await deployWorkflow(world.n8n, perTableWorkflow(world, c, table)));
				return ids;
			},
			(c) => (table) => `${c.groupId}-${table}`,
			// Without schema evolution and table creation, the tables must hold every column beforehand.
			async (c) => {
				await world.doris.sql(c.stream.ddl(c.stream.lateTable, c.database));
				await world.doris.sql(`ALTER TABLE ${c.database}.${c.stream.evolvingTable} ADD COLUMN ${NEW_COLUMN} STRING NULL`);
			},
		);
		t.diagnostic(
			`${one.changes} changes, ${TABLES + 1} tables: one workflow ${one.rowsPerSecond} rows/s (${one.ms} ms), the same with One Item per Batch ${packed.rowsPerSecond} rows/s (${packed.ms} ms); one workflow per table (1 execution in flight each) ${perTable.rowsPerSecond} rows/s (${perTable.ms} ms)`,
		);
	});
});
