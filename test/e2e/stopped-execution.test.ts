// An execution stopped in n8n (the editor's Stop, here its REST call POST /rest/executions/:id/stop) while
// its rows wait in the Doris Stream Load node's open batch, beside another execution's rows. n8n 2.40.7
// aborts the execution's cancel signal and ends the run as "canceled" at once; the Kafka trigger counts it
// as failed and delivers its messages again. Before, the stopped execution's rows stayed in the batch and
// loaded with it, and the redelivery loaded them a second time: duplicates in the DUPLICATE KEY table. Now
// they are taken out of the batch (src/batch/withdraw.ts): after the redelivery every event is in Doris
// once, and the other execution's rows load as they would have.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { freePort } from '../ground/n8n/process';
import { waitFor } from '../support/wait-for';
import { assertTableEquals, DATABASE } from './support/doris';
import { logEvents } from './support/events';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitForCommitted } from './support/progress';

const LOG_COLUMNS = ['seq', 'ts', 'level', 'service', 'host', 'status', 'latency_ms', 'message'] as const;
/** Long enough that both executions' rows wait in one open batch while one of them is stopped. */
const BATCH_INTERVAL_S = 30;

/** `sinker_batch_buffered_bytes` of `table` from n8n's /metrics (0 when not exported yet). */
async function bufferedBytes(port: number, table: string): Promise<number> {
	const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
	assert.equal(res.status, 200, `GET :${port}/metrics`);
	let total = 0;
	for (const line of (await res.text()).split('\n')) {
		if (line.startsWith('sinker_batch_buffered_bytes{') && line.includes(`table="${DATABASE}.${table}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
	}
	return total;
}

describe('an execution stopped in n8n while its rows wait in the open batch', { timeout: 300_000 }, () => {
	let world: E2eWorld;
	let metricsPort: number;
	before(async () => {
		metricsPort = await freePort();
		world = await startWorld('stopped-execution', { env: { DORIS_SINKER_METRICS: 'true', DORIS_SINKER_METRICS_PORT: String(metricsPort) } });
	});
	after(async () => {
		await world?.close();
	});

	it('its rows come out of the batch, its redelivery loads them: every event in the DUPLICATE KEY table once, the other execution\'s too', async (t) => {
		const scenario = await prepareScenario(world, 'logs-high-frequency', {
			partitions: 2,
			tableFrom: 'app_logs',
			ddl: 'logs',
			overrides: {
				// Max Idle off: the batch waits out its interval whatever the trigger does meanwhile.
				streamLoad: { batchIntervalSeconds: BATCH_INTERVAL_S, options: { batchIdleMs: 0 } },
				trigger: { options: { redeliveryBackoffMs: 1000, redeliveryBackoffMaxMs: 2000 } },
			},
		});
		const workflowId = await scenario.deploy();
		const events = logEvents(40, 2);
		const running = async () => (await world.n8n.rest.executions({ workflowId, status: ['running'] })).map((e) => e.id).sort((a, b) => Number(a) - Number(b));

		// Partition 0's execution first: its rows in the open batch before partition 1's arrive.
		await world.kafka.produce(scenario.topic, events.filter((e) => e.partition === 0));
		let first = 0;
		await waitFor('partition 0\'s rows in the open batch', async () => (first = await bufferedBytes(metricsPort, scenario.table)) > 0, { timeoutMs: 60_000, intervalMs: 200 });
		await world.kafka.produce(scenario.topic, events.filter((e) => e.partition === 1));
		let both = 0;
		await waitFor('partition 1\'s rows in the same open batch', async () => (both = await bufferedBytes(metricsPort, scenario.table)) > first, { timeoutMs: 60_000, intervalMs: 200 });
		const ids = await running();
		assert.equal(ids.length, 2, `two executions wait for the batch: ${ids.join(', ')}`);
		assert.equal(world.doris.loads.filter((l) => l.table === scenario.table).length, 0, 'nothing loaded yet');

		const logFrom = world.n8n.logOffset();
		await world.n8n.rest.request('POST', `/rest/executions/${ids[0]}/stop`, {});
		await waitFor('the stopped execution listed as canceled', async () => (await world.n8n.rest.executions({ workflowId, status: ['canceled'] })).some((e) => e.id === ids[0]), {
			timeoutMs: 30_000,
			intervalMs: 200,
		});
		await waitForCommitted(world, scenario, BATCH_INTERVAL_S * 1000 + 90_000);
		const valid = events.filter((e) => e.row !== undefined).map((e) => e.row as Record<string, unknown>);
		assertTableEquals(world.doris.tableRows(DATABASE, scenario.table), valid, 'seq', LOG_COLUMNS);
		const loads = world.doris.loads.filter((l) => l.table === scenario.table && l.status === 'Success');
		assert.equal(
			loads.reduce((sum, l) => sum + l.rows, 0),
			valid.length,
			'no row loaded twice',
		);
		assert.equal(loads.length, 1, 'the redelivered rows joined the open batch: one load, at its interval');
		assert.equal((await world.n8n.rest.executions({ workflowId, status: ['error'] })).length, 0, 'no execution failed');
		// Its rows left the batch before the batch was sent, and n8n's log says so.
		assert.match(world.n8n.logSince(logFrom), /Stream Load into demo\.app_logs_\w+: 20 row\(s\) of an execution stopped in n8n \(Stop, or the workflow's Timeout\) were taken out of the batch before it was sent/);
		t.diagnostic(`buffered ${first} then ${both} bytes; stopped execution ${ids[0]}; ${loads.length} load(s), ${valid.length} rows, each once`);
		await world.n8n.deactivate(workflowId);
	});
});
