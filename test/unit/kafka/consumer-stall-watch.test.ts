import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Consumer } from 'kafkajs';

import { ConsumerStallWatch, watchForStalls } from '../../../src/kafka/consumer-stall-watch';
import type { StallReport } from '../../../src/kafka/stall-watch';

const BROKERS = ['kafka-1:9092', 'kafka-2:9092'];
const refused = new Error('Cannot reach the Kafka brokers kafka-1:9092, kafka-2:9092: Connection error: connect ECONNREFUSED 10.0.0.1:9092');

/** A kafkajs consumer as far as the watch uses it: events by name, listeners kept to be called by the test. */
function fakeConsumer() {
	const events = { HEARTBEAT: 'consumer.heartbeat', GROUP_JOIN: 'consumer.group_join', COMMIT_OFFSETS: 'consumer.commit_offsets', FETCH: 'consumer.fetch', CRASH: 'consumer.crash' };
	const listeners = new Map<string, Array<() => void>>();
	const consumer = {
		events,
		on: (name: string, listener: () => void) => listeners.set(name, [...(listeners.get(name) ?? []), listener]),
	} as unknown as Pick<Consumer, 'on' | 'events'>;
	return { consumer, listeners, emit: (name: string) => listeners.get(name)?.forEach((listener) => listener()) };
}

describe('watchForStalls', () => {
	const silent = { debug() {}, info() {}, warn() {}, error() {} };
	const connection = { brokers: BROKERS };

	it('none in an editor test run or with the setting at 0; the default when unset', () => {
		assert.equal(watchForStalls({ groupId: 'g', connection, manual: { recentMessages: 100 } }, silent), undefined);
		assert.equal(watchForStalls({ groupId: 'g', connection, stallReportMs: 0 }, silent), undefined);
		const watch = watchForStalls({ groupId: 'g', connection }, silent);
		assert.ok(watch);
		watch.stop();
	});

	it('logs the report at error level and hands it on; logs the recovery', (t) => {
		t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
		const logged: Array<[string, string]> = [];
		const logger = { ...silent, error: (m: string) => logged.push(['error', m]), warn: (m: string) => logged.push(['warn', m]) };
		const handed: StallReport[] = [];
		const watch = watchForStalls({ groupId: 'g', connection, stallReportMs: 5_000, onStall: (r) => handed.push(r) }, logger);
		assert.ok(watch);
		watch.crash(refused);
		t.mock.timers.tick(6_000);
		assert.equal(handed.length, 1);
		assert.deepEqual(logged, [['error', handed[0].message]]);
		watch.contact();
		assert.equal(logged.length, 2);
		assert.match(logged[1][1], /reached its group coordinator again/);
		watch.stop();
	});
});


describe('ConsumerStallWatch', () => {
	const silent = { debug() {}, info() {}, warn() {}, error() {} };
	const settings = (onStall: (report: StallReport) => void) => ({ groupId: 'g', connection: { brokers: BROKERS }, stallReportMs: 5_000, onStall });

	it('counts a heartbeat, a group join and an offset commit as an answer of the coordinator, and nothing else', (t) => {
		t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
		const kafkajs = fakeConsumer();
		const recovered: string[] = [];
		const handed: StallReport[] = [];
		const watch = new ConsumerStallWatch(kafkajs.consumer, settings((r) => handed.push(r)), { ...silent, warn: (m: string) => recovered.push(m) });
		assert.deepEqual([...kafkajs.listeners.keys()].sort(), ['consumer.commit_offsets', 'consumer.group_join', 'consumer.heartbeat']);
		watch.start();
		for (const event of ['consumer.heartbeat', 'consumer.group_join', 'consumer.commit_offsets']) {
			watch.crash(refused);
			t.mock.timers.tick(6_000);
			kafkajs.emit('consumer.fetch');
			assert.equal(recovered.length, handed.length - 1, `${event}: a fetch is no answer of the coordinator`);
			kafkajs.emit(event);
			assert.equal(recovered.length, handed.length, `${event} ends the reported stall`);
		}
		assert.equal(handed.length, 3);
		watch.stop();
	});

	it('watches nothing before start and after stop', (t) => {
		t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
		const kafkajs = fakeConsumer();
		const handed: StallReport[] = [];
		const watch = new ConsumerStallWatch(kafkajs.consumer, settings((r) => handed.push(r)), silent);
		watch.crash(refused);
		t.mock.timers.tick(6_000);
		kafkajs.emit('consumer.heartbeat');
		assert.equal(handed.length, 0, 'a crash before the first join fails activation instead');
		watch.start();
		watch.stop();
		t.mock.timers.tick(6_000);
		assert.equal(handed.length, 0);
	});

	it('none in an editor test run: every call is a no-op', () => {
		const watch = new ConsumerStallWatch(fakeConsumer().consumer, { groupId: 'g', connection: { brokers: BROKERS }, manual: { recentMessages: 10 } }, silent);
		watch.start();
		watch.crash(refused);
		watch.stop();
	});
});
