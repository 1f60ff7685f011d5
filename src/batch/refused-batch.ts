/**
 * A batch Doris refused for some of its rows (a data-quality failure): split it (isolate.ts), load the
 * parts Doris takes, hand each refused row back to the execution that added it with Doris' reason, and
 * fail only the executions whose rows were left unresolved. Used by the shared batch of a target
 * (doris-target.ts).
 *
 * A partial update in strict mode on Doris 2.1 / 3.0 (new-keys.ts): the rows Doris filtered for their
 * new key go back as `doris_new_key` (no redelivery could load them), and an execution that fails for
 * them fails with a message naming them and the fixes instead of Doris' bare "too many filtered rows".
 */
import type { LoadResult, StreamLoadLogger } from '../doris/stream-load/client';
import type { StreamLoadError } from '../doris/stream-load/errors';
import { DEFAULT_CSV, type LoadOptions } from '../doris/stream-load/options';
import { decodeSeparator } from '../doris/stream-load/wire-format';
import type { LineVerdicts, SealedBatch } from './batcher';
import { isolateRefusedLines, WIDESPREAD_FILTERED } from './isolate';
import { DeadlineError } from './load-deadline';
import { explainNewKeys, newKeyRefusal, newKeysOf, refusesNewKeys } from './new-keys';
import { filteredRowsOf, isRowRefusal, notLoadedRefusal, refusalOf, splitLines, type DorisRefusal } from './refusal';
import { handBackUncounted, mayHaveLanded } from './uncounted';

/**
 * The result of one batch: its load, or when Doris refused some of its rows, the loads of the parts
 * it was split into (`parts`, in line order) with the sums in the top-level fields.
 */
export interface DorisLoadOutcome extends LoadResult {
	parts?: LoadResult[];
	/** Rows of the batch Doris refused, and rows handed back unloaded (they went back to their executions). */
	rejectedRows?: number;
}

export interface RefusalContext {
	load: LoadOptions;
	table: string;
	loadBody(body: readonly Buffer[], rows: number): Promise<LoadResult>;
	maxLoads: number;
	logger?: StreamLoadLogger;
	/** The whole error log of a refusal (at most the 51 rows Doris writes); [] when it cannot be read. */
	readErrorLog?(refusal: StreamLoadError): Promise<string[]>;
}

/**
 * A batch Doris refused for some of its rows: split it (isolate.ts), load the parts Doris takes,
 * mark the refused lines and the lines left unresolved. Throws the refusal when the batch cannot be
 * split by line (its lines could not be told apart) or nothing of it was resolved.
 */
export async function loadAroundRefusal(batch: SealedBatch, verdicts: LineVerdicts<DorisRefusal>, refused: StreamLoadError, context: RefusalContext): Promise<DorisLoadOutcome> {
	const { load, table } = context;
	const refusal = explainNewKeys(refused, load);
	const delimiter = Buffer.from(load.format === 'csv' ? decodeSeparator((load.csv ?? DEFAULT_CSV).lineDelimiter) : '\n', 'utf8');
	const body = splitLines(batch.body, delimiter, batch.rows);
	if (body === undefined) throw refusal;
	const { bytes, ends } = body;
	const startOf = (line: number) => (line === 0 ? 0 : ends[line - 1]);
	let uncounted = 0;
	const outcome = await isolateRefusedLines<LoadResult>(
		{
			lines: batch.rows,
			error: refusal,
			filtered: filteredRowsOf(refusal),
			zeroTolerance: (load.maxFilterRatio ?? 0) === 0,
			maxLoads: context.maxLoads,
			filteredOf: filteredRowsOf,
			newKeysOf: refusesNewKeys(load) ? newKeysOf : undefined,
			reasoned: refusesNewKeys(load) ? await reasonedRowsOf(refusal, batch.rows, context) : undefined,
			owners: batch.owners,
		},
		async (from, to) => {
			try {
				return { loaded: true, result: await context.loadBody([bytes.subarray(startOf(from), ends[to - 1])], to - from) };
			} catch (error) {
				if (isRowRefusal(error)) return { loaded: false, error };
				// Committed (or maybe in Doris, its answer lost): its lines count as loaded for the split (their
				// owners are never failed) and go back as doris_uncounted; sending them again could load them twice.
				if (mayHaveLanded(error)) {
					uncounted += to - from;
					return { loaded: true, result: handBackUncounted(verdicts, from, to, error, table, context.logger) };
				}
				throw error;
			}
		},
	);
	for (const { line, error, newKey } of outcome.rejected) verdicts.reject(line, newKey === true ? newKeyRefusal(error) : refusalOf(error, load));
	for (const { from, to, error, why } of outcome.handedBack) {
		// Past its deadline (Keep Order) the trigger redelivers the execution whatever it answers.
		if (error instanceof DeadlineError) {
			verdicts.fail(from, to, error);
			continue;
		}
		const reason = notLoadedRefusal(error, why, context.maxLoads);
		for (let line = from; line < to; line++) verdicts.reject(line, reason);
	}
	for (const { from, to } of outcome.unresolved) verdicts.fail(from, to, refusal);
	for (const { from, to, error } of outcome.failed) verdicts.fail(from, to, error);
	const count = (ranges: ReadonlyArray<{ from: number; to: number }>) => ranges.reduce((sum, r) => sum + r.to - r.from, 0);
	const handedBack = count(outcome.handedBack.filter((h) => !(h.error instanceof DeadlineError)));
	const unresolved = count(outcome.unresolved);
	const failed = count(outcome.failed);
	const failure = outcome.failed[0]?.error;
	const newKeys = outcome.rejected.filter((r) => r.newKey === true).length;
	context.logger?.warn(
		`Doris refused rows of a batch of ${batch.rows} for table "${table}" (${refusal.message}); split into ${outcome.loads} load(s): ` +
			`${count(outcome.loaded)} row(s) loaded, ${outcome.rejected.length} rejected` +
			(newKeys > 0 ? ` (${newKeys} for a key not stored yet)` : '') +
			(handedBack > 0 ? `, ${handedBack} handed back unloaded (their executions' other rows loaded)` : '') +
			(unresolved > 0 ? `, ${unresolved} left to their executions (${outcome.stopped === 'widespread' ? 'the refusal hits most rows' : `at most ${context.maxLoads} loads per refused batch`})` : '') +
			(failed > 0 ? `, ${failed} failed: ${failure instanceof Error ? failure.message : String(failure)}` : ''),
	);
	const parts = outcome.loaded.map((p) => p.result);
	if (parts.length === 0 && outcome.rejected.length === 0) throw failure ?? refusal;
	const sum = (pick: (r: LoadResult) => number) => parts.reduce((total, r) => total + pick(r), 0);
	return {
		label: parts[0]?.label ?? refusal.label ?? '',
		txnId: parts[0]?.txnId,
		status: parts.length > 0 && parts.every((p) => p.status === 'Success') ? 'Success' : (parts.map((p) => p.status).join(', ') || 'Rejected'),
		labelExisted: false,
		loadedRows: sum((r) => (r.labelExisted ? 0 : r.loadedRows)) + outcome.loaded.reduce((total, p) => total + (p.result.labelExisted ? p.to - p.from : 0), 0),
		filteredRows: sum((r) => r.filteredRows),
		unselectedRows: sum((r) => r.unselectedRows),
		loadBytes: sum((r) => r.loadBytes),
		loadTimeMs: sum((r) => r.loadTimeMs),
		bytes: sum((r) => r.bytes),
		attempts: sum((r) => r.attempts),
		parts,
		rejectedRows: outcome.rejected.length + handedBack + uncounted,
	};
}


/**
 * How many rows of a refusal in a load that refuses new keys (new-keys.ts) its error log gives a
 * reason for: 0 without ErrorURL (no row had one), else the `Reason:` lines of the log, read whole
 * (Doris writes at most 51: be/src/runtime/runtime_state.cpp append_error_msg_to_file, MAX_ERROR_NUM)
 * only when the count decides whether the batch stops as widespread (isolate.ts): the refusal's own
 * read stops at 10 lines. New keys have no line (segment_writer.cpp, KEY_NOT_FOUND in strict mode: 2.1,
 * 3.0), so this counts the rows that are not new keys. A log that cannot be read counts 0: the search
 * then runs, costing loads, where a stop would hold any new keys of the batch on every delivery.
 */
async function reasonedRowsOf(refusal: StreamLoadError, lines: number, context: RefusalContext): Promise<number> {
	const errorUrl = refusal.response?.ErrorURL;
	if (typeof errorUrl !== 'string' || errorUrl === '') return 0;
	const reasons = (log: readonly string[]) => log.filter((line) => line.startsWith('Reason:')).length;
	const read = reasons(refusal.rejectedRows ?? []);
	const filtered = filteredRowsOf(refusal) ?? lines;
	const widespreadIfAllReasoned = filtered * 2 > lines || filtered >= WIDESPREAD_FILTERED;
	if (read >= filtered || !widespreadIfAllReasoned || context.readErrorLog === undefined) return read;
	return Math.max(read, reasons(await context.readErrorLog(refusal)));
}
