/**
 * The one backoff formula of the sinker: exponential from `initialMs`, doubling per step, capped at
 * `maxMs`. Every wait that grows with repeated failure uses it: a Stream Load retry (retry.ts), the
 * wait for a label held by a running load (the Stream Load client), and the trigger's redelivery of
 * a failed execution. Neutral on purpose: both `src/kafka` and `src/doris` import it, never each other.
 */

export interface BackoffSteps {
	/** The first wait. */
	initialMs: number;
	/** No wait is longer than this. */
	maxMs: number;
}

/**
 * - `none`: the exact step (a schedule a user can predict from the settings, e.g. redelivery).
 * - `equal`: half the step fixed, half random, so many clients failing together do not retry in
 *   lock-step yet each still backs off.
 */
export type Jitter = 'none' | 'equal';

/** The wait before step `step` (1-based): initial, 2×initial, 4×initial … up to max. */
export function backoffDelay(steps: BackoffSteps, step: number, jitter: Jitter = 'none', random: () => number = Math.random): number {
	// 2^30 × any sensible initial is past every cap; the bound keeps the power finite.
	const exponent = Math.min(Math.max(step - 1, 0), 30);
	const full = Math.min(steps.maxMs, steps.initialMs * 2 ** exponent);
	if (jitter === 'none') return full;
	return Math.round(full / 2 + random() * (full / 2));
}
