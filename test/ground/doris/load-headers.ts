/**
 * What the Stream Load headers ask for, read before any row is: the refusals the BE makes from the
 * headers alone, the update mode (upsert, fixed or flexible partial update), and the `columns`
 * header's mapping of source values to table columns. Kept apart from load-exec.ts so the row loop
 * there reads as the BE's per-row checks, and each header rule here cites where Doris has it.
 */
import type { Catalog, Column, Table } from './catalog';
import type { Converter } from './convert-compiled';
import { sketchFunction } from './sketches';
import { versionAtLeast, type DorisVersion } from './types';

export class LoadError extends Error {}

/** What of the cluster a load depends on besides the table: the release line and BE settings. */
export type LoadCluster = Pick<Catalog, 'version' | 'beConfig'>;

export type UpdateMode = 'UPSERT' | 'UPDATE_FIXED_COLUMNS' | 'UPDATE_FLEXIBLE_COLUMNS';
const UPDATE_MODES: readonly UpdateMode[] = ['UPSERT', 'UPDATE_FIXED_COLUMNS', 'UPDATE_FLEXIBLE_COLUMNS'];

/** FE plan errors reach the client through the BE as `[ANALYSIS_ERROR]TStatus: ...`. */
export const planError = (message: string): LoadError => new LoadError(`[ANALYSIS_ERROR]TStatus: errCode = 2, detailMessage = ${message}`);

/** The header `unique_key_update_mode` as the 3.1 BE reads it (case-insensitive); undefined before 3.1. */
function updateModeHeader(cluster: LoadCluster, h: Record<string, string>): UpdateMode | 'invalid' | undefined {
	const text = h.unique_key_update_mode;
	if (!versionAtLeast(cluster.version, '3.1') || text === undefined || text === '') return undefined;
	return UPDATE_MODES.find((m) => m === text.toUpperCase()) ?? 'invalid';
}

export function updateMode(cluster: LoadCluster, h: Record<string, string>): UpdateMode {
	const header = updateModeHeader(cluster, h);
	if (header !== undefined && header !== 'invalid') return header;
	// be/src/http/action/stream_load.cpp: `partial_columns` counts only without `unique_key_update_mode`.
	return bool(h.partial_columns) ? 'UPDATE_FIXED_COLUMNS' : 'UPSERT';
}

/**
 * What the BE refuses from the headers alone, before it reads the body (be/src/http/action/stream_load.cpp
 * `_on_header` / `_process_put`), or undefined.
 */
export function headerRefusal(cluster: LoadCluster, h: Record<string, string>): string | undefined {
	const json = (h.format ?? '').trim().toLowerCase() === 'json';
	// 2.1 and 3.0.0-3.0.4 refuse any compress_type with JSON; apache/doris PR #48990 (branch-3.0:
	// #49044) removed the check, so 3.0.5+ and 3.1 read compressed JSON.
	if (cluster.version === '2.1' && (h.compress_type ?? '') !== '' && json) return '[INTERNAL_ERROR]compress data of JSON format is not supported.';
	const header = updateModeHeader(cluster, h);
	if (header === 'invalid') {
		return `[INVALID_ARGUMENT]Invalid unique_key_partial_mode ${h.unique_key_update_mode}, must be one of 'UPSERT', 'UPDATE_FIXED_COLUMNS' or 'UPDATE_FLEXIBLE_COLUMNS'`;
	}
	// be/src/http/action/stream_load.cpp (3.1: apache/doris PR #41232, branch-3.1 #52290) checks any
	// non-empty value, partial update or not; 2.1 / 3.0 have no such header and ignore it, as every BE
	// ignores a header it does not read.
	const policy = newKeyPolicyHeader(cluster, h);
	if (policy === 'invalid') return `[INVALID_ARGUMENT]Invalid partial_update_new_key_behavior ${h.partial_update_new_key_behavior.toUpperCase()}, must be one of {'APPEND', 'ERROR'}`;
	if (header === 'UPDATE_FLEXIBLE_COLUMNS') {
		if (!json) return '[INVALID_ARGUMENT]flexible partial update only support json format as input file currently';
		if (bool(h.fuzzy_parse)) return "[INVALID_ARGUMENT]Don't support flexible partial update when 'fuzzy_parse' is enabled";
		for (const name of ['columns', 'jsonpaths', 'hidden_columns', 'function_column.sequence_col', 'merge_type', 'where']) {
			if ((h[name] ?? '') !== '') return `[INVALID_ARGUMENT]Don't support flexible partial update when '${name}' is specified`;
		}
	}
	return undefined;
}

type NewKeyPolicy = 'APPEND' | 'ERROR';

/** The header `partial_update_new_key_behavior` as the 3.1 BE reads it (upper-cased); undefined before 3.1 or when absent. */
function newKeyPolicyHeader(cluster: LoadCluster, h: Record<string, string>): NewKeyPolicy | 'invalid' | undefined {
	const text = h.partial_update_new_key_behavior;
	if (!versionAtLeast(cluster.version, '3.1') || text === undefined || text === '') return undefined;
	const upper = text.toUpperCase();
	return upper === 'APPEND' || upper === 'ERROR' ? upper : 'invalid';
}

/**
 * What a partial update does with a row whose key the table does not hold (not counting a row that
 * deletes), or undefined when it inserts the row:
 * - 2.1 / 3.0: strict mode decides. In strict mode the segment writer
 *   (be/src/olap/rowset/segment_v2/segment_writer.cpp `append_block_with_partial_content`, KEY_NOT_FOUND
 *   with `is_strict_mode`) marks the row deleted and counts it, and vtablet_writer.cpp adds the count to
 *   the load's filtered rows (`num_rows_filtered_in_strict_mode_partial_update`), with no line in the
 *   error log: 'filter'.
 * - 3.1: `partial_update_new_key_behavior` decides, strict mode no longer does (be/src/olap/
 *   partial_update_info.cpp `handle_new_key`; FE StreamLoadTask defaults to APPEND). ERROR fails the
 *   whole load with NEW_ROWS_IN_PARTIAL_UPDATE naming the key: 'error'.
 */
export function newKeyHandling(cluster: LoadCluster, h: Record<string, string>, strict: boolean): 'filter' | 'error' | undefined {
	if (!versionAtLeast(cluster.version, '3.1')) return strict ? 'filter' : undefined;
	return newKeyPolicyHeader(cluster, h) === 'ERROR' ? 'error' : undefined;
}

/** Where one table column's value comes from in a load (the `columns` header's mapping, or the column order). */
export interface Target {
	col: Column;
	/** Index into the source values, or -1. */
	src: number;
	/** Derived by `columns: x = expr`. */
	expr?: (values: unknown[]) => unknown;
	/** Not mentioned in a partial update: keep the old value. */
	keep: boolean;
	/** `convert` for this column's type, compiled once per load. */
	conv: Converter;
}

export const bool = (h: string | undefined): boolean => (h ?? '').trim().toLowerCase() === 'true';

/** Splits `a, b, c = f(x, y)` at top-level commas. */
export function splitTop(s: string): string[] {
	const out: string[] = [];
	let depth = 0;
	let start = 0;
	let quote = '';
	for (let i = 0; i < s.length; i++) {
		const ch = s[i];
		if (quote) {
			if (ch === quote) quote = '';
		} else if (ch === "'" || ch === '"') quote = ch;
		else if (ch === '(') depth++;
		else if (ch === ')') depth--;
		else if (ch === ',' && depth === 0) {
			out.push(s.slice(start, i));
			start = i + 1;
		}
	}
	out.push(s.slice(start));
	return out.map((x) => x.trim()).filter((x) => x !== '');
}

export const unq = (s: string): string => s.trim().replace(/^`|`$/g, '');

export function compileExpr(expr: string, names: string[]): (values: unknown[]) => unknown {
	const e = expr.trim();
	const idx = names.findIndex((n) => n.toLowerCase() === unq(e).toLowerCase());
	if (idx >= 0) return (v) => v[idx];
	if (/^-?\d+(\.\d+)?$/.test(e)) return () => e;
	const str = /^'(.*)'$|^"(.*)"$/.exec(e);
	if (str) return () => str[1] ?? str[2];
	if (/^null$/i.test(e)) return () => null;
	if (/^(now|current_timestamp)\(\)$/i.test(e)) return () => new Date().toISOString().slice(0, 19).replace('T', ' ');
	const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(([\s\S]*)\)$/.exec(e);
	const sketch = call ? sketchFunction(call[1], splitTop(call[2]).map((arg) => compileExpr(arg, names))) : undefined;
	if (sketch !== undefined) return sketch;
	// Doris accepts any scalar expression here; the test server keeps to names and literals.
	throw new LoadError(`[ANALYSIS_ERROR]test server: unsupported column mapping expression '${e}'`);
}

/**
 * Doris 4.1 / master (apache/doris PR #61242): a load that sends no group_commit header is group-committed
 * when its table's property group_commit_mode is sync_mode / async_mode, label or not
 * (be/src/http/action/stream_load.cpp `_handle_group_commit` leaves the mode empty and `_can_group_commit`
 * refuses a label only with the header; StreamLoadExecutor::begin_txn asks the FE with
 * use_table_group_commit_mode and takes its table_group_commit_mode, and the group commit replaces the
 * label). `group_commit: off_mode` returns before the table is looked at. Partial updates, partitions,
 * temporary partitions and two-phase commit never group-commit. Whether the FE honours the property for a
 * load that carries a label was not read (FrontendServiceImpl at that commit): imitated as the BE allows.
 */
export function tableGroupCommit(version: DorisVersion, table: Table, headers: Record<string, string>): boolean {
	if (!versionAtLeast(version, '4.1') || (headers.group_commit ?? '') !== '') return false;
	const mode = table.properties.get('group_commit_mode');
	if (mode !== 'sync_mode' && mode !== 'async_mode') return false;
	const set = (name: string) => (headers[name] ?? '') !== '';
	const updateMode = (headers.unique_key_update_mode ?? '').toUpperCase();
	return !(headers.partial_columns?.toLowerCase() === 'true' || set('partitions') || set('temporary_partitions') || headers.two_phase_commit === 'true' || updateMode === 'UPDATE_FIXED_COLUMNS' || updateMode === 'UPDATE_FLEXIBLE_COLUMNS');
}
