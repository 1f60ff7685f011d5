// Doris faults under the core pipeline (Kafka → parse → Doris Schema mapping → batch → Stream Load →
// commit), on the real broker and the Doris test server with two FEs. Each case produces a known set,
// injects the fault mid-stream, waits until everything is committed and asserts the invariant
// (harness/world.ts assertInvariant): every row in Doris, no commit ahead of Doris, clear errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_RETRY } from '../../src/doris/stream-load/retry';
import { SINKER_DEFAULTS } from '../../src/kafka/consumer-options';
import { metrics } from '../../src/metrics/metrics';
import { counterSum, recordFigures } from './harness/figures';
import { assertClearFailures, assertInvariant, midStream, useWorld } from './harness/world';

const ROWS = 2000;
const world = useWorld({ feCount: 2 });

/** Loads the test server saw with a given fault. */
const faulted = (kind: string) => world.doris.loads.filter((l) => l.fault === kind);

describe('Doris faults: nothing lost, nothing loaded twice, nothing committed early', { timeout: 300_000 }, () => {
	it('baseline: no fault', async () => {
		const c = await world.newCase();
		await c.produceRows(0, ROWS);
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		assert.deepEqual(c.pipeline.failures, []);
		recordFigures('baseline', { rows: ROWS, settleMs: ms, commits: c.pipeline.commits.length, samples: c.pipeline.samples });
		await c.pipeline.close();
	});

	it('HTTP 500 for 3 loads: retried with the same label', async () => {
		const c = await world.newCase();
		const before = world.doris.loads.length;
		await midStream(c, ROWS, () => world.doris.faults.http500(3));
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		const hits = world.doris.loads.slice(before).filter((l) => l.fault === 'http500');
		assert.equal(hits.length, 3, 'three loads answered HTTP 500');
		// Each 500 was followed by a load of the same label that succeeded.
		for (const hit of hits) {
			assert.ok(world.doris.loads.some((l) => l.label === hit.label && l.status === 'Success'), `label ${hit.label} was retried and loaded`);
		}
		assertClearFailures(c, /HTTP 500/);
		recordFigures('http500x3', { rows: ROWS, settleMs: ms, http500: hits.length, executionFailures: c.pipeline.failures.length });
		await c.pipeline.close();
	});

	it('Fail with -235 (too many versions) for 2 loads: retryable, retried', async () => {
		const c = await world.newCase();
		await midStream(c, ROWS, () => world.doris.faults.fail(2, '[E-235]failed to init rowset builder. version count: 2001, exceed limit: 2000, tablet: 10087'));
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		const retried = await counterSum(metrics.streamLoads, { table: c.metricTable, status: 'retried' });
		assert.ok(retried >= 2, `retries counted: ${retried}`);
		assertClearFailures(c, /-235/);
		recordFigures('fail-235x2', { rows: ROWS, settleMs: ms, retried, executionFailures: c.pipeline.failures.length });
		await c.pipeline.close();
	});

	it('Publish Timeout for 2 loads: counted as committed, not loaded again (DUPLICATE KEY, exact)', async () => {
		const c = await world.newCase({ model: 'DUPLICATE' });
		await midStream(c, ROWS, () => world.doris.faults.publishTimeout(2));
		const ms = await c.pipeline.settle();
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		assert.equal(faulted('publishTimeout').filter((l) => l.table === c.table).length, 2);
		assert.deepEqual(c.pipeline.failures, []);
		recordFigures('publishTimeoutx2', { rows: ROWS, settleMs: ms, tableRows: c.pipeline.tableRowCount() });
		await c.pipeline.close();
	});

	it('answer lost after commit (reset): the retry finds the label VISIBLE, sends nothing again, no double load', async () => {
		const c = await world.newCase({ model: 'DUPLICATE' });
		await midStream(c, ROWS, () => world.doris.faults.resetAfterCommit(2));
		const ms = await c.pipeline.settle();
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		const lost = faulted('resetAfterCommit').filter((l) => l.table === c.table);
		assert.equal(lost.length, 2);
		for (const l of lost) {
			const history = world.doris.loads.filter((x) => x.label === l.label).map((x) => x.status);
			assert.deepEqual(history, ['Success'], `label ${l.label}: one load; the retry asked get_load_state instead of sending it again`);
		}
		const labels = world.doris.loads.filter((l) => l.table === c.table && l.status === 'Success').map((l) => l.label);
		assert.equal(new Set(labels).size, labels.length, 'no label loaded twice');
		const exists = await counterSum(metrics.streamLoads, { table: c.metricTable, status: 'label_exists' });
		recordFigures('resetAfterCommitx2', { rows: ROWS, settleMs: ms, tableRows: c.pipeline.tableRowCount(), labelExists: exists });
		await c.pipeline.close();
	});

	it('answer lost after commit on the last allowed attempt (Max Retries 0): get_load_state asked before giving up, no redelivery, no double load', async () => {
		// Review session 19, R1: the last attempt failed without a look at its label, and the execution's
		// redelivery loaded the committed rows again under a fresh label.
		const c = await world.newCase({ model: 'DUPLICATE', target: { retry: { maxRetries: 0, initialDelayMs: 10, maxDelayMs: 10, maxElapsedMs: 10_000 } } });
		await midStream(c, ROWS, () => world.doris.faults.resetAfterCommit(2));
		const ms = await c.pipeline.settle();
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		assert.equal(faulted('resetAfterCommit').filter((l) => l.table === c.table).length, 2);
		assert.deepEqual(c.pipeline.failures, [], 'no execution failed');
		recordFigures('resetAfterCommitx2-maxRetries0', { rows: ROWS, settleMs: ms, tableRows: c.pipeline.tableRowCount() });
		await c.pipeline.close();
	});

	it('Keep Order per Partition: a load committed before its deadline that answers after it is found committed by get_load_state, not redelivered, not loaded twice', async () => {
		// Review session 19, R2: the exchange was ended at the deadline and the execution failed, and its
		// redelivery (deadline + 5 s) loaded the committed rows again under a fresh label.
		// The hop's own timeout past the deadline: only the deadline ends the exchange.
		const c = await world.newCase({ model: 'DUPLICATE', consumer: { keepPartitionOrder: true, executionTimeoutMs: 6_000 }, target: { requestTimeoutMs: 60_000 } });
		await midStream(c, ROWS, () => world.doris.faults.hangAfterCommit(1, 20_000));
		const ms = await c.pipeline.settle();
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		assert.equal(faulted('hangAfterCommit').filter((l) => l.table === c.table).length, 1);
		assert.deepEqual(c.pipeline.failures, [], 'no execution failed');
		recordFigures('hangAfterCommit-keepOrder', { rows: ROWS, settleMs: ms, tableRows: c.pipeline.tableRowCount() });
		await c.pipeline.close();
	});

	it('BE hangs past the request timeout: the same label waits for the running attempt, loads once', async () => {
		const c = await world.newCase({ model: 'DUPLICATE', target: { requestTimeoutMs: 1000 } });
		await midStream(c, ROWS, () => world.doris.faults.hang(1, 3000));
		const ms = await c.pipeline.settle();
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		const hung = faulted('hang').filter((l) => l.table === c.table);
		assert.equal(hung.length, 1);
		const after = world.doris.loads.filter((l) => l.label === hung[0].label).map((l) => l.status);
		assert.ok(after.includes('Success'), `label ${hung[0].label} finally loaded: ${after.join(', ')}`);
		assertClearFailures(c, /within 1000 ms|timeout|Timed out|still/i);
		recordFigures('beHang3s-timeout1s', { rows: ROWS, settleMs: ms, labelHistory: after, executionFailures: c.pipeline.failures.length });
		await c.pipeline.close();
	});

	// A BE that takes the body and never answers, at the default settings: the client's (request
	// timeout 660 s, the default 600 s load timeout + 60 s; retries for up to 600 s) and the trigger's
	// execution timeout (the harness' 30 s would fail the executions waiting on the hung batch just as
	// the silence is noticed). The silence before get_load_state is 5 s, not the default 30 s: the
	// path is the same (the default's cost, 30 s, is the constant DEFAULT_SILENCE), and 25 s of waiting
	// for nothing was a third of this file's time.
	const atDefaults = { target: { requestTimeoutMs: 660_000, retry: DEFAULT_RETRY, silence: { afterMs: 5000, pollMs: 1000 } }, consumer: { executionTimeoutMs: SINKER_DEFAULTS.executionTimeoutMs } };
	it('BE silent after committing (hangs 600 s): found VISIBLE by get_load_state after the silence, loaded once', async () => {
		const c = await world.newCase({ model: 'DUPLICATE', ...atDefaults });
		let armedAt = 0;
		await midStream(c, ROWS, () => {
			armedAt = Date.now();
			world.doris.faults.hangAfterCommit(1, 600_000);
		});
		await c.pipeline.settle(120_000);
		const recoverMs = Date.now() - armedAt;
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		const hung = faulted('hangAfterCommit').filter((l) => l.table === c.table);
		assert.equal(hung.length, 1);
		assert.deepEqual(world.doris.loads.filter((l) => l.label === hung[0].label).map((l) => l.status), ['Success'], 'never sent again');
		assert.deepEqual(c.pipeline.failures, [], 'settled inside the load: no execution failed');
		assert.ok(recoverMs < 120_000, `recovered in ${recoverMs} ms, not after the request timeout`);
		recordFigures('beSilentAfterCommit', { rows: ROWS, timeToRecoverMs: recoverMs, tableRows: c.pipeline.tableRowCount() });
		await c.pipeline.close();
	});

	it('BE stuck before its transaction began (hangs 600 s): UNKNOWN after the silence, same label again, loaded once', async () => {
		const c = await world.newCase({ model: 'DUPLICATE', ...atDefaults });
		let armedAt = 0;
		await midStream(c, ROWS, () => {
			armedAt = Date.now();
			world.doris.faults.hangBeforeBegin(1, 600_000);
		});
		await c.pipeline.settle(120_000);
		const recoverMs = Date.now() - armedAt;
		assertInvariant(c, { model: 'DUPLICATE', exact: true });
		const hung = faulted('hangBeforeBegin').filter((l) => l.table === c.table);
		assert.equal(hung.length, 1);
		assert.deepEqual(world.doris.loads.filter((l) => l.label === hung[0].label).map((l) => l.status), ['hang before begin', 'Success']);
		assert.ok(recoverMs < 120_000, `recovered in ${recoverMs} ms, not after the request timeout`);
		recordFigures('beStuckBeforeBegin', { rows: ROWS, timeToRecoverMs: recoverMs, executionFailures: c.pipeline.failures.length });
		await c.pipeline.close();
	});

	it('FE redirects to a dead BE for 2 loads: connection refused, retried', async () => {
		const c = await world.newCase();
		const before = world.doris.loads.length;
		await midStream(c, ROWS, () => world.doris.faults.redirectToDeadBe(2));
		const ms = await c.pipeline.settle();
		assertInvariant(c);
		// A refused BE counts as a connect failure: the client first tries the other FE (whose redirect
		// took the second armed fault), then retries after backoff with the same label.
		const retried = await counterSum(metrics.streamLoads, { table: c.metricTable, status: 'retried' });
		assert.ok(retried >= 1, `retries counted: ${retried}`);
		assert.ok(world.capture.lines.some((l) => /ECONNREFUSED/.test(l)), 'the refused connection was logged');
		assertClearFailures(c, /ECONNREFUSED|refused|connect/i);
		recordFigures('redirectToDeadBex2', { rows: ROWS, settleMs: ms, retried, beLoads: world.doris.loads.length - before });
		await c.pipeline.close();
	});

	it('one of two FEs down mid-stream: loads fail over to the other FE', async () => {
		const c = await world.newCase();
		try {
			await midStream(c, ROWS, () => world.doris.stopFe(0));
			const ms = await c.pipeline.settle();
			assertInvariant(c);
			assert.deepEqual(c.pipeline.failures, [], 'failover is inside one attempt: no execution failed');
			assert.ok(world.capture.lines.some((l) => /unreachable .*trying the next one/.test(l)), 'the failover was logged');
			recordFigures('oneFeDown', { rows: ROWS, settleMs: ms });
		} finally {
			await world.doris.startFe(0);
			await c.pipeline.close();
		}
	});

	it('wrong password: activation fails with a clear error; loads fail without retrying, nothing committed', async () => {
		const wrong = 'Wr0ng-Pa55-zq7';
		const c = await world.newCase({ noStart: true, dorisPassword: wrong });
		await assert.rejects(c.pipeline.readSchema(), (error: Error) => {
			assert.match(error.message, /root/);
			assert.match(error.message, /denied|password|auth/i);
			assert.doesNotMatch(error.message, new RegExp(wrong));
			world.capture.error('activation', error);
			return true;
		});
		// The schema read with the right password (say the MySQL user differs), the loads with the wrong one.
		const target = c.pipeline.target.connection as { password: string };
		target.password = world.doris.password;
		await c.pipeline.readSchema();
		target.password = wrong;
		const beLoads = world.doris.loads.length;
		await c.pipeline.startConsuming();
		await c.produceRows(0, 400);
		const windowMs = 5000;
		await new Promise((resolve) => setTimeout(resolve, windowMs));
		const failed = await counterSum(metrics.streamLoads, { table: c.metricTable, status: 'failed' });
		const retried = await counterSum(metrics.streamLoads, { table: c.metricTable, status: 'retried' });
		const executions = c.pipeline.executions.length;
		assert.equal(retried, 0, 'an authentication failure is not retried by the Stream Load client');
		assert.ok(failed >= 1 && failed <= executions, `one request per execution at most: ${failed} loads for ${executions} executions`);
		// Redelivery backs off (200 ms doubling, capped at 2 s here; 1 s → 60 s by default): no storm.
		assert.ok(executions <= 2 * 8, `executions in ${windowMs} ms: ${executions}`);
		assert.equal(world.doris.loads.length, beLoads, 'the FE refused before any BE saw a load');
		assert.equal(c.pipeline.commits.length, 0, 'nothing committed');
		assert.equal((await c.pipeline.committed()).size, 0, 'the broker holds no offset for the group');
		assert.ok(c.pipeline.failures.length > 0);
		assertClearFailures(c, /refused|Unauthorized|Access denied/i);
		for (const reason of c.pipeline.failures) assert.doesNotMatch(reason, new RegExp(wrong));
		recordFigures('wrongPassword', { windowMs, executions, streamLoadRequests: failed, retried, commits: 0, firstError: c.pipeline.failures[0] });
		await c.pipeline.close();
	});
});
