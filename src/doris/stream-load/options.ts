/**
 * What a Stream Load sends besides its body: the load options of one target. The header names and
 * their rules come from Doris' stream-load manual (doris-website, data-operate/import/stream-load-manual.md,
 * "Load configuration parameters") and the BE (`be/src/http/http_common.h`).
 */
export type LoadFormat = 'json' | 'csv';

/**
 * Partial update of a merge-on-write UNIQUE KEY table, as Doris offers it:
 * - `fixed` (`partial_columns: true`, every Doris 2.x / 3.x): every row updates the columns of the
 *   `columns` header, which must name every key column (FE StreamLoadPlanner `plan()`: "Partial
 *   update should include all key columns"); a row lacking a listed column writes its default or NULL.
 * - `flexible` (`unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS`, Doris 3.1+, apache/doris PR
 *   #39756): each JSON line updates the columns it carries. The table needs
 *   `"enable_unique_key_skip_bitmap_column" = "true"`; JSON only, without `columns`, `jsonpaths`,
 *   `hidden_columns` or a sequence column header (be/src/http/action/stream_load.cpp). Doris 2.1 and
 *   3.0 ignore the header and load a full upsert, so check the table first (table-check.ts).
 */
export type PartialUpdateMode = 'fixed' | 'flexible';

/**
 * The Partial Update setting (off, fixed, flexible) checked against the rest of the load, so a load
 * Doris would refuse for every batch fails when the settings are read instead, naming the fields.
 */
export function partialUpdateFor(
	mode: 'off' | PartialUpdateMode,
	given: { format: LoadFormat; columns: string[]; jsonpaths: string; sequenceColumn: string },
): PartialUpdateMode | undefined {
	if (mode === 'off') return undefined;
	if (mode === 'fixed') {
		if (given.columns.length === 0) {
			throw new Error('Partial Update "Fixed Columns" needs Columns (CSV: CSV Columns) listing the columns to update, every key column included: Doris takes the update set from that list only');
		}
		return 'fixed';
	}
	if (given.format !== 'json') throw new Error('Partial Update "Flexible" reads JSON lines only: set Format to JSON');
	if (given.columns.length > 0) throw new Error('Partial Update "Flexible" takes the columns from each row: leave Columns empty');
	if (given.jsonpaths !== '') throw new Error('Partial Update "Flexible" cannot be combined with JSON Paths');
	if (given.sequenceColumn !== '') throw new Error("Partial Update \"Flexible\" cannot be combined with Sequence Column (the table's own sequence_col mapping still applies)");
	return 'flexible';
}
/**
 * Doris' group commit modes this client sends. Not `async_mode`: Doris answers it once the rows are in a
 * write-ahead log, before they are committed, and a load must resolve only once its rows are in Doris.
 */

export interface CsvOptions {
	/** Column separator; Doris reads `\xNN` hex escapes. Default `\x01`. */
	columnSeparator: string;
	/** Line delimiter. Default `\n`. */
	lineDelimiter: string;
}

export interface LoadOptions {
	format: LoadFormat;
	/** The `columns` header. For CSV it is also the order of the fields in each line. */
	columns?: string[];
	/** The `jsonpaths` header (a JSON array as text). */
	jsonpaths?: string;
	/** 0..1, Doris default 0. */
	maxFilterRatio?: number;
	strictMode?: boolean;
	/** The `timeout` header: seconds Doris gives the load before cancelling it. */
	timeoutSeconds?: number;
	compress?: 'gz';
	/** Partial update of a merge-on-write UNIQUE KEY table; `fixed` updates the `columns` list. */
	partialUpdate?: PartialUpdateMode;
	/**
	 * `partial_update_new_key_behavior` (Doris 3.1+, apache/doris PR #41232): what a partial update does
	 * with a row whose key is not stored yet. Sent only to a release that reads it (./strict-mode.ts).
	 */
	partialUpdateNewKeyBehavior?: 'APPEND';
	/** Rows carry `__DORIS_DELETE_SIGN__` (0 = upsert, 1 = delete); load it as Doris' delete sign. */
	deleteSign?: boolean;
	/** Source column that orders versions of one key (`function_column.sequence_col`). */
	sequenceColumn?: string;
	timezone?: string;
	csv?: CsvOptions;
	/** Other Doris headers, passed as they are (after the CR/LF check). */
	extraHeaders?: Record<string, string>;
}

export const DEFAULT_CSV: CsvOptions = { columnSeparator: '\\x01', lineDelimiter: '\\n' };
