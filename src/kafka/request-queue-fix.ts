/**
 * kafkajs 2.2.4 keeps every idle broker connection busy. After each response its request queue
 * schedules the next check of pending requests with setTimeout(throttledUntil - now); throttledUntil
 * is -1 until a broker throttles, so the delay is hugely negative, Node clamps it to 1 ms, the check
 * finds nothing and schedules itself again: about 900 timer wake-ups a second per connection for the
 * life of the client (tulios/kafkajs#1704; measured here: 1,810 in 2 s on one idle admin connection).
 * Node 24 reports each process's first such timer as a TimeoutNegativeWarning (tulios/kafkajs#1751).
 * kafkajs has had no release since 2.2.4 (2023), so neither fix has shipped.
 *
 * This replaces RequestQueue.scheduleCheckPendingRequests
 * (node_modules/kafkajs/src/network/requestQueue/index.js) with the fix proposed upstream in the
 * review of tulios/kafkajs#1768: with nothing pending and no throttle in force there is nothing to
 * check, so nothing is scheduled. Everything else is the original: a request that has to wait is
 * queued by `push`, which schedules a check at the throttle's end (or in 10 ms when only the
 * in-flight limit holds it), and each response checks the queue again.
 * Applied by kafkajsPatch (kafkajs-patch.ts): once, to the kafkajs copy this package loads, and only to 2.2.4: the method it replaces is
 * that version's.
 */
import { kafkajsPatch } from './kafkajs-patch';

/** The fields of kafkajs' RequestQueue the replaced method reads and writes. */
interface RequestQueueState {
	throttledUntil: number;
	throttleCheckTimeoutId: NodeJS.Timeout | null;
	pending: unknown[];
	checkPendingRequests(): void;
	scheduleCheckPendingRequests(): void;
}

/** kafkajs' CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

function scheduleCheckPendingRequests(this: RequestQueueState): void {
	if (this.throttleCheckTimeoutId) return;
	let delay = this.throttledUntil - Date.now();
	if (this.pending.length > 0) delay = delay > 0 ? delay : CHECK_PENDING_REQUESTS_INTERVAL_MS;
	else if (delay <= 0) return;
	this.throttleCheckTimeoutId = setTimeout(() => {
		this.throttleCheckTimeoutId = null;
		this.checkPendingRequests();
	}, delay);
}

/** Installs the fix (idempotent); false when the kafkajs found is not the version it was written for. */
export const fixKafkajsIdleTimers = kafkajsPatch<RequestQueueState, 'scheduleCheckPendingRequests'>(
	'kafkajs/src/network/requestQueue/index.js',
	'scheduleCheckPendingRequests',
	() => scheduleCheckPendingRequests,
);
