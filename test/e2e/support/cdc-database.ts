// The whole-database change stream of test/fixtures/debezium/database.ts on the e2e ground: a case
// (topics, a Doris database with the tables present from the start), the workflows pointed at it
// (examples/cdc-database.json, and examples/cdc-debezium.json per table), producing in stream order,
// and the tables compared with the stream's final state. Used by cdc-database.test.ts (regular mode)
// and cdc-database-queue.test.ts (queue mode).
import { setTimeout as sleep } from 'node:timers/promises';

import type { DorisTestServer } from '../../ground/doris/server';
import { uniqueName } from '../../ground/kafka/helpers';
import { databaseStream, DATABASE_COLUMNS, NEW_COLUMN, type ChangeMessage, type DatabaseStream } from '../../fixtures/debezium/database';
import { assertTableEquals } from './doris';
import { NODE_TYPES, nodeOfType, readExample, type ExampleWorkflow } from './examples';
import type { KafkaTestClient } from './kafka';
import type { CredentialRefs } from './n8n-setup';

export const TABLES = 20;
export const PARTITIONS = 3;

/** What the helpers need of a test's ground: Doris, Kafka and the credentials made in n8n. */
export interface CdcGround {
	doris: DorisTestServer;
	kafka: KafkaTestClient;
	credentials: CredentialRefs;
}

export interface Case {
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
export function oneWorkflow(world: CdcGround, c: Case, trigger: Record<string, unknown>, schema: Record<string, unknown> = {}): ExampleWorkflow {
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

/** examples/cdc-debezium.json for one table: its topic, its table (Keep Order per Partition, 10 in flight). */
export function perTableWorkflow(world: CdcGround, c: Case, table: string): ExampleWorkflow {
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

/** The workflow's credential references pointed at the ones made in this n8n. */
export function withCredentials(workflow: ExampleWorkflow, world: CdcGround): ExampleWorkflow {
	const refs = { kafkaDorisSinkApi: world.credentials.kafka, dorisApi: world.credentials.doris, kafka: world.credentials.deadLetters };
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {})) {
			const ref = refs[type as keyof typeof refs];
			if (ref && node.credentials) node.credentials[type] = ref;
		}
	}
	return workflow;
}

export async function newCase(world: CdcGround, label: string, changes: number): Promise<Case> {
	const tag = uniqueName(label).replace(/[^a-z0-9]/gi, '').slice(-10).toLowerCase();
	const server = `e2e${tag}`;
	const c: Case = {
		server,
		database: `cdc_${tag}`,
		groupId: `${server}-group`,
		deadLetters: `${server}-dead-letters`,
		stream: databaseStream({ tables: TABLES, changes, partitions: PARTITIONS, server, addColumnAt: 0.5, newTableAt: 0.6 }),
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
export async function produce(world: CdcGround, messages: ChangeMessage[]): Promise<void> {
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

export async function lag(world: CdcGround, c: Case, groupOf: (table: string) => string): Promise<number> {
	let sum = 0;
	for (const table of [...c.stream.tables, c.stream.lateTable]) sum += await world.kafka.lag(groupOf(table), c.topicOf(table)).catch(() => Number.POSITIVE_INFINITY);
	return sum;
}

export function assertTables(world: CdcGround, c: Case): void {
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
export function watchInFlight(port: number): { stop(): number } {
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


/**
 * Produces the case's stream in `slices` steps, in order; the late table's topic is created with its
 * first change (as Debezium's topic auto-creation does). `after(s)` runs after slice s (kill, restart…).
 */
export async function produceInSlices(world: CdcGround, c: Case, slices: number, after: (slice: number) => Promise<void>): Promise<void> {
	const messages = c.stream.messages;
	for (let s = 0; s < slices; s++) {
		const slice = messages.slice(Math.floor((s * messages.length) / slices), Math.floor(((s + 1) * messages.length) / slices));
		if (slice.some((m) => m.table === c.stream.lateTable) && (await world.kafka.admin.listTopics()).every((name) => name !== c.topicOf(c.stream.lateTable))) {
			await world.kafka.createTopic(c.topicOf(c.stream.lateTable), PARTITIONS);
		}
		await produce(world, slice);
		await after(s);
		await sleep(1500);
	}
}
