// The Kafka broker goes away after the consumer ran, and stays away longer than Report Stalled Consumer
// After. kafkajs crashes the consumer and restarts it without limit; before the stall watch
// (src/kafka/stall-watch.ts) nothing but log lines said so, and in n8n nothing at all. The broker is
// this file's own (test/ground/kafka/private-broker.ts), stopped with SIGTERM (data kept) and started
// again on the same data, as a production broker comes back: the shared test broker is never touched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { StallReport } from '../../src/kafka/stall-watch';
import { startPrivateBroker, type PrivateBroker } from '../ground/kafka/private-broker';
import { waitFor } from '../support/wait-for';
import { recordFigures } from './harness/figures';
import { assertInvariant, useWorld } from './harness/world';

const THRESHOLD_MS = 10_000;
const HEARTBEAT_MS = 1_000;
/**
 * The broker's smallest session timeout (group.min.session.timeout.ms, 6 s), as in broker-restart: after
 * the broker is back, kafkajs rejoins under a new member id and the group waits for the old one's session
 * to expire before it hands the partitions out again, which with the suites' 10 s session was most of
 * the 10-11 s the run took to settle after the resume.
 */
const SESSION_TIMEOUT_MS = 6_000;
/**
 * How much older than the stop the coordinator's last answer may be: a heartbeat goes out once per
 * interval at most, after a fetch or from an execution's wait, so under load (CI runs two files at a
 * time) the last one can lag by more than one interval.
 */
const LAST_ANSWER_SLACK_MS = 3 * HEARTBEAT_MS;

let broker: PrivateBroker | undefined;
const world = useWorld(
	{
		brokers: () => {
			assert.ok(broker, 'the private broker starts before the world');
			return broker.brokers;
		},
	},
	{
		beforeStart: async () => {
			broker = await startPrivateBroker('broker-stall');
		},
		afterClose: () => broker?.stop(),
	},
);

describe('Kafka brokers unreachable after activation', { timeout: 300_000 }, () => {
	it('reported once, after Report Stalled Consumer After and not before; the same consumer goes on when the broker returns; every row loaded, none twice in the table, no commit ahead of Doris', async () => {
		const reports: Array<StallReport & { at: number }> = [];
		const c = await world.newCase({
			partitions: 2,
			consumer: { stallReportMs: THRESHOLD_MS, heartbeatIntervalMs: HEARTBEAT_MS, sessionTimeoutMs: SESSION_TIMEOUT_MS, onStall: (report) => reports.push({ ...report, at: Date.now() }) },
		});
		assert.ok(broker);
		await c.produceRows(0, 3000);
		await waitFor('500 rows in Doris before the broker stops', () => c.pipeline.tableRowCount() >= 500, { timeoutMs: 30_000, intervalMs: 20 });
		const [consumer] = c.pipeline.consumers;
		const loadedAtStop = c.pipeline.tableRowCount();
		assert.equal(reports.length, 0, 'a stall reported while the broker answered');

		const haltBegan = Date.now();
		await broker.halt();
		const haltEnded = Date.now();
		const committedAtHalt = c.pipeline.commits.length;
		// The last answer came shortly before the stop began: no report may come before that plus the threshold.
		const earliest = haltBegan - LAST_ANSWER_SLACK_MS + THRESHOLD_MS;
		await sleep(Math.max(earliest - 500 - Date.now(), 0));
		assert.equal(reports.length, 0, `a stall reported ${reports[0] ? reports[0].at - haltBegan : 0} ms after the stop began, before ${THRESHOLD_MS} ms of silence`);

		// Reported once the threshold passed: by the watch's check (every 2 s here) or at the first crash after it.
		await waitFor('the stall report', () => reports.length > 0, { timeoutMs: THRESHOLD_MS + 60_000, intervalMs: 50 });
		const [report] = reports;
		assert.ok(report.at >= earliest, `reported ${report.at - haltBegan} ms after the stop began`);
		assert.ok(report.silentMs >= THRESHOLD_MS, `silentMs ${report.silentMs}`);
		// The silence it reports is the outage's: the consumer was in touch with its coordinator until the stop.
		assert.ok(report.at - report.silentMs >= haltBegan - LAST_ANSWER_SLACK_MS, `the last answer came ${haltBegan - (report.at - report.silentMs)} ms before the stop began`);
		assert.ok(report.crashes >= 1, 'a stall has at least one crash in it');
		assert.match(report.message, new RegExp(`group "${c.pipeline.groupId}"`));
		assert.ok(report.message.includes(broker.brokers[0]), `the report names the broker ${broker.brokers[0]}: ${report.message}`);
		assert.match(report.message, /last error: .+/);
		assert.match(report.message, /nothing is lost/);
		assert.ok(
			world.capture.lines.some((line) => line.startsWith('error ') && line.includes(report.message)),
			'the report is logged at error level',
		);

		// Once per stall: the broker stays away a while longer (the watch checks every second), crashes go on, no second report.
		await sleep(5_000);
		assert.equal(reports.length, 1, 'a stall is reported once');
		assert.equal(c.pipeline.commits.length, committedAtHalt, 'nothing was committed while the broker was away');

		await broker.resume();
		const resumedAt = Date.now();
		await c.produceRows(3000, 2000);
		const settleMs = await c.pipeline.settle(120_000);
		assertInvariant(c);
		assert.equal(reports.length, 1, 'the recovery is no new stall');
		assert.deepEqual(c.pipeline.consumers, [consumer], 'the same consumer went on (no new activation)');
		assert.ok(
			world.capture.lines.some((line) => /reached its group coordinator again after a reported stall/.test(line)),
			'the recovery is logged',
		);
		const delivered = c.pipeline.executions.reduce((s, e) => s + Number(e.last - e.first + 1n), 0);
		recordFigures('brokerStall', {
			rows: 5000,
			thresholdMs: THRESHOLD_MS,
			loadedAtStop,
			brokerStopMs: haltEnded - haltBegan,
			reportedAfterStopBeganMs: report.at - haltBegan,
			reportedSilentMs: report.silentMs,
			crashesBeforeReport: report.crashes,
			brokerDownMs: resumedAt - haltBegan,
			settleAfterResumeMs: settleMs,
			messagesDelivered: delivered,
			redelivered: delivered - 5000,
		});
		await c.pipeline.close();
	});
});
