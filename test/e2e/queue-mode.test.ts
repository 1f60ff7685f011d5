// n8n queue mode, end to end: Redis and PostgreSQL (scripts/queue-services.sh), one n8n main running
// the Kafka trigger and n8n workers running the executions, the package loaded in every process,
// the orders example (UNIQUE KEY) pointed at a small table. Proves that
//  - every row lands, and the group commits an offset only once the rows below it are visible
//    (sampled all along), ending with committed = end offsets;
//  - a worker SIGKILLed mid-stream loses nothing: its executions stall, fail, are redelivered;
//  - what the Stream Load node keeps per process is right when one workflow's executions run on
//    different workers: each worker loads its own batches (labels carry the process id) and its
//    own metrics count exactly its own loads;
// and reports rows/s with one worker and with two.
//
// QUEUE_E2E_EVENTS (default 20000) sets the events of each of the three phases; the 200k
// run of the figures is `QUEUE_E2E_EVENTS=200000` (minutes; figures in docs/scaling.md).
// Needs `npm run build`, the Kafka broker (scripts/ground.sh start); starts Redis and PostgreSQL
// itself when they are not running (and stops them again).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DorisTestServer } from '../ground/doris/server';
import { kafkaBrokers } from '../ground/kafka/env';
import { freePort } from '../ground/n8n/process';
import { DATABASE, assertTableEquals } from './support/doris';
import { uncommitted, type KafkaTestClient } from './support/kafka';
import { createCredentials, deployWorkflow, type CredentialRefs } from './support/n8n-setup';
import { watchNoCommitPast } from './support/progress';
import {
	OffsetIndex,
	SCALE_COLUMNS,
	assertCommitsNeverAhead,
	rowsByProcess,
	sampleCommitted,
	scaleEvents,
	scrapeRowsLoaded,
	startCommitSampler,
	visibleIds,
	type ScaleEvent,
} from './support/queue-checks';
import { startQueueCluster, type QueueCluster } from './support/queue-cluster';
import { createScaleTarget, scaleTarget, scaleWorkflow, startScaleGround, streamScaleEvents, type ScaleGround, type ScaleTarget } from './support/queue-ground';
import { handOffToSubWorkflow, type WorkflowNode } from './support/examples';
import { ensureQueueServices, type QueueServices } from './support/queue-services';
import { waitFor } from '../support/wait-for';

const EVENTS = Number(process.env.QUEUE_E2E_EVENTS ?? 20_000);
const PARTITIONS = 6;
/** Generous: the 2-core CI machine shares its CPU between n8n ×3, Kafka, PostgreSQL and this process. */
const DRAIN_TIMEOUT_MS = Math.max(120_000, EVENTS * 10);

interface Phase extends ScaleTarget {
	workflowId: string;
}

interface Drain {
	phase: Phase;
	rowsPerSecond: number;
	ms: number;
	index: OffsetIndex;
	events: ScaleEvent[];
}

describe('n8n queue mode: main + workers, Redis, PostgreSQL', { timeout: 900_000 }, () => {
	let services: QueueServices;
	let ground: ScaleGround;
	let doris: DorisTestServer;
	let kafka: KafkaTestClient;
	let cluster: QueueCluster;
	let credentials: CredentialRefs;
	const metricsPorts = new Map<string, number>();
	const figures: string[] = [];

	before(async () => {
		const started = Date.now();
		services = await ensureQueueServices();
		ground = await startScaleGround();
		({ doris, kafka } = ground);
		cluster = await startQueueCluster(services, {
			workers: 1,
			// Each worker serves the package's /metrics on a port of its own (one server per process).
			workerEnv: async (index) => {
				const port = await freePort();
				metricsPorts.set(`worker${index}`, port);
				return { DORIS_SINKER_METRICS_PORT: String(port) };
			},
		});
		credentials = await createCredentials(cluster.main, { kafkaBrokers, doris: ground.dorisEndpoint });
		console.log(`# queue mode up in ${Date.now() - started} ms (Redis :${services.redis.port}, PostgreSQL :${services.postgres.port}; main ${JSON.stringify(cluster.main.timings)})`);
	});

	after(async () => {
		for (const line of figures) console.log(`# ${line}`);
		await cluster?.close();
		await ground?.close();
		await services?.stop();
	});

	/** A topic, group and table of its own, with the orders example (UNIQUE KEY) pointed at them. */
	async function deployPhase(name: string, executionTimeoutSeconds = 120): Promise<Phase> {
		const target = scaleTarget(`queue-${name}`);
		await createScaleTarget(ground, target, PARTITIONS);
		const workflow = scaleWorkflow(target, `queue ${name}`, credentials, {
			// 20 executions of 1000 records in flight, batches of 5000 rows: with two workers each one
			// holds ~10 executions = ~10000 rows, enough to fill its own batches by size.
			trigger: { maxRecordsPerExecution: 1000, executionsInFlight: 20, options: { includeMetadata: false, executionTimeoutSeconds } },
			schema: { options: { timeZone: 'UTC' } },
			streamLoad: { batchRows: 5000, batchMb: 10, batchIntervalSeconds: 2, options: { labelPrefix: 'queue' } },
		});
		const workflowId = await deployWorkflow(cluster.main, workflow);
		return { ...target, workflowId };
	}

	function loadedInto(table: string): number {
		return doris.loads.filter((l) => l.table === table && l.status === 'Success').reduce((s, l) => s + l.rows, 0);
	}

	/** Activates a workflow on a fresh topic, produces EVENTS at full speed: rows/s from the first send to the last row loaded. */
	async function drainBacklog(name: string, firstId: number): Promise<Drain> {
		const events = scaleEvents(EVENTS, PARTITIONS, firstId);
		// Deploy on an empty topic, then produce: the clock starts with the first message sent.
		const phase = await deployPhase(name);
		const index = new OffsetIndex();
		const sampler = startCommitSampler(() => sampleCommitted(kafka, doris, phase.groupId, phase.topic, phase.table, index), 100);
		const started = Date.now();
		index.add(await kafka.produce(phase.topic, events));
		await waitFor(`${EVENTS} rows in ${phase.table}`, () => loadedInto(phase.table) >= EVENTS, {
			timeoutMs: DRAIN_TIMEOUT_MS,
			intervalMs: 100,
			progress: () => `${loadedInto(phase.table)} rows loaded; worker logs ${cluster.workers.map((w) => w.logPath).join(', ')}`,
		});
		const ms = Date.now() - started;
		await waitFor(`group ${phase.groupId} to commit everything`, async () => (await kafka.lag(phase.groupId, phase.topic)) === 0, { timeoutMs: 60_000, intervalMs: 250 });
		const samples = await sampler.stop();
		assertCommitsNeverAhead(samples, 2);
		assertTableEquals(doris.tableRows(DATABASE, phase.table), events.map((e) => e.row), 'id', SCALE_COLUMNS);
		return { phase, rowsPerSecond: Math.round((EVENTS * 1000) / ms), ms, index, events };
	}

	let oneWorker: Drain | undefined;
	let twoWorkers: Drain | undefined;

	it('one worker: every row lands, commits never run ahead of the rows', async () => {
		const run = await drainBacklog('one', 1_000_000);
		oneWorker = run;
		figures.push(`1 worker: ${EVENTS} events in ${run.ms} ms = ${run.rowsPerSecond} rows/s`);
		const processes = rowsByProcess(doris, run.phase.table);
		assert.equal(processes.size, 1, `loads came from ${processes.size} processes with one worker`);
		// Main runs the trigger only: the executions, and so the loads, are the worker's.
		assert.equal(await scrapeRowsLoaded(metricsPorts.get('worker1')!, run.phase.table), EVENTS);
		await cluster.main.deactivate(run.phase.workflowId);
	});

	it('two workers: each fills and loads its own batches, its metrics count exactly its loads', async () => {
		const added = Date.now();
		await cluster.addWorker();
		figures.push(`second worker ready in ${Date.now() - added} ms`);
		const run = await drainBacklog('two', 2_000_000);
		twoWorkers = run;
		figures.push(`2 workers: ${EVENTS} events in ${run.ms} ms = ${run.rowsPerSecond} rows/s${oneWorker ? ` (×${(run.rowsPerSecond / oneWorker.rowsPerSecond).toFixed(2)} of one worker)` : ''}`);

		const processes = rowsByProcess(doris, run.phase.table);
		assert.equal(processes.size, 2, `loads came from ${processes.size} process(es): ${JSON.stringify([...processes])}`);
		// Per process, what its metrics say it loaded equals what the loads history (by the process id
		// in the label) says it loaded: no batch, pool or counter is shared across processes.
		const scraped = await Promise.all(['worker1', 'worker2'].map((w) => scrapeRowsLoaded(metricsPorts.get(w)!, run.phase.table)));
		assert.deepEqual([...scraped].sort((a, b) => a - b), [...processes.values()].sort((a, b) => a - b), `metrics ${JSON.stringify(scraped)} vs loads by process ${JSON.stringify([...processes])}`);
		assert.equal(scraped[0] + scraped[1], EVENTS);
		figures.push(`2 workers: rows loaded per worker ${scraped.join(' / ')}; loads ${doris.loads.filter((l) => l.table === run.phase.table).length}`);
		await cluster.main.deactivate(run.phase.workflowId);
	});

	it('a worker SIGKILLed mid-stream: nothing lost, commits still behind the rows', async () => {
		assert.ok(twoWorkers, 'needs the two-worker phase');
		// n8n never settles an execution the killed worker stored as successful before Bull completed its
		// job (WorkflowRunner.processError returns without finalizing it: docs/scaling.md, A dead worker):
		// only the trigger's Execution Timeout redelivers it, so the recovery takes at least that long.
		// 15 s, not the other phases' 120 s (30 s before: recovery 34.5 s after the SIGKILL): an
		// execution here takes ~2 s (batches of 5000 rows or 2 s), ~6 s with its job queued behind the
		// surviving worker's 10; one that runs past 15 s under load is only redelivered, which
		// overwrites rows (UNIQUE KEY).
		const phase = await deployPhase('kill', 15);
		const index = new OffsetIndex();
		const events = scaleEvents(EVENTS, PARTITIONS, 3_000_000);
		const sampler = startCommitSampler(() => sampleCommitted(kafka, doris, phase.groupId, phase.topic, phase.table, index), 100);
		const before = loadedInto(phase.table);
		// A stream, so the kill lands while messages keep arriving.
		const producing = streamScaleEvents(kafka, phase.topic, events, index, 150);
		try {
			await waitFor('a quarter of the stream loaded', () => loadedInto(phase.table) - before >= EVENTS / 4, { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 50 });
			const victim = cluster.workers[0];
			const running = () => {
				const log = victim.logText();
				return (log.match(/Worker started execution/g) ?? []).length - (log.match(/Worker finished execution/g) ?? []).length;
			};
			// The stream comes in bursts: a kill between two of them hits nothing and proves nothing.
			await waitFor(`${victim.name} to be running an execution`, () => running() > 0, { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 5 });
			const runningOnVictim = running();
			const killedAt = Date.now();
			await victim.kill();
			figures.push(`SIGKILL ${victim.name} with ~${runningOnVictim} execution(s) on it, ${loadedInto(phase.table) - before} of ${EVENTS} stream rows loaded`);
			await producing;
			const all = events;
			await waitFor(`group ${phase.groupId} to commit everything after the kill`, async () => (await kafka.lag(phase.groupId, phase.topic)) === 0, {
				timeoutMs: DRAIN_TIMEOUT_MS,
				intervalMs: 500,
				progress: async () => `lag ${await kafka.lag(phase.groupId, phase.topic)}, ${visibleIds(doris, phase.table).size} of ${all.length} rows visible; ${uncommitted(await kafka.offsets(phase.groupId, phase.topic)).join(', ')}`,
			});
			const recoveredMs = Date.now() - killedAt;
			const samples = await sampler.stop();
			assertCommitsNeverAhead(samples, 2);
			// Set equality on a UNIQUE KEY table: redelivered rows overwrote themselves, none is missing.
			assertTableEquals(doris.tableRows(DATABASE, phase.table), all.map((e) => e.row), 'id', SCALE_COLUMNS);
			const offsets = await kafka.offsets(phase.groupId, phase.topic);
			assert.deepEqual(uncommitted(offsets), [], 'committed = end offsets');
			const loaded = loadedInto(phase.table);
			const failed = await cluster.main.rest.executions({ workflowId: phase.workflowId, status: ['error', 'crashed'], limit: 100 });
			// The kill hit executions in progress: their jobs stalled and failed, or (one n8n stored as
			// successful just before the kill) the trigger redelivered it after its Execution Timeout.
			assert.ok(failed.length > 0 || loaded > all.length, `no failed execution and no redelivery after SIGKILL of ${victim.name} (~${runningOnVictim} were running on it)`);
			figures.push(
				`after the kill: all ${all.length} rows in ${phase.table} ${recoveredMs} ms after the SIGKILL; ${loaded - all.length} rows loaded twice (redelivered), ${failed.length} failed/crashed execution(s) recorded`,
			);
			// The surviving worker loaded the redelivered rows: loads came from both processes.
			assert.equal(rowsByProcess(doris, phase.table).size, 2);
		} finally {
			// On a failure: no sampler or producer may outlive the test (they would hold the process open).
			await sampler.stop();
			await producing.catch(() => undefined);
		}
	});

	// Which output a node's items go to is decided on the worker: the Doris Schema node there reads the
	// running workflow's connections from its execution context (nodes/shared/outputs.ts), since the
	// main process, which runs the trigger, gets no run data back in queue mode.
	it('on a worker, an Invalid output that leads nowhere fails the execution and nothing commits past the invalid message', async () => {
		const target = scaleTarget('queue-nowhere');
		await createScaleTarget(ground, target, 1);
		const workflow = scaleWorkflow(target, 'queue invalid nowhere', credentials, {
			trigger: { maxRecordsPerExecution: 50, executionsInFlight: 1, options: { includeMetadata: false, executionTimeoutSeconds: 60 } },
			streamLoad: { batchRows: 1000, batchIntervalSeconds: 1 },
		});
		(workflow.connections as Record<string, { main: unknown[][] }>)['Doris Schema'].main[1] = [];
		const workflowId = await deployWorkflow(cluster.main, workflow);
		const events = scaleEvents(200, 1, 4_000_000).map((e, i) => (i === 100 ? { id: e.id, partition: 0, value: '{"id": 4000100, "cut off' } : e));
		const produced = await kafka.produce(target.topic, events);
		const badOffset = produced.find((p) => p.id === events[100].id)?.offset ?? -1;
		await watchNoCommitPast(cluster.main, kafka, { workflowId, groupId: target.groupId, topic: target.topic, partition: 0 }, badOffset);
		const [failed] = await cluster.main.rest.executions({ workflowId, status: ['error'], limit: 1 });
		assert.match((await cluster.main.rest.execution(failed.id)).data, /the Invalid output leads nowhere, so they would be lost/);
		await cluster.main.deactivate(workflowId);
	});

	// The same on a worker for a sub-workflow (Execute Workflow, waiting), which the trigger's activation
	// check never sees: its Doris Stream Load node on On Error "Continue (regular output)" with Rejected
	// leading nowhere fails the execution itself before loading (nodes/shared/outputs.ts
	// failDespiteContinue), where n8n would pass the rows on as Loaded, to the No Operation node after it,
	// and succeed. Its table is missing, so every load would fail.
	it('on a worker, a sub-workflow whose Doris Stream Load node continues with Rejected leading nowhere fails the execution naming the setting; nothing commits', async () => {
		const target = scaleTarget('queue-sub-continue');
		await createScaleTarget(ground, target, 1);
		const workflow = scaleWorkflow(target, 'queue sub-workflow continue', credentials, {
			trigger: { maxRecordsPerExecution: 50, executionsInFlight: 1, options: { includeMetadata: false, executionTimeoutSeconds: 60 } },
			streamLoad: { table: 'no_such_table', batchRows: 1000, batchIntervalSeconds: 1 },
		});
		const load = workflow.nodes.find((n) => n.name === 'Doris Stream Load') as WorkflowNode & { onError?: string };
		load.onError = 'continueRegularOutput';
		workflow.nodes.push({ id: 'loaded-summary', name: 'Loaded Summary', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [load.position[0] + 250, load.position[1]], parameters: {} });
		(workflow.connections as Record<string, { main: unknown[][] }>)['Doris Stream Load'].main = [[{ node: 'Loaded Summary', type: 'main', index: 0 }], []];
		handOffToSubWorkflow(workflow);
		const workflowId = await deployWorkflow(cluster.main, workflow);
		await kafka.produce(target.topic, scaleEvents(200, 1, 5_000_000));
		await watchNoCommitPast(cluster.main, kafka, { workflowId, groupId: target.groupId, topic: target.topic, partition: 0 }, -1);
		const failed = await cluster.main.rest.executions({ workflowId, status: ['error'], limit: 3 });
		const messages = await Promise.all(failed.map(async (e) => (await cluster.main.rest.execution(e.id)).data));
		assert.ok(messages.some((data) => /Doris Stream Load node \\*"Doris Stream Load\\*": On Error is \\*"Continue \(regular output\)\\*" but its Rejected output leads nowhere/.test(data)));
		await cluster.main.deactivate(workflowId);
	});
});
