// Scale-out with Kafka's consumer groups: two independent n8n instances (regular mode, each with its
// own SQLite database) run the same workflow with the same group id. The group splits the topic's
// partitions between them; when one instance stops mid-stream its partitions move to the other and
// nothing is lost (UNIQUE KEY table, set equality; commits never ahead of visible rows).
//
// SCALE_E2E_EVENTS (default 20000) sets the number of streamed events.
// Needs `npm run build` and the Kafka broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DorisTestServer } from '../ground/doris/server';
import { kafkaBrokers } from '../ground/kafka/env';
import { startN8n, type N8nHost } from '../ground/n8n/host';
import { DATABASE, assertTableEquals } from './support/doris';
import { EXAMPLE_CREDENTIALS, type ExampleWorkflow, type WorkflowTarget } from './support/examples';
import { uncommitted, type KafkaTestClient } from './support/kafka';
import { credentialData, deployWorkflow } from './support/n8n-setup';
import {
	OffsetIndex,
	SCALE_COLUMNS,
	assertCommitsNeverAhead,
	assertSplit,
	groupAssignment,
	rowsByProcess,
	sampleCommitted,
	scaleEvents,
	startCommitSampler,
	visibleIds,
	type GroupMember,
} from './support/queue-checks';
import { createScaleTarget, scaleTarget, scaleWorkflow, startScaleGround, streamScaleEvents, type ScaleGround } from './support/queue-ground';
import { timeUntil, waitFor } from '../support/wait-for';

const EVENTS = Number(process.env.SCALE_E2E_EVENTS ?? 20_000);
const PARTITIONS = 6;
const TIMEOUT_MS = Math.max(120_000, EVENTS * 10);

interface Instance {
	name: string;
	/** The Kafka client id of its credential: how the group's members are told apart. */
	clientId: string;
	n8n: N8nHost;
	workflowId?: string;
}

/** The examples' credentials in one instance, its Kafka client id its own. */
async function credentialsFor(instance: Instance, ground: ScaleGround): Promise<NonNullable<WorkflowTarget['credentials']>> {
	const data = credentialData({ kafkaBrokers, doris: ground.dorisEndpoint });
	data.kafka.clientId = instance.clientId;
	const refs: NonNullable<WorkflowTarget['credentials']> = {};
	for (const key of Object.keys(EXAMPLE_CREDENTIALS) as Array<keyof typeof EXAMPLE_CREDENTIALS>) {
		const { type, name } = EXAMPLE_CREDENTIALS[key];
		const created = await instance.n8n.rest.createCredential({ name, type, data: data[key] });
		refs[key] = { id: created.id, name: created.name };
	}
	return refs;
}

function describeMembers(members: GroupMember[]): string {
	return members.map((m) => `${m.clientId}: [${m.partitions.join(',')}]`).join('; ');
}

describe('two n8n instances, one consumer group', { timeout: 600_000 }, () => {
	let ground: ScaleGround;
	let doris: DorisTestServer;
	let kafka: KafkaTestClient;
	const instances: Instance[] = [];
	const figures: string[] = [];
	const target = scaleTarget('scale-out');
	const { topic, groupId, table } = target;
	const index = new OffsetIndex();
	const events = scaleEvents(EVENTS, PARTITIONS, 5_000_000);

	before(async () => {
		const started = Date.now();
		ground = await startScaleGround();
		({ doris, kafka } = ground);
		await createScaleTarget(ground, target, PARTITIONS);
		const hosts = await Promise.allSettled(['a', 'b'].map(() => startN8n({ stopGraceMs: 60_000 })));
		for (const [i, host] of hosts.entries()) {
			if (host.status === 'fulfilled') instances.push({ name: `n8n-${'ab'[i]}`, clientId: `scale-out-${'ab'[i]}`, n8n: host.value });
		}
		const failed = hosts.find((h) => h.status === 'rejected');
		if (failed) throw failed.reason;
		figures.push(`two n8n instances up in ${Date.now() - started} ms`);
	});

	after(async () => {
		for (const line of figures) console.log(`# ${line}`);
		await Promise.allSettled(instances.map((i) => i.n8n.close()));
		await ground?.close();
	});

	function workflowFor(instance: Instance, credentials: NonNullable<WorkflowTarget['credentials']>): ExampleWorkflow {
		return scaleWorkflow(target, `scale-out ${instance.name}`, credentials, {
			trigger: { maxRecordsPerExecution: 500, executionsInFlight: 10, options: { includeMetadata: false } },
			streamLoad: { batchRows: 2500, batchMb: 10, batchIntervalSeconds: 1, options: { labelPrefix: 'scale' } },
		});
	}

	it('the same workflow on both instances: the group splits the partitions between them', async () => {
		for (const instance of instances) {
			instance.workflowId = await deployWorkflow(instance.n8n, workflowFor(instance, await credentialsFor(instance, ground)));
		}
		let members: GroupMember[] = [];
		const ms = await timeUntil(
			`group ${groupId} to settle with two members`,
			async () => {
				const group = await groupAssignment(kafka.admin, groupId, topic);
				members = group.members;
				return group.state === 'Stable' && members.length === 2 && members.every((m) => m.partitions.length > 0);
			},
			{ timeoutMs: 90_000, intervalMs: 500, progress: () => describeMembers(members) },
		);
		assert.deepEqual(members.map((m) => m.clientId).sort(), instances.map((i) => i.clientId).sort());
		assertSplit(members, PARTITIONS);
		figures.push(`group stable with two members ${ms} ms after the second activation: ${describeMembers(members)}`);
	});

	it('one instance stops mid-stream: its partitions move to the other, nothing is lost', async () => {
		const [stopped, survivor] = instances;
		const sampler = startCommitSampler(() => sampleCommitted(kafka, doris, groupId, topic, table, index), 500);
		const producing = streamScaleEvents(kafka, topic, events, index, 200);
		try {
			await waitFor('a quarter of the stream loaded', () => visibleIds(doris, table).size >= EVENTS / 4, { timeoutMs: TIMEOUT_MS, intervalMs: 100 });
			// Both instances loaded before the stop: each one's batches carry its own process id.
			const loadersBefore = rowsByProcess(doris, table).size;

			const stopping = Date.now();
			const logFrom = stopped.n8n.logOffset();
			const { ms: stopMs, forced } = await stopped.n8n.stop();
			assert.equal(forced, false, `${stopped.name} needed SIGKILL to stop`);
			// n8n logs "Stopping n8n..." once its shutdown handlers (the trigger's close among them: finish
			// the executions in flight, commit, leave the group) are done. A process that dies before
			// that leaves its partitions to the session timeout and its executions to redelivery.
			// Checked last, so that a failure here still reports whether anything was lost.
			const shutdownLog = stopped.n8n.logSince(logFrom);
			let members: GroupMember[] = [];
			await waitFor(
				`${survivor.name} to take over every partition`,
				async () => {
					const group = await groupAssignment(kafka.admin, groupId, topic);
					members = group.members;
					return group.state === 'Stable' && members.length === 1 && members[0].partitions.length === PARTITIONS;
				},
				{ timeoutMs: 90_000, intervalMs: 250, progress: () => describeMembers(members) },
			);
			const movedMs = Date.now() - stopping;
			assert.equal(members[0].clientId, survivor.clientId);
			figures.push(`${stopped.name} stopped (SIGTERM) in ${stopMs} ms; ${survivor.name} held all ${PARTITIONS} partitions ${movedMs} ms after the stop began`);

			await producing;
			await waitFor(`group ${groupId} to commit everything`, async () => (await kafka.lag(groupId, topic)) === 0, {
				timeoutMs: TIMEOUT_MS,
				intervalMs: 500,
				progress: async () => `${visibleIds(doris, table).size} of ${EVENTS} rows visible; ${uncommitted(await kafka.offsets(groupId, topic)).join(', ')}; log ${survivor.n8n.logPath}`,
			});
			const samples = await sampler.stop();
			assertCommitsNeverAhead(samples, 2);
			assertTableEquals(doris.tableRows(DATABASE, table), events.map((e) => e.row), 'id', SCALE_COLUMNS);
			assert.deepEqual(uncommitted(await kafka.offsets(groupId, topic)), [], 'committed = end offsets');
			assert.equal(loadersBefore, 2, `before the stop, loads came from ${loadersBefore} process(es)`);
			const loaded = doris.loads.filter((l) => l.table === table && l.status === 'Success').reduce((s, l) => s + l.rows, 0);
			figures.push(`all ${EVENTS} rows in ${table}; ${loaded - EVENTS} rows loaded twice (redelivered after the move); ${samples.length} commit samples, none ahead of the rows`);
			assert.match(shutdownLog, /Stopping n8n/, `${stopped.name} exited before finishing n8n's graceful shutdown; its log from SIGTERM on ends with:\n${shutdownLog.split('\n').slice(-6).join('\n')}`);
		} finally {
			// On a failure: no sampler or producer may outlive the test (they would hold the process open).
			await sampler.stop();
			await producing.catch(() => undefined);
		}
	});
});
