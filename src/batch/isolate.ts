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
 * Bounds: k refused lines among n cost about 2·k·⌈log2 n⌉ loads. A failure that hits most lines
 * (Doris reports more filtered rows than half the batch, or 50 and more: it stops logging, and with
 * zero tolerance stops reading, after 50) is not split at all; and no refused batch costs more than
 * `maxLoads` loads. Lines left when either bound stops the search are `unresolved`: the caller fails
 * their executions, which are redelivered (after a schema re-read that may turn the rows invalid).
 * A part that fails for another reason (Doris down after its retries) ends the search: it and every
 * line after it `failed`, so nothing after a line that did not load is loaded out of order.
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
}

export interface IsolationResult<R> {
	/** Loaded parts, in line order. */
	loaded: Array<{ from: number; to: number; result: R }>;
	/** Single lines Doris refused, with the refusal that names their reason. */
	rejected: Array<{ line: number; error: unknown }>;
	/** Lines not tried because a bound stopped the search (see the header), as ranges. */
	unresolved: Array<{ from: number; to: number }>;
	/** A part that failed for another reason: it and every line after it. */
	failed?: { from: number; to: number; error: unknown };
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
	const result: IsolationResult<R> = { loaded: [], rejected: [], unresolved: [], loads: 0 };
	if (lines <= 0) return result;
	if (lines === 1) {
		result.rejected.push({ line: 0, error: options.error });
		return result;
	}
	const filtered = options.filtered;
	if (filtered !== undefined && (filtered * 2 > lines || filtered >= WIDESPREAD_FILTERED)) {
		result.unresolved.push({ from: 0, to: lines });
		result.stopped = 'widespread';
		return result;
	}
	let stop: 'budget' | 'failed' | undefined;

	const giveUp = (from: number, to: number) => {
		const last = result.unresolved[result.unresolved.length - 1];
		if (last !== undefined && last.to === from) last.to = to;
		else result.unresolved.push({ from, to });
	};

	/**
	 * Resolves [from, to). `refusal` is set when the range is known to be refused (its load already
	 * failed, or it is the right half of a refused range whose left half loaded). Returns whether the
	 * whole range loaded in one part.
	 */
	const resolve = async (from: number, to: number, refusal: { error: unknown } | undefined): Promise<boolean> => {
		if (stop !== undefined) {
			if (stop === 'budget') giveUp(from, to);
			return false;
		}
		let known = refusal;
		// A single line known refused needs its own reason: the inherited one is its only when that
		// refusal counted one filtered row.
		if (known !== undefined && to - from === 1 && options.filteredOf(known.error) !== 1) known = undefined;
		if (known === undefined) {
			if (result.loads >= options.maxLoads) {
				stop = 'budget';
				giveUp(from, to);
				return false;
			}
			result.loads++;
			let verdict: PartVerdict<R>;
			try {
				verdict = await loadPart(from, to);
			} catch (error) {
				stop = 'failed';
				result.failed = { from, to: lines, error };
				return false;
			}
			if (verdict.loaded) {
				result.loaded.push({ from, to, result: verdict.result });
				return true;
			}
			known = { error: verdict.error };
		}
		if (to - from === 1) {
			result.rejected.push({ line: from, error: known.error });
			return false;
		}
		const mid = from + Math.ceil((to - from) / 2);
		const leftLoaded = await resolve(from, mid, undefined);
		await resolve(mid, to, options.zeroTolerance && leftLoaded ? known : undefined);
		return false;
	};

	await resolve(0, lines, { error: options.error });
	if (stop !== undefined) result.stopped = stop;
	return result;
}
