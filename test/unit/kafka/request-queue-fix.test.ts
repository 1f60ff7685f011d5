// kafkajs' request queue with the idle-timer fix (src/kafka/request-queue-fix.ts), driven directly
// with mock timers: an idle connection schedules nothing, and a request that has to wait for a
// throttle or for the in-flight limit is still sent.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { beforeEach, describe, it, mock, type TestContext } from 'node:test';

import { fixKafkajsIdleTimers } from '../../../src/kafka/request-queue-fix';

interface Queue {
	throttleCheckTimeoutId: unknown;
	pending: unknown[];
	inflight: Map<number, unknown>;
	push(request: object): void;
	fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
	maybeThrottle(ms: number): void;
	checkPendingRequests(): void;
}
type QueueClass = new (options: object) => Queue;

const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue/index.js') as QueueClass;
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function queue(maxInFlightRequests: number | null = null): Queue {
	return new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: '127.0.0.1:9092', logger: quiet });
}

let nextId = 0;
/** A request as kafkajs' Connection pushes it; `sent` records when the queue let it go. */
function request() {
	const correlationId = ++nextId;
	const record = { correlationId, sentAt: undefined as number | undefined };
	const pushed = {
		entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => {}, reject: () => {} },
		expectResponse: true,
		requestTimeout: 30_000,
		sendRequest: () => (record.sentAt = Date.now()),
	};
	return { pushed, record };
}

function useMockTimers(t: TestContext): void {
	t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
}

describe('kafkajs request queue with the idle-timer fix', () => {
	beforeEach(() => {
		assert.equal(fixKafkajsIdleTimers(), true, 'kafkajs is the version the fix was written for');
	});

	it('schedules nothing once a response leaves the queue empty (kafkajs 2.2.4 polled every 1 ms)', (t) => {
		useMockTimers(t);
		const q = queue();
		const checks = mock.method(q, 'checkPendingRequests');
		const { pushed, record } = request();
		q.push(pushed);
		assert.ok(record.sentAt !== undefined, 'sent at once');
		q.fulfillRequest({ correlationId: record.correlationId, payload: Buffer.alloc(0), size: 0 });
		assert.equal(q.throttleCheckTimeoutId, null, 'no check scheduled');
		t.mock.timers.tick(1000);
		assert.equal(checks.mock.callCount(), 1, 'one check, by the response itself; no timer loop');
	});

	it('a request held by a throttle is sent when the throttle ends', (t) => {
		useMockTimers(t);
		const q = queue();
		q.maybeThrottle(50);
		const { pushed, record } = request();
		const pushedAt = Date.now();
		q.push(pushed);
		assert.equal(record.sentAt, undefined, 'held while throttled');
		t.mock.timers.tick(49);
		assert.equal(record.sentAt, undefined);
		t.mock.timers.tick(1);
		assert.equal(record.sentAt, pushedAt + 50);
	});

	it('a throttle that ends with nothing pending schedules one check, then nothing', (t) => {
		useMockTimers(t);
		const q = queue();
		const checks = mock.method(q, 'checkPendingRequests');
		q.maybeThrottle(50);
		const { pushed, record } = request();
		q.push(pushed);
		t.mock.timers.tick(50);
		q.fulfillRequest({ correlationId: record.correlationId, payload: Buffer.alloc(0), size: 0 });
		assert.equal(q.throttleCheckTimeoutId, null, 'no check scheduled');
		const after = checks.mock.callCount();
		t.mock.timers.tick(1000);
		assert.equal(checks.mock.callCount(), after);
	});

	it('a request held by the in-flight limit is sent as soon as a response frees a slot', (t) => {
		useMockTimers(t);
		const q = queue(1);
		const first = request();
		const second = request();
		q.push(first.pushed);
		q.push(second.pushed);
		assert.equal(second.record.sentAt, undefined, 'waits for the one in flight');
		q.fulfillRequest({ correlationId: first.record.correlationId, payload: Buffer.alloc(0), size: 0 });
		assert.ok(second.record.sentAt !== undefined);
	});
});
