/**
 * `npm run demo` (scripts/demo.sh runs this after installing what is missing): Kafka → n8n with this
 * package and an example workflow published → Doris, with sample events produced continuously and
 * live progress until Ctrl-C, which stops everything this process started.
 *
 * Env: KAFKA_BROKERS (default 127.0.0.1:9092); DORIS_FE_URL, DORIS_USER, DORIS_PASSWORD,
 * DORIS_QUERY_PORT for a real Doris (default: the Doris test server); DEMO_EXAMPLE orders | logs | cdc |
 * cdc-database (default orders: its 10 s batches show progress at once; logs loads every 60 s until a
 * backlog fills its 50 000-row batches; cdc-database: a whole database in one workflow, database.ts);
 * DEMO_RATE events per second (default orders 300, logs 2000, cdc 500, cdc-database 300);
 * DORIS_SINKER_METRICS_PORT (default 9090); DEMO_DURATION_S stops by itself after that long (smoke tests).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaBrokers } from '../kafka/env';
import { OWNER, startN8n, type N8nHost } from '../n8n/host';
import { REPO_ROOT } from '../n8n/install';
import { cdcEvents, logEvents, orderEvents, type TestEvent } from '../../e2e/support/events';
import { exampleFor, type ExampleName } from '../../e2e/support/examples';
import { KafkaTestClient } from '../../e2e/support/kafka';
import { createCredentials, deployWorkflow } from '../../e2e/support/n8n-setup';
import { databaseDemo, type DatabaseDemo } from './database';
import { startDemoDoris, type DemoDoris } from './doris';

interface DemoChoice {
	example: ExampleName;
	ddl: 'logs' | 'orders' | 'cdc' | 'cdc-database';
	topic: string;
	table: string;
	rate: number;
	/** `count` events starting at `from` (ids continue across calls). */
	events(from: number, count: number): TestEvent[];
	/** A whole database: many topics and tables (database.ts) instead of `topic` and `table`. */
	database?: boolean;
}

const PARTITIONS = 4;

function choice(): DemoChoice {
	const name = (process.env.DEMO_EXAMPLE ?? 'orders').trim();
	const rate = (fallback: number): number => {
		const value = Number(process.env.DEMO_RATE ?? fallback);
		if (!Number.isFinite(value) || value <= 0) throw new Error(`DEMO_RATE must be a positive number of events per second, got "${process.env.DEMO_RATE}"`);
		return value;
	};
	if (name === 'logs') return { example: 'logs-high-frequency', ddl: 'logs', topic: 'app-logs', table: 'app_logs', rate: rate(2000), events: (from, n) => logEvents(n, PARTITIONS, from) };
	if (name === 'orders') return { example: 'orders-low-frequency', ddl: 'orders', topic: 'orders', table: 'orders', rate: rate(300), events: (from, n) => orderEvents(n, PARTITIONS, from + 1) };
	if (name === 'cdc') {
		// Waves of Debezium events over fresh id ranges: creates, updates, deletes.
		return {
			example: 'cdc-debezium',
			ddl: 'cdc',
			topic: 'dbserver1.inventory.customers',
			table: 'customers',
			rate: rate(500),
			events: (from, n) => cdcEvents(Math.max(1, Math.round(n / 2)), PARTITIONS).events.map((e) => ({ ...e, id: `${from}-${e.id}` })),
		};
	}
	if (name === 'cdc-database') {
		return { example: 'cdc-database', ddl: 'cdc-database', topic: 'inventory', table: 'every table', rate: rate(300), events: () => [], database: true };
	}
	throw new Error(`DEMO_EXAMPLE must be logs, orders, cdc or cdc-database, got "${name}"`);
}

function line(text: string): void {
	process.stdout.write(`${text}\n`);
}

async function main(): Promise<void> {
	const demo = choice();
	const stopping = new AbortController();
	for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stopping.abort());
	const duration = Number(process.env.DEMO_DURATION_S ?? 0);
	if (duration > 0) setTimeout(() => stopping.abort(), duration * 1000).unref();

	const cleanups: Array<() => Promise<unknown>> = [];
	let produced = 0;
	let n8nStarted = false;
	let summary = '[demo] stopped';
	try {
		line(`[demo] Kafka: ${kafkaBrokers.join(',')}`);
		const kafka = new KafkaTestClient('doris-sinker-demo');
		await kafka.connect();
		cleanups.push(() => kafka.close());
		// A topic and group per run: a backlog or committed offsets of an earlier run would blur the progress.
		const run = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
		const topic = `demo-${demo.topic}-${run}`;
		const groupId = `doris-sinker-${demo.database === true ? demo.topic : demo.table}-${run}`;
		const db: DatabaseDemo | undefined = demo.database === true ? databaseDemo(run, demo.rate) : undefined;
		if (db) await db.createTopics(kafka, PARTITIONS);
		else await kafka.createTopic(topic, PARTITIONS);
		await kafka.createTopic(`${topic}.dlq`, 1);
		const rowsInDoris = (doris: DemoDoris) => (db ? db.count(doris) : doris.count(demo.table));
		const lagOf = () => (db ? db.lag(kafka, groupId) : kafka.lag(groupId, topic));

		const doris: DemoDoris = await startDemoDoris(demo.ddl);
		cleanups.push(() => doris.close());
		line(`[demo] ${doris.description}`);
		// Runs after n8n stopped (its final flush loaded the last batches and committed) and before Doris
		// and Kafka are closed: what landed, in one line.
		cleanups.push(async () => {
			if (!n8nStarted) return;
			const [rows, lag, deadLetters] = await Promise.all([
				rowsInDoris(doris).catch(() => undefined),
				lagOf().catch(() => undefined),
				kafka.endOffsetSum(`${topic}.dlq`).catch(() => undefined),
			]);
			const known = (n: number | undefined) => (n === undefined ? 'unknown' : n.toLocaleString('en-US'));
			summary =
				`[demo] stopped. After n8n's final flush: produced ${known(produced)}, rows in Doris ${known(rows)}, dead letters ${known(deadLetters)}, lag ${known(lag)}` +
				(demo.ddl === 'cdc' || demo.ddl === 'cdc-database' ? ' (cdc: updates and deletes change rows in place)' : '');
		});

		line('[demo] starting n8n 2.40.7 with n8n-nodes-doris-sinker (about 30-60 s)…');
		n8nStarted = true;
		const metricsPort = Number(process.env.DORIS_SINKER_METRICS_PORT || 9090);
		const n8n: N8nHost = await startN8n({
			env: { DORIS_SINKER_METRICS: 'true', DORIS_SINKER_METRICS_PORT: String(metricsPort) },
			stopGraceMs: 35_000,
			editorUi: true,
		});
		// n8n's folder is temporary; its log is kept for a look after the demo.
		const keptLog = path.join(REPO_ROOT, '.cache', 'demo', 'n8n.log');
		cleanups.push(async () => {
			await n8n.stop();
			if (existsSync(n8n.logPath)) {
				mkdirSync(path.dirname(keptLog), { recursive: true });
				copyFileSync(n8n.logPath, keptLog);
			}
			await n8n.close();
		});
		const credentials = await createCredentials(n8n, {
			kafkaBrokers,
			doris: { feUrl: doris.feUrl, mysqlPort: doris.queryPort, user: doris.user, password: doris.password, database: 'demo' },
		});
		const workflow = db
			? db.workflow({ groupId, deadLetterTopic: `${topic}.dlq`, credentials })
			: exampleFor(demo.example, {
					topic,
					groupId,
					deadLetterTopic: `${topic}.dlq`,
					database: 'demo',
					table: demo.table,
					credentials,
				});
		const workflowId = await deployWorkflow(n8n, workflow);

		line('');
		line(`  n8n editor   ${n8n.baseUrl}/workflow/${workflowId}`);
		line(`  login        ${OWNER.email} / ${OWNER.password}`);
		line(`  metrics      http://127.0.0.1:${metricsPort}/metrics   (also /healthz, /readyz)`);
		line(
			db
				? `  workflow     "${workflow.name}": topics ${db.pattern} → demo.<table> (created on demand), dead letters → ${topic}.dlq`
				: `  workflow     "${workflow.name}": topic ${topic} → demo.${demo.table}, dead letters → ${topic}.dlq`,
		);
		line(`  n8n log      ${n8n.logPath} (kept as ${path.relative(process.cwd(), keptLog)} after the demo)`);
		line('  Ctrl-C stops the producer, n8n and what the demo started.');
		line('');

		let sequence = 0;
		const producer = (async () => {
			const tick = 250;
			while (!stopping.signal.aborted) {
				const started = Date.now();
				const count = Math.max(1, Math.round((demo.rate * tick) / 1000));
				if (db) produced += await db.produce(kafka, count, PARTITIONS);
				else {
					const batch = demo.events(sequence, count);
					sequence += batch.length;
					await kafka.produce(topic, batch, 5000, 1);
					produced += batch.length;
				}
				await sleep(Math.max(0, tick - (Date.now() - started)));
			}
		})();

		const started = Date.now();
		while (!stopping.signal.aborted) {
			await sleep(2000, undefined, { signal: stopping.signal }).catch(() => undefined);
			const [rows, lag] = await Promise.all([rowsInDoris(doris).catch(() => -1), lagOf().catch(() => -1)]);
			const seconds = Math.round((Date.now() - started) / 1000);
			line(`[${String(seconds).padStart(4)} s] produced ${produced}  rows in Doris ${rows}  lag ${lag}`);
		}
		await producer;
		line('[demo] stopping: n8n loads what it holds and commits (up to 35 s)…');
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => line(`[demo] cleanup: ${(error as Error).message}`));
	}
	line(summary);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`[demo] ${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	},
);
