/**
 * A warning, repeated, while n8n has not reported an execution's end. n8n can fail to report it at
 * all: in queue mode main learns a job's end from Bull's completion event, and a completed job is
 * removed at once (n8n scaling.service.js removeOnComplete), so an event missed while Redis restarted
 * or main's subscriber reconnected leaves Bull's own check (bull/lib/job.js finished) nothing to find;
 * workflow-runner.js processError and "Could not find execution" also return without finishing the
 * execution (n8n 2.40.7). The trigger then waits out its Execution Timeout (1 h by default, without
 * end at 0) while the window slot, and with Keep Order the partition, waits in silence (review session
 * 19, F5); this names the offsets and what happens next.
 */
import type { SinkExecution } from './consumer-options';

/** Shortest time between two warnings. */
export const UNFINISHED_WARNING_MIN_MS = 60_000;
/** Between warnings when no Execution Timeout ends the wait. */
export const UNFINISHED_WARNING_WITHOUT_TIMEOUT_MS = 300_000;

/** Every tenth of the Execution Timeout, at least a minute apart; every five minutes without one. */
export function unfinishedWarningEvery(timeoutMs: number): number {
	return timeoutMs > 0 ? Math.max(UNFINISHED_WARNING_MIN_MS, Math.floor(timeoutMs / 10)) : UNFINISHED_WARNING_WITHOUT_TIMEOUT_MS;
}

/** `run`, calling `warn` with the time waited every `everyMs` until it settles. */
export async function warnWhileUnfinished<T>(run: Promise<T>, everyMs: number, warn: (waitedMs: number) => void, now: () => number = Date.now): Promise<T> {
	const started = now();
	const timer = setInterval(() => warn(now() - started), everyMs);
	timer.unref();
	try {
		return await run;
	} finally {
		clearInterval(timer);
	}
}

export function unfinishedExecutionWarning(execution: Pick<SinkExecution, 'topic' | 'partition' | 'firstOffset' | 'lastOffset'>, waitedMs: number, timeoutMs: number): string {
	const next =
		timeoutMs > 0
			? `it is given up ${Math.max(Math.round((timeoutMs - waitedMs) / 1000), 0)} s from now (the trigger's Execution Timeout) and its offsets are delivered again`
			: "the trigger's Execution Timeout is 0, so it is waited for without end";
	return (
		`Kafka trigger: the execution of ${execution.topic}[${execution.partition}] offsets ${execution.firstOffset} to ${execution.lastOffset} has not finished after ${Math.round(waitedMs / 1000)} s: ` +
		`n8n has not reported its end (it may still be running: a slow Doris, a batch waiting), and ${next}. Look at it in n8n's execution list; in queue mode n8n can miss the end of an execution a worker finished (Redis restarted)`
	);
}
