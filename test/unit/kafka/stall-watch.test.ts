import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatSilence, StallWatch, stallCheckIntervalMs, type StallRecovery, type StallReport } from '../../../src/kafka/stall-watch';

const BROKERS = ['kafka-1:9092', 'kafka-2:9092'];
const refused = new Error('Cannot reach the Kafka brokers kafka-1:9092, kafka-2:9092: Connection error: connect ECONNREFUSED 10.0.0.1:9092');

/** A watch on a clock the test moves; its timer is not started (check() is called where the timer would). */
function fakeWatch(thresholdMs = 60_000) {
	let now = 1_000_000;
	const reports: StallReport[] = [];
	const recoveries: StallRecovery[] = [];
	const watch = new StallWatch({
		thresholdMs,
		groupId: 'orders-sink',
		brokers: BROKERS,
		onStall: (report) => reports.push(report),
		onRecover: (recovery) => recoveries.push(recovery),
		now: () => now,
	});
	return {
		watch,
		reports,
		recoveries,
		advance(ms: number) {
			now += ms;
			watch.check();
		},
	};
}

describe('StallWatch', () => {
	it('reports a silence with crashes once it reaches the threshold, not a millisecond before', () => {
		const w = fakeWatch(60_000);
		w.advance(1_000);
		w.watch.crash(refused);
		w.advance(58_999);
		assert.equal(w.reports.length, 0, 'reported before the threshold');
		w.advance(1);
		assert.equal(w.reports.length, 1);
		const [report] = w.reports;
		assert.equal(report.silentMs, 60_000);
		assert.equal(report.crashes, 1);
		assert.equal(report.groupId, 'orders-sink');
		assert.deepEqual(report.brokers, BROKERS);
		assert.equal(report.lastError, refused.message);
		assert.match(report.message, /group "orders-sink"/);
		assert.match(report.message, /kafka-1:9092, kafka-2:9092/);
		assert.match(report.message, /for 1 min 00 s/);
		assert.match(report.message, /last error: Cannot reach the Kafka brokers .* ECONNREFUSED/);
		assert.match(report.message, /nothing is lost/);
	});

	it('reports once per stall, however long it lasts and however many crashes follow', () => {
		const w = fakeWatch(10_000);
		w.watch.crash(refused);
		for (let i = 0; i < 100; i++) {
			w.advance(5_000);
			w.watch.crash(new Error(`crash ${i}`));
		}
		assert.equal(w.reports.length, 1);
		assert.equal(w.reports[0].crashes, 2, 'the report counts the crashes up to the moment it was made');
	});

	it('a silence without a crash is no stall: an idle process that slept has failed to reach no one', () => {
		const w = fakeWatch(10_000);
		w.advance(3_600_000);
		assert.equal(w.reports.length, 0);
		// The first crash after such a silence: the silence counts from the last answer, so it is reported at once.
		w.watch.crash(refused);
		assert.equal(w.reports.length, 1);
		assert.equal(w.reports[0].silentMs, 3_600_000);
	});

	it('answers of the coordinator keep crashes from adding up: a crash, an answer, a crash is no stall', () => {
		const w = fakeWatch(10_000);
		for (let i = 0; i < 20; i++) {
			w.watch.crash(refused);
			w.advance(6_000);
			w.watch.contact();
		}
		assert.equal(w.reports.length, 0);
	});

	it('the first answer after a report ends the stall (recovery with its length), and a later silence is a new stall', () => {
		const w = fakeWatch(10_000);
		w.watch.crash(refused);
		w.advance(12_000);
		assert.equal(w.reports.length, 1);
		assert.equal(w.watch.stalled, true);
		w.advance(30_000);
		w.watch.contact();
		assert.deepEqual(w.recoveries, [{ groupId: 'orders-sink', silentMs: 42_000 }]);
		assert.equal(w.watch.stalled, false);
		w.watch.contact();
		assert.equal(w.recoveries.length, 1, 'only the first answer after a report is a recovery');
		w.advance(9_000);
		w.watch.crash(new Error('Kafka error: The coordinator is not available'));
		w.advance(999);
		assert.equal(w.reports.length, 1);
		w.advance(1);
		assert.equal(w.reports.length, 2);
		assert.equal(w.reports[1].silentMs, 10_000);
		assert.equal(w.reports[1].crashes, 1);
		assert.equal(w.reports[1].lastError, 'Kafka error: The coordinator is not available');
	});

	it('an answer without a report before it is no recovery', () => {
		const w = fakeWatch(10_000);
		w.watch.crash(refused);
		w.advance(9_999);
		w.watch.contact();
		assert.deepEqual(w.recoveries, []);
	});

	it('runs on its own timer: checks a tenth of the threshold apart, stops with stop()', (t) => {
		t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 5_000 });
		const reports: StallReport[] = [];
		const watch = new StallWatch({ thresholdMs: 20_000, groupId: 'g', brokers: BROKERS, onStall: (r) => reports.push(r) });
		watch.start();
		t.mock.timers.tick(1_000);
		watch.crash(refused);
		t.mock.timers.tick(18_000);
		assert.equal(reports.length, 0);
		t.mock.timers.tick(2_000);
		assert.equal(reports.length, 1, 'reported by the timer between 20 s and 22 s of silence');
		assert.ok(reports[0].silentMs >= 20_000 && reports[0].silentMs <= 22_000, `silentMs ${reports[0].silentMs}`);
		watch.contact();
		watch.crash(refused);
		watch.stop();
		t.mock.timers.tick(60_000);
		assert.equal(reports.length, 1, 'a stopped watch reports nothing');
	});

	it('refuses a threshold that cannot be watched, naming the setting', () => {
		assert.throws(() => new StallWatch({ thresholdMs: 0, groupId: 'g', brokers: BROKERS, onStall: () => {} }), /Report Stalled Consumer After must be above 0 to watch, got 0 ms/);
	});
});

describe('stall helpers', () => {
	it('check interval: a tenth of the threshold, 250 ms to 10 s', () => {
		assert.equal(stallCheckIntervalMs(300_000), 10_000);
		assert.equal(stallCheckIntervalMs(20_000), 2_000);
		assert.equal(stallCheckIntervalMs(1_000), 250);
	});

	it('formats a silence as an operator reads it', () => {
		assert.equal(formatSilence(45_900), '45 s');
		assert.equal(formatSilence(245_000), '4 min 05 s');
		assert.equal(formatSilence(3_725_000), '1 h 02 min');
	});
});
