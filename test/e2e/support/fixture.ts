// One e2e world per test file: the Doris test server (in this process, so n8n reaches it over HTTP and
// MySQL on 127.0.0.1), a Kafka client on the test ground's broker, and one real n8n with this package
// and the examples' credentials. Cases deploy their own copy of an example on their own topic and table.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DorisTestServer, DorisTestServerOptions } from '../../ground/doris/server';
import { kafkaBrokers } from '../../ground/kafka/env';
import { uniqueName } from '../../ground/kafka/helpers';
import { startN8n, type N8nHost, type StartN8nOptions } from '../../ground/n8n/host';
import { REPO_ROOT } from '../../ground/n8n/install';
import { DATABASE, createTableLike, startDorisWithExamples } from './doris';
import { exampleFor, type ExampleName, type ExampleWorkflow, type WorkflowTarget } from './examples';
import { KafkaTestClient } from './kafka';
import { createCredentials, deployWorkflow, type CredentialRefs } from './n8n-setup';

export const DORIS_PASSWORD = 'e2e-Doris-pw';

/** Where each test file's n8n log is kept after its temp folder is gone (git-ignored .cache). */
export const LOG_DIR = path.join(REPO_ROOT, '.cache', 'e2e-logs');

export interface E2eWorld {
	doris: DorisTestServer;
	kafka: KafkaTestClient;
	n8n: N8nHost;
	credentials: CredentialRefs;
	close(): Promise<void>;
}

/** `label` names the kept log: .cache/e2e-logs/<label>.n8n.log. */
export async function startWorld(label: string, n8nOptions: StartN8nOptions = {}, dorisOptions: DorisTestServerOptions = {}): Promise<E2eWorld> {
	const doris = await startDorisWithExamples({ ...dorisOptions, password: DORIS_PASSWORD });
	const kafka = new KafkaTestClient();
	let n8n: N8nHost | undefined;
	try {
		await kafka.connect();
		n8n = await startN8n({ stopGraceMs: 45_000, ...n8nOptions });
		const credentials = await createCredentials(n8n, {
			kafkaBrokers,
			doris: { feUrl: doris.feUrl, mysqlPort: doris.mysqlPort, user: doris.user, password: doris.password, database: DATABASE },
		});
		const host = n8n;
		return {
			doris,
			kafka,
			n8n: host,
			credentials,
			async close() {
				// n8n first: its consumers and loads must not outlive the broker client or the Doris server.
				await host.stop();
				if (existsSync(host.logPath)) {
					mkdirSync(LOG_DIR, { recursive: true });
					copyFileSync(host.logPath, path.join(LOG_DIR, `${label}.n8n.log`));
				}
				await host.close();
				await kafka.close();
				await doris.close();
			},
		};
	} catch (error) {
		await n8n?.close();
		await kafka.close().catch(() => undefined);
		await doris.close();
		throw error;
	}
}

/**
 * Deactivates every workflow the file published, side by side, before `world.close()`: n8n's shutdown
 * closes the triggers one after the other (PublishedWorkflowTriggerDeactivator.deactivateWorkflows in
 * n8n 2.40.7), ~0.5 s each, 12 s for a file that leaves 25 workflows active; through the REST API up
 * to N8N_WORKFLOW_PUBLICATION_CONCURRENCY (5 by default) close at once. Teardown only: a deactivation
 * that fails leaves its workflow to n8n's shutdown.
 */
export async function deactivateAll(world: E2eWorld): Promise<void> {
	await Promise.allSettled(world.n8n.workflowIds.map((id) => world.n8n.deactivate(id)));
}

export interface Scenario {
	topic: string;
	deadLetterTopic: string;
	groupId: string;
	table: string;
	workflow: ExampleWorkflow;
	workflowId?: string;
}

/**
 * A fresh topic (and dead-letter topic), consumer group and table for one case, with the example
 * workflow pointed at them; deploy() publishes it in n8n.
 */
export async function prepareScenario(
	world: E2eWorld,
	example: ExampleName,
	options: { partitions: number; tableFrom: string; ddl: 'logs' | 'orders' | 'cdc'; overrides?: Pick<WorkflowTarget, 'trigger' | 'schema' | 'streamLoad'> },
): Promise<Scenario & { deploy(): Promise<string> }> {
	const topic = uniqueName(`e2e-${example}`);
	const table = `${options.tableFrom}_${topic.slice(-6).replace(/[^a-z0-9]/gi, '')}`;
	const scenario: Scenario = { topic, deadLetterTopic: `${topic}.dlq`, groupId: `${topic}-group`, table, workflow: undefined as never };
	await world.kafka.createTopic(topic, options.partitions);
	await world.kafka.createTopic(scenario.deadLetterTopic, 1);
	await createTableLike(world.doris, options.ddl, options.tableFrom, table);
	scenario.workflow = exampleFor(example, {
		name: `e2e ${example} ${topic}`,
		topic,
		groupId: scenario.groupId,
		deadLetterTopic: scenario.deadLetterTopic,
		database: DATABASE,
		table,
		credentials: world.credentials,
		...options.overrides,
	});
	const prepared: Scenario & { deploy(): Promise<string> } = {
		...scenario,
		async deploy() {
			// On the object the caller holds: waitForCommitted and execution queries read it from there.
			prepared.workflowId = await deployWorkflow(world.n8n, prepared.workflow);
			return prepared.workflowId;
		},
	};
	return prepared;
}
