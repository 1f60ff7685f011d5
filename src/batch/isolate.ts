/**
 * Finds the lines Doris refuses in a batch it refused as a whole (a data-quality failure: a value
 * with no partition, a STRING over the BE's limit, a NULL in a NOT NULL column), so the other lines
 * load and only the refused ones go back to their executions.
 *
 * Why by splitting, not by reading the error log: Doris writes at most 50 rows to a load's error log
 * (RuntimeState::append_error_msg_to_file, MAX_ERROR_NUM), and the failures that happen after the
 * reader (OlapTableBlockConvertor, VRowDistribution "no partition for this tuple") log an EMPTY
 * `src line []` with a dump of the converted tuple: the log cannot say which line of the body a
 * reason belongs to. A part of one line that Doris refuses can: its reason is that line's.
 *
 * How: the refused range is halved, parts are loaded in line order (left before right, so what
 * loads keeps the batch's order, which CDC needs), a loaded part is done, a refused part of one line
 * is rejected with its own reason, a refused longer part is halved again. With max filter ratio 0 a
 * refused range whose left half loaded has its refusal in the right half, which is then halved
 * without loading it whole. Each part is a new load (the caller gives it a fresh label: a label that
 * was used for other bytes is never sent again).
 *
 * Owners: the lines of a batch belong to executions (`owners`, runs of one owner's lines). An
 * execution that fails is redelivered whole, so one whose rows partly loaded would load those rows
 * twice. A range holding several owners is therefore cut at the owner boundary nearest its middle,
 * and a range inside one owner is halved only when that owner takes refused rows back (`splittable`);
 * otherwise the owner's lines stay unresolved together. The load budget stops the search between
 * owners: an owner some of whose lines loaded is searched to its end first (up to twice the budget).
 * When the search still stops inside such an owner (that cap, or a failed part), its lines that did
 * not load are `handedBack` (the caller returns them as rejected, saying why) instead of failing it.
 *
 * Bounds: k refused lines among n cost about 2·k·⌈log2 n⌉ loads (cutting at owner boundaries first
 * adds about one load per level where the nearest boundary is off the middle). A failure that hits
 * most lines (Doris reports more filtered rows than half the batch, or 50 and more: it stops logging,
 * and with zero tolerance stops reading, after 50) is not split at all; and no refused batch costs
 * more than `maxLoads` loads, or twice that to finish an owner. Lines left when a bound stops the search are `unresolved`: the
 * caller fails their executions, which are redelivered (after a schema re-read that may turn the rows
 * invalid). A part that fails for another reason (Doris down after its retries) ends the search: it
 * and every line after it `failed`, so nothing after a line that did not load is loaded out of order.
 *
 * New keys (`newKeysOf`, a partial update in strict mode on Doris 2.1 / 3.0: new-keys.ts): Doris filters
 * a row whose key is not stored without an error-log line and counts every such row, so a refusal
 * without one says exactly how many of its rows are new keys, and no delivery can ever load them. In
 * such a load "widespread" is judged on the rows the refusal's error log gives a reason for
 * (`reasoned`), not on all it filtered: new keys are found cheaply below, and failing them would hold
 * the partition for good, but a refusal whose log names a reason for most rows (every row a bad value)
 * stops at once as in any other load instead of spending the load bound on every delivery (review
 * session 17). A range whose every line is a new key (its count equals its lines) goes to `rejected` at once, marked
 * `newKey`, with no load and no further split (a batch of 50,000 new keys costs its one refused load);
 * a range the count says holds none is loaded; and a known count minus the left half's tells the right
 * half's without loading it. Each load is all or nothing (max filter ratio 0), in line order as above.
 */

/** How loading one part ended: loaded, or refused for its data (anything else is thrown). */
export type PartVerdict<R> = { loaded: true; result: R } | { loaded: false; error: unknown };

export interface IsolationOptions {
	/** Lines of the refused batch. */
	lines: number;
	/** The refusal of the whole batch. */
	error: unknown;
	/** Rows Doris reported filtered in that refusal, when it said. */
	filtered?: number;
	/** Max filter ratio 0: any refused line refuses its part (so a loaded left half convicts the right). */
	zeroTolerance: boolean;
	/** At most this many part loads for the batch. */
	maxLoads: number;
	/** How many rows a reason from a refusal covers: a refusal of exactly one filtered row names that row's reason. */
	filteredOf(error: unknown): number | undefined;
	/**
	 * Only for a load whose Doris refuses new keys without a reason (see the header): how many rows a
	 * refusal filtered, when all of them were new keys; undefined when some had a reason.
	 */
	newKeysOf?(error: unknown): number | undefined;
	/**
	 * With `newKeysOf`: how many rows the refusal's error log gives a reason for (0 without ErrorURL, a
	 * lower bound when the log holds fewer lines than rows: Doris writes at most 51). The batch stops as
	 * "widespread" on this count as any other load does on `filtered`; undefined: it never stops so.
	 */
	reasoned?: number;
	/**
	 * Runs of consecutive lines of one owner (an execution), in line order, covering every line; an
	 * owner may have several runs. Without it every line is its own owner (nothing is handed back).
	 */
	owners?: ReadonlyArray<OwnerRun>;
}

/** Lines [from, to) belong to `owner`; `splittable`: the owner takes refused rows back. */
export interface OwnerRun {
	from: number;
	to: number;
	owner: number;
	splittable: boolean;
}

/** Lines not loaded of an owner some of whose lines loaded: why they were not loaded. */
export interface HandedBack {
	from: number;
	to: number;
	/** The refusal of the batch (`unresolved`: a bound stopped the search) or the failure of a part. */
	error: unknown;
	why: 'unresolved' | 'failed';
}

export interface IsolationResult<R> {
	/** Loaded parts, in line order. */
	loaded: Array<{ from: number; to: number; result: R }>;
	/** Single lines Doris refused, with the refusal that names their reason (`newKey`: the refusal counted it as a new key). */
	rejected: Array<{ line: number; error: unknown; newKey?: true }>;
	/** Lines not tried because a bound stopped the search (see the header), as ranges. */
	unresolved: Array<{ from: number; to: number }>;
	/** Lines not loaded because a part failed for another reason: that part and every line after it. */
	failed: Array<{ from: number; to: number; error: unknown }>;
	/** Lines that did not load of splittable owners some of whose lines did (see the header). */
	handedBack: HandedBack[];
	/** Part loads made. */
	loads: number;
	/** Why the search stopped early, if it did (for the log). */
	stopped?: 'widespread' | 'budget' | 'failed';
}

/** Filtered rows from this many on mean Doris stopped counting (it logs at most 50 error rows). */
export const WIDESPREAD_FILTERED = 50;

/** The default bound of loads per refused batch. */
export const DEFAULT_MAX_ISOLATION_LOADS = 64;

/** Splits a refused batch into what loads and the lines Doris refuses; see the header. */
export async function isolateRefusedLines<R>(options: IsolationOptions, loadPart: (from: number, to: number) => Promise<PartVerdict<R>>): Promise<IsolationResult<R>> {
	const { lines } = options;
	const result: IsolationResult<R> = { loaded: [], rejected: [], unresolved: [], failed: [], handedBack: [], loads: 0 };
	if (lines <= 0) return result;
	const runs = options.owners ?? [{ from: 0, to: lines, owner: 0, splittable: true }];
	const runAt = (line: number): OwnerRun => runs[runIndexOf(runs, line)];
	const newKeysOf = (error: unknown): number | undefined => options.newKeysOf?.(error);
	if (lines === 1) {
		if (runAt(0).splittable) result.rejected.push({ line: 0, error: options.error, ...(newKeysOf(options.error) === 1 ? { newKey: true as const } : {}) });
		else result.unresolved.push({ from: 0, to: 1 });
		return result;
	}
	// Rows the refusal holds that have a reason: all it filtered, but in a load that refuses new keys
	// without one, those its log names (the others may be new keys, which the search resolves).
	const withReason = options.newKeysOf === undefined ? options.filtered : options.reasoned;
	if (withReason !== undefined && (withReason * 2 > lines || withReason >= WIDESPREAD_FILTERED)) {
		result.unresolved.push({ from: 0, to: lines });
		result.stopped = 'widespread';
		return result;
	}
	let stop: 'budget' | 'failed' | undefined;
	let failure: unknown;
	/** Owners some of whose lines loaded. */
	const partlyLoaded = new Set<number>();

	const giveUp = (from: number, to: number) => {
		const last = result.unresolved[result.unresolved.length - 1];
		if (last !== undefined && last.to === from) last.to = to;
		else result.unresolved.push({ from, to });
	};

	/** Where to cut [from, to): the owner boundary nearest the middle, else the middle of a splittable owner's lines. */
	const cutOf = (from: number, to: number): number | undefined => {
		const mid = from + Math.ceil((to - from) / 2);
		let best: number | undefined;
		for (let k = runIndexOf(runs, from) + 1; k < runs.length && runs[k].from < to; k++) {
			const boundary = runs[k].from;
			if (best === undefined || Math.abs(boundary - mid) < Math.abs(best - mid)) best = boundary;
		}
		if (best !== undefined) return best;
		return runAt(from).splittable ? mid : undefined;
	};

	/** Every line of [from, to) is a new key: rejected, but for owners that take no refused rows back. */
	const rejectNewKeys = (from: number, to: number, error: unknown): void => {
		for (let k = runIndexOf(runs, from); k < runs.length && runs[k].from < to; k++) {
			const start = Math.max(from, runs[k].from);
			const end = Math.min(to, runs[k].to);
			if (!runs[k].splittable) giveUp(start, end);
			else for (let line = start; line < end; line++) result.rejected.push({ line, error, newKey: true });
		}
	};

	/**
	 * Resolves [from, to). `refusal` is set when the range is known to be refused (its load already
	 * failed, or it is the right half of a refused range whose left half loaded), with `newKeys` when
	 * the count of its new keys is known. Returns whether the whole range loaded in one part, and how
	 * many new keys it holds when that is known.
	 */
	const resolve = async (from: number, to: number, refusal: Refusal | undefined): Promise<Resolved> => {
		if (stop !== undefined) {
			if (stop === 'budget') giveUp(from, to);
			else result.failed.push({ from, to, error: failure });
			return { loaded: false };
		}
		// A range the count says holds no new key (and, its refusal being all new keys, nothing else): load it.
		let known = refusal?.newKeys === 0 ? undefined : refusal;
		// Every line a new key: rejected without a load only on the count of this range's own refused
		// load. A count derived from other loads (the parent's minus the left half's) overstates the range
		// when another load stored one of the left half's new keys in between, and would reject a stored key.
		if (known !== undefined && known.newKeys === to - from && known.measured !== true) known = undefined;
		if (known?.newKeys === to - from) {
			rejectNewKeys(from, to, known.error);
			return { loaded: false, newKeys: to - from };
		}
		// A single line known refused needs its own reason: the inherited one is its only when that
		// refusal counted one filtered row.
		if (known !== undefined && to - from === 1 && options.filteredOf(known.error) !== 1) known = undefined;
		// One owner that cannot take refused rows back: its lines load together or not at all.
		if (known !== undefined && cutOf(from, to) === undefined) {
			giveUp(from, to);
			return { loaded: false, newKeys: known.newKeys };
		}
		if (known === undefined) {
			if (result.loads >= options.maxLoads) {
				// Stop between owners: an owner some of whose lines loaded is finished first (up to
				// twice the budget), a range that starts in one is cut at its end.
				const run = runAt(from);
				const started = options.owners !== undefined && partlyLoaded.has(run.owner) && result.loads < 2 * options.maxLoads;
				if (started && to > run.to) {
					await resolve(from, run.to, undefined);
					await resolve(run.to, to, undefined);
					return { loaded: false };
				}
				if (!started) {
					stop = 'budget';
					giveUp(from, to);
					return { loaded: false };
				}
			}
			result.loads++;
			let verdict: PartVerdict<R>;
			try {
				verdict = await loadPart(from, to);
			} catch (error) {
				stop = 'failed';
				failure = error;
				result.failed.push({ from, to, error });
				return { loaded: false };
			}
			if (verdict.loaded) {
				result.loaded.push({ from, to, result: verdict.result });
				for (let k = runIndexOf(runs, from); k < runs.length && runs[k].from < to; k++) partlyLoaded.add(runs[k].owner);
				// With zero tolerance a loaded part filtered nothing; otherwise it may have dropped new keys.
				return { loaded: true, newKeys: options.zeroTolerance ? 0 : undefined };
			}
			known = { error: verdict.error, newKeys: newKeysOf(verdict.error), measured: true };
			if (known.newKeys === to - from) {
				rejectNewKeys(from, to, known.error);
				return { loaded: false, newKeys: to - from };
			}
		}
		if (to - from === 1) {
			if (runAt(from).splittable) result.rejected.push({ line: from, error: known.error });
			else giveUp(from, to);
			return { loaded: false, newKeys: known.newKeys };
		}
		const cut = cutOf(from, to);
		if (cut === undefined) {
			giveUp(from, to);
			return { loaded: false, newKeys: known.newKeys };
		}
		const left = await resolve(from, cut, undefined);
		// What the right half holds: the new keys the left half did not (both counts exact; a count that
		// does not add up, a key stored by another load meanwhile, is not trusted), or, with zero
		// tolerance and the left half loaded, the whole refusal.
		const rightNewKeys = known.newKeys !== undefined && left.newKeys !== undefined ? known.newKeys - left.newKeys : undefined;
		const right: Refusal | undefined =
			rightNewKeys !== undefined ? (rightNewKeys >= 0 && rightNewKeys <= to - cut ? { error: known.error, newKeys: rightNewKeys } : undefined) : options.zeroTolerance && left.loaded ? { error: known.error, newKeys: known.newKeys } : undefined;
		await resolve(cut, to, right);
		return { loaded: false, newKeys: known.newKeys };
	};

	await resolve(0, lines, { error: options.error, newKeys: newKeysOf(options.error), measured: true });
	if (stop !== undefined) result.stopped = stop;
	if (options.owners !== undefined) handBackMixedOwners(result, runs, options.error);
	return result;
}

/** A range known refused: the refusal, and how many new keys the range holds when that is known exactly. */
interface Refusal {
	error: unknown;
	newKeys?: number;
	/** The refusal and its count are this range's own load's, not derived from other loads. */
	measured?: boolean;
}

/** How a range resolved: loaded whole in one part; how many new keys it holds, when known exactly. */
interface Resolved {
	loaded: boolean;
	newKeys?: number;
}

/** The index of the run holding `line` (runs are in line order and cover every line). */
function runIndexOf(runs: ReadonlyArray<OwnerRun>, line: number): number {
	let low = 0;
	let high = runs.length - 1;
	while (low < high) {
		const middle = (low + high + 1) >> 1;
		if (runs[middle].from <= line) low = middle;
		else high = middle - 1;
	}
	return low;
}

/**
 * Moves the unresolved and failed lines of splittable owners some of whose lines loaded into
 * `handedBack`: failing such an owner would load its loaded lines again on redelivery.
 */
function handBackMixedOwners<R>(result: IsolationResult<R>, runs: ReadonlyArray<OwnerRun>, refusal: unknown): void {
	if (result.loaded.length === 0 || (result.unresolved.length === 0 && result.failed.length === 0)) return;
	const partlyLoaded = new Set<number>();
	for (const part of result.loaded) {
		for (let k = runIndexOf(runs, part.from); k < runs.length && runs[k].from < part.to; k++) if (runs[k].splittable) partlyLoaded.add(runs[k].owner);
	}
	if (partlyLoaded.size === 0) return;
	/** Cuts each range at run boundaries: the pieces of partly loaded owners go to handedBack, the rest stays. */
	const sift = <T extends { from: number; to: number }>(ranges: T[], why: HandedBack['why'], errorOf: (range: T) => unknown): T[] => {
		const kept: T[] = [];
		for (const range of ranges) {
			for (let k = runIndexOf(runs, range.from); k < runs.length && runs[k].from < range.to; k++) {
				const piece = { ...range, from: Math.max(range.from, runs[k].from), to: Math.min(range.to, runs[k].to) };
				if (!partlyLoaded.has(runs[k].owner)) {
					const last = kept[kept.length - 1];
					if (last !== undefined && last.to === piece.from) last.to = piece.to;
					else kept.push(piece);
				} else result.handedBack.push({ from: piece.from, to: piece.to, error: errorOf(range), why });
			}
		}
		return kept;
	};
	result.unresolved = sift(result.unresolved, 'unresolved', () => refusal);
	result.failed = sift(result.failed, 'failed', (range) => range.error);
	result.handedBack.sort((a, b) => a.from - b.from);
}
