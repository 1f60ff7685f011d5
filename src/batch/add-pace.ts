/**
 * How fast executions have been adding rows to a table's batches, to tell "the rows stopped coming"
 * from "the next ones are on their way". When every execution the trigger may run is waiting on a
 * batch, nobody adds again until a load finishes: waiting out the whole Batch Max Idle then leaves
 * Doris idle while the executions wait for it. After a gap several times the usual one, and with no
 * load of this table running, the open batch is loaded at once instead. A trickle (gaps as long as the
 * idle setting) keeps the setting's wait, so a quiet topic is not loaded in more, smaller loads.
 */
export class AddPace {
	private lastAt: number | undefined;
	private usualGapMs: number | undefined;

	constructor(
		private readonly maxIdleMs: number,
		private readonly gapsPerQuiet = 3,
		private readonly minQuietMs = 50,
	) {}

	/** An execution added rows at `now`. */
	note(now: number): void {
		if (this.lastAt !== undefined) {
			const gap = now - this.lastAt;
			// Gaps past the idle setting are pauses, not the pace (a new burst after a quiet spell).
			if (gap < this.maxIdleMs) this.usualGapMs = this.usualGapMs === undefined ? gap : 0.8 * this.usualGapMs + 0.2 * gap;
		}
		this.lastAt = now;
	}

	/** How long without an add means the rows stopped coming: a few usual gaps, at most the idle setting. */
	get quietMs(): number {
		if (this.usualGapMs === undefined) return this.maxIdleMs;
		return Math.min(this.maxIdleMs, Math.max(this.minQuietMs, this.gapsPerQuiet * this.usualGapMs));
	}

	/** Time left until `now` counts as quiet (0: quiet already). */
	quietIn(now: number): number {
		if (this.lastAt === undefined) return 0;
		return Math.max(0, this.lastAt + this.quietMs - now);
	}
}
