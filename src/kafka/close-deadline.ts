/**
 * The one deadline of a consumer's close (Close Timeout), from the moment close begins, through every
 * wait: executions in flight, the final commit and its confirmation, the lag measurement under way,
 * leaving the group and disconnecting. Each wait had a Close Timeout of its own before: a deleted topic's
 * commit still retrying at close made close take about twice Close Timeout (the drain, then the wait for
 * that commit, given a fresh one), while n8n gives a deactivating trigger ~30 s.
 *
 * Executions in flight are waited for until the last fifth of Close Timeout (at most 5 s) begins, so that
 * what finished meanwhile is still committed and the member leaves the group (the next owner of its
 * partitions then starts at once, not after the session timeout). A close may take MIN_CLOSE_MS
 * whatever Close Timeout says (0 included): a commit and a LeaveGroup take milliseconds on a healthy
 * broker, and without them every such close would leave its member to time out.
 * Nothing is lost at the deadline: an offset not confirmed by then is read again at the next start.
 */

export interface CloseReport {
	/** All executions in flight finished within the close's deadline. */
	drained: boolean;
	/** Executions still running when the consumer disconnected (their offsets stay uncommitted). */
	abandoned: number;
}

/** The least time a close may take, whatever Close Timeout says (0 included): the final commit and leaving the group need a moment. */
export const MIN_CLOSE_MS = 1_000;

/** How the close of a consumer with this Close Timeout spends it: executions are waited for `drainMs`, the whole close `totalMs`. */
export function closeBudget(closeTimeoutMs: number): { drainMs: number; totalMs: number } {
	return { drainMs: closeTimeoutMs - Math.min(5_000, closeTimeoutMs / 5), totalMs: Math.max(closeTimeoutMs, MIN_CLOSE_MS) };
}

/** One abort signal for a whole close: aborted `totalMs` after close began. */
export class CloseDeadline {
	private readonly controller = new AbortController();
	private readonly timer: NodeJS.Timeout;
	private readonly drainEndsAt: number;

	constructor(closeTimeoutMs: number) {
		const { drainMs, totalMs } = closeBudget(closeTimeoutMs);
		this.drainEndsAt = Date.now() + drainMs;
		this.timer = setTimeout(() => this.controller.abort(), totalMs);
	}

	/** Aborted when close stops waiting for anything. */
	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/** How much longer executions in flight are waited for. */
	get drainLeftMs(): number {
		return Math.max(0, this.drainEndsAt - Date.now());
	}

	/** Close is over: its timer is cleared. */
	end(): void {
		clearTimeout(this.timer);
	}
}
