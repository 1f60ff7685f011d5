// What the scale-out tests (queue mode; two instances on one group) stand on besides n8n: the Doris
// test server with the examples' database and a Kafka client, and per run a topic (with its dead
// letters), a group and a UNIQUE KEY table, the orders example pointed at them.
import { startDorisTestServer, type DorisTestServer } from '../../ground/doris/server';
import { uniqueName } from '../../ground/kafka/helpers';
import { DATABASE } from './doris';
import { exampleFor, type ExampleWorkflow, type WorkflowTarget } from './examples';
import { DORIS_PASSWORD } from './fixture';
import { KafkaTestClient } from './kafka';
import type { CredentialRefs, Endpoints } from './n8n-setup';
import { createScaleTable, type OffsetIndex, type ScaleEvent } from './queue-checks';

export interface ScaleGround {
	doris: DorisTestServer;
	kafka: KafkaTestClient;
	/** The Doris part of the examples' credentials. */
	dorisEndpoint: Endpoints['doris'];
	/** Call after every n8n process is gone: their loads and consumers need both. */
	close(): Promise<void>;
}

export async function startScaleGround(): Promise<ScaleGround> {
	const doris = await startDorisTestServer({ password: DORIS_PASSWORD });
	const kafka = new KafkaTestClient();
	try {
		await doris.sql(`CREATE DATABASE ${DATABASE}`);
		await kafka.connect();
	} catch (error) {
		await kafka.close().catch(() => undefined);
		await doris.close();
		throw error;
	}
	return {
		doris,
		kafka,
		dorisEndpoint: { feUrl: doris.feUrl, mysqlPort: doris.mysqlPort, user: doris.user, password: doris.password, database: DATABASE },
		async close() {
			await kafka.close();
			await doris.close();
		},
	};
}

export interface ScaleTarget {
	topic: string;
	deadLetterTopic: string;
	groupId: string;
	table: string;
}

/** Fresh names for one run; `prefix` (letters, digits, dashes) starts both the topic and the table. */
export function scaleTarget(prefix: string): ScaleTarget {
	const topic = uniqueName(prefix);
	return { topic, deadLetterTopic: `${topic}.dlq`, groupId: `${topic}-group`, table: `${prefix.replace(/-/g, '_')}_${topic.slice(-6)}` };
}

export async function createScaleTarget(ground: ScaleGround, target: ScaleTarget, partitions: number): Promise<void> {
	await ground.kafka.createTopic(target.topic, partitions);
	await ground.kafka.createTopic(target.deadLetterTopic, 1);
	await createScaleTable(ground.doris, target.table);
}

/** The orders example (UNIQUE KEY, so a redelivered row overwrites itself) pointed at `target`. */
export function scaleWorkflow(
	target: ScaleTarget,
	name: string,
	credentials: CredentialRefs,
	tuning: Pick<WorkflowTarget, 'trigger' | 'schema' | 'streamLoad'>,
): ExampleWorkflow {
	return exampleFor('orders-low-frequency', { name, ...target, database: DATABASE, credentials, ...tuning });
}

/**
 * Produces `events` as a stream: ~20 chunks with `pauseMs` between them, so whatever a test does
 * mid-stream (stop an instance, kill a worker) meets messages still arriving. Each chunk's offsets
 * go into `index` as soon as it is sent, for the commit sampler running meanwhile.
 */
export async function streamScaleEvents(kafka: KafkaTestClient, topic: string, events: ScaleEvent[], index: OffsetIndex, pauseMs: number): Promise<void> {
	const chunk = Math.max(500, Math.floor(events.length / 20));
	for (let i = 0; i < events.length; i += chunk) {
		index.add(await kafka.produce(topic, events.slice(i, i + chunk), chunk, 1));
		await new Promise((resolve) => setTimeout(resolve, pauseMs));
	}
}
