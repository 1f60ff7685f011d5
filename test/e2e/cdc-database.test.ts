// A whole database's Debezium change stream through ONE workflow (examples/cdc-database.json) in real
// n8n, on the real broker and the Doris test server: 20 tables (a topic each, 3 partitions), inserts,
// updates, deletes and re-inserts, one table gaining a column mid-stream (ADD COLUMN), one table (and
// its topic) appearing mid-stream (CREATE TABLE), at least 10 executions in flight with Keep Order per
// Partition, and n8n killed with -9 in the middle: afterwards every Doris table equals the state the
// stream describes. Rows per second against one workflow per table: `npm run bench -- cdc-database`.
// Needs `npm run build` and the broker.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';

import { freePort } from '../ground/n8n/process';
import { NEW_COLUMN } from '../fixtures/debezium/database';
import { waitFor } from '../support/wait-for';
import { assertTables, lag, newCase, oneWorkflow, produceInSlices, TABLES, watchInFlight } from './support/cdc-database';
import { startWorld, type E2eWorld } from './support/fixture';
import { deployWorkflow } from './support/n8n-setup';

const CHANGES = Number(process.env.E2E_CDC_CHANGES ?? 15_000);
const IN_FLIGHT = 12;
/**
 * Keep Order per Partition makes the owner after the kill wait out the killed owner's lease (1.25 ×
 * Execution Timeout, + 5 s): 10 s keeps that wait short; its executions take a few seconds.
 */
const EXECUTION_TIMEOUT_S = 10;

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
		const c = await newCase(world, 'cdcdb', CHANGES);
		const workflowId = await deployWorkflow(
			world.n8n,
			oneWorkflow(world, c, { executionsInFlight: IN_FLIGHT, options: { topicCheckSeconds: 2, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000, executionTimeoutSeconds: EXECUTION_TIMEOUT_S } }),
		);
		const inFlight = watchInFlight(metricsPort);
		t.after(() => inFlight.stop());
		const messages = c.stream.messages;
		const lateAt = messages.findIndex((m) => m.table === c.stream.lateTable);
		const started = Date.now();
		let killedAt = -1;
		await produceInSlices(world, c, 10, async (s) => {
			if (s === 3) {
				// Mid-stream: some rows of every kind are in, many are not.
				await waitFor('rows loaded before kill -9', () => world.doris.loads.filter((l) => l.db === c.database && l.status === 'Success').length >= 20, { timeoutMs: 180_000 });
				await world.n8n.kill();
				killedAt = Date.now();
			}
			if (s === 5) await world.n8n.start();
		});
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
});
