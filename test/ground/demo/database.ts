// DEMO_EXAMPLE=cdc-database: a whole database's Debezium change stream (test/fixtures/debezium/database.ts)
// over several topics, into examples/cdc-database.json, which creates each table in Doris from its first
// change and adds the column one table gains a minute in. What the demo's loop needs of it: the topics,
// the workflow, a producer step, and progress over every table.
import type { RowDataPacket } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { DatabaseChangeGenerator } from '../../fixtures/debezium/database';
import { NODE_TYPES, nodeOfType, readExample, type ExampleWorkflow, type WorkflowTarget } from '../../e2e/support/examples';
import type { KafkaTestClient } from '../../e2e/support/kafka';
import type { DemoDoris } from './doris';

const TABLES = 8;

export interface DatabaseDemo {
	/** The topic pattern the workflow subscribes to. */
	pattern: string;
	topics(): string[];
	/** Creates the tables' topics (the late table's appears with its first change). */
	createTopics(kafka: KafkaTestClient, partitions: number): Promise<void>;
	/** Produces the next `count` changes; returns how many messages went out. */
	produce(kafka: KafkaTestClient, count: number, partitions: number): Promise<number>;
	workflow(target: Pick<WorkflowTarget, 'groupId' | 'deadLetterTopic' | 'credentials'>): ExampleWorkflow;
	/** Rows over every table of the demo database. */
	count(doris: DemoDoris): Promise<number>;
	lag(kafka: KafkaTestClient, groupId: string): Promise<number>;
}

export function databaseDemo(run: string, rate: number): DatabaseDemo {
	const server = `demo${run}`;
	// The column arrives after about a minute, the late table after about two.
	const generator = new DatabaseChangeGenerator({ tables: TABLES, partitions: 4, server, addColumnAfter: rate * 60, newTableAfter: rate * 120 });
	const created = new Set<string>();
	const topics = () => [...generator.tables, generator.lateTable].map((t) => generator.topicOf(t));
	return {
		pattern: `^${server}\\.inventory\\.[^.]+$`,
		topics,
		async createTopics(kafka, partitions) {
			for (const table of generator.tables) {
				await kafka.createTopic(generator.topicOf(table), partitions);
				created.add(generator.topicOf(table));
			}
		},
		async produce(kafka, count, partitions) {
			const messages = generator.next(count);
			const byTopic = new Map<string, typeof messages>();
			for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
			for (const [topic, list] of byTopic) {
				if (!created.has(topic)) {
					await kafka.createTopic(topic, partitions);
					created.add(topic);
				}
				await kafka.produce(topic, list.map((m, i) => ({ id: `${topic}:${i}`, key: m.key, value: m.value as string, partition: m.partition })), 200, 1);
			}
			return messages.length;
		},
		workflow({ groupId, deadLetterTopic, credentials }) {
			const workflow = readExample('cdc-database');
			const trigger = nodeOfType(workflow, NODE_TYPES.trigger);
			trigger.parameters = { ...trigger.parameters, topics: `^${server}\\.inventory\\.[^.]+$`, groupId, options: { ...(trigger.parameters.options as object), topicCheckSeconds: 5 } };
			nodeOfType(workflow, NODE_TYPES.deadLetters).parameters.topic = deadLetterTopic;
			const refs: Record<string, { id: string; name: string } | undefined> = { kafkaDorisSinkApi: credentials?.kafka, dorisApi: credentials?.doris, kafka: credentials?.deadLetters };
			for (const node of workflow.nodes) for (const type of Object.keys(node.credentials ?? {})) if (refs[type] && node.credentials) node.credentials[type] = refs[type];
			return workflow;
		},
		async count(doris) {
			const c = await mysql.createConnection({ host: doris.queryHost, port: doris.queryPort, user: doris.user, password: doris.password });
			try {
				const [tables] = await c.query<RowDataPacket[]>('SHOW TABLES FROM demo');
				let sum = 0;
				for (const row of tables) {
					const [counted] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM demo.\`${String(Object.values(row)[0])}\``);
					sum += Number(counted[0]?.n ?? 0);
				}
				return sum;
			} finally {
				await c.end();
			}
		},
		async lag(kafka, groupId) {
			let sum = 0;
			for (const topic of created) sum += await kafka.lag(groupId, topic);
			return sum;
		},
	};
}
