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
		private readonly gapsPerQuiet = 3,
		private readonly minQuietMs = 50,
	) {}

	/** An execution added rows at `now`; `maxIdleMs` is Batch Max Idle. */
	note(now: number, maxIdleMs: number): void {
		if (this.lastAt !== undefined) {
			const gap = now - this.lastAt;
			// Gaps past the idle setting are pauses, not the pace (a new burst after a quiet spell).
			if (gap < maxIdleMs) this.usualGapMs = this.usualGapMs === undefined ? gap : 0.8 * this.usualGapMs + 0.2 * gap;
		}
		this.lastAt = now;
	}

	/** How long without an add means the rows stopped coming: a few usual gaps, at most the idle setting. */
	quietMs(maxIdleMs: number): number {
		if (this.usualGapMs === undefined) return maxIdleMs;
		return Math.min(maxIdleMs, Math.max(this.minQuietMs, this.gapsPerQuiet * this.usualGapMs));
	}

	/** Time left until `now` counts as quiet (0: quiet already). */
	quietIn(now: number, maxIdleMs: number): number {
		if (this.lastAt === undefined) return 0;
		return Math.max(0, this.lastAt + this.quietMs(maxIdleMs) - now);
	}
}

/** What QuietSeal needs of the batcher whose open batch it may seal. */
export interface QuietSealHost {
	/** The batcher's limits now (an edited workflow may change them); no maxIdleMs: never sealed here. */
	limits(): { maxRows: number; maxBytes: number; maxIdleMs?: number };
	/** The open batch's rows and bytes; undefined when none is open. */
	openSize(): { rows: number; bytes: number } | undefined;
	/** A load of the table runs or waits: its end looks again. */
	loadsPending(): boolean;
	sealOpen(): void;
}

/**
 * The open batch loads once the rows stopped coming at their pace (AddPace), no load of its table runs,
 * and it holds a quarter of a batch: a smaller one waits for its idle or interval as before, so a slow
 * topic keeps its few, large loads, and at most four loads carry what one full batch would.
 */
export class QuietSeal {
	private readonly pace = new AddPace();
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly host: QuietSealHost) {}

	/** An execution added rows to the open batch. */
	added(): void {
		const { maxIdleMs } = this.host.limits();
		if (maxIdleMs === undefined) return;
		this.pace.note(Date.now(), maxIdleMs);
		this.arm(maxIdleMs);
	}

	/** Seals the open batch if it is time (also called when a load of the table settles). */
	check(): void {
		const { maxRows, maxBytes, maxIdleMs } = this.host.limits();
		const open = this.host.openSize();
		if (maxIdleMs === undefined || open === undefined || open.rows === 0 || this.host.loadsPending()) return;
		if (open.rows < maxRows / 4 && open.bytes < maxBytes / 4) return;
		if (this.pace.quietIn(Date.now(), maxIdleMs) > 0) return this.arm(maxIdleMs);
		this.host.sealOpen();
	}

	private arm(maxIdleMs: number): void {
		// Set again at every add: the pace may have quickened since.
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.check();
		}, this.pace.quietIn(Date.now(), maxIdleMs));
		this.timer.unref?.();
	}
}
