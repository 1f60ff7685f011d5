/**
 * Executes one Stream Load against a table in two steps: prepare (parse, map columns, convert and check
 * every row, count filtered rows) and apply (make the rows visible). The BE answers between the two
 * when a fault asks for it (labelRunning, resetAfterCommit). What the headers mean is read in
 * load-headers.ts; how the table stores the accepted rows, per keys model, is load-apply.ts.
 *
 * Sources for the semantics: the Stream Load manual (doris.apache.org/docs/data-operate/import/
 * import-way/stream-load-manual) for headers, the strict mode doc for conversion, the "batch delete"
 * and "sequence column" docs for merge_type / __DORIS_DELETE_SIGN__ / function_column.sequence_col,
 * and the partial update doc for partial_columns.
 *
 * Partial updates follow the FE planner (fe/.../planner/StreamLoadPlanner.java `plan()` in 2.1 / 3.0;
 * the same checks in 3.1 with `unique_key_update_mode`): the updated column set is the `columns`
 * header's column names, which must hold every key column, so `partial_columns: true` without
 * `columns` fails every load. (The 4.x Nereids planner turns that case into a plain upsert.) Flexible
 * partial update (`unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS`, apache/doris PR #39756, Doris
 * 3.1) updates, per JSON line, the columns that line carries; 2.1 and 3.0 do not know the header and
 * load a full upsert instead.
 */
import type { ColType } from './coltypes';
import { parseType } from './coltypes';
import { defaultFor, encodeKey, hasSequence, hasSkipBitmapColumn, isMergeOnWrite, keyIndexes, sequenceColumn, type Column, type Table } from './catalog';
import { convert, INVALID, REJECT, type ConvertCtx, type Stored } from './convert';
import { tzOffsetFn } from './convert-datetime';
import { compileConverter } from './convert-compiled';
import { csvRows, jsonRows, mayHaveLostDigits, parseJsonPaths, reparseRow, sourceLine, unescapeSeparator, type JsonOptions, type SourceRow } from './load-source';
import { evalCondition, parseCondition, type Condition } from './condition';
import { immutablePartition, loadPartitions, partitionOf } from './partitions';
import { applyRows, KEEP, type Cell } from './load-apply';
import { bool, compileExpr, headerRefusal, LoadError, newKeyHandling, planError, splitTop, unq, updateMode, type LoadCluster, type Target } from './load-headers';
import { hasEmptySketchDefault, sketchPlanRefusal } from './sketches';

export const DELETE_SIGN = '__DORIS_DELETE_SIGN__';

export interface PreparedLoad {
	total: number;
	loaded: number;
	filtered: number;
	unselected: number;
	/** Error-log lines (Doris: "Reason: ... src line [...]; "). */
	errorLines: string[];
	/** Makes the rows visible. */
	apply(): void;
}

const DEFAULT_CLUSTER: LoadCluster = { version: '3.0', beConfig: { stringTypeLengthSoftLimitBytes: 1_048_576, jsonbTypeLengthSoftLimitBytes: 1_048_576, streamingLoadMaxMb: 10_240, streamingLoadJsonMaxMb: 100 } };

export function prepareLoad(table: Table, h: Record<string, string>, body: string, cluster: LoadCluster = DEFAULT_CLUSTER): PreparedLoad {
	const format = (h.format ?? 'csv').trim().toLowerCase();
	if (!['csv', 'csv_with_names', 'csv_with_names_and_types', 'json'].includes(format)) {
		throw new LoadError(
			['parquet', 'orc', 'arrow', 'hive_text'].includes(format)
				? `[NOT_IMPLEMENTED_ERROR]test server does not read format ${format}`
				: `[INVALID_ARGUMENT]unknown data format, format=${h.format}`,
		);
	}
	if (h.strict_mode !== undefined && !/^(true|false)$/i.test(h.strict_mode.trim())) {
		throw new LoadError('[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type');
	}
	const strict = bool(h.strict_mode);
	const maxRatio = h.max_filter_ratio === undefined ? 0 : Number(h.max_filter_ratio);
	if (!Number.isFinite(maxRatio) || maxRatio < 0 || maxRatio > 1) {
		throw new LoadError(`[INVALID_ARGUMENT]Invalid max_filter_ratio: ${h.max_filter_ratio}`);
	}
	const mergeType = (h.merge_type ?? 'APPEND').trim().toUpperCase();
	if (!['APPEND', 'DELETE', 'MERGE'].includes(mergeType)) throw new LoadError(`[INVALID_ARGUMENT]Invalid merge type ${h.merge_type}`);
	if (mergeType !== 'APPEND' && table.keysType !== 'UNIQUE_KEYS') {
		throw new LoadError('[ANALYSIS_ERROR]errCode = 2, detailMessage = load by MERGE or DELETE is only supported in unique tables.');
	}
	if (mergeType === 'MERGE' && !h.delete) throw new LoadError('[ANALYSIS_ERROR]errCode = 2, detailMessage = Excepted DELETE ON clause when merge type is MERGE.');
	if (mergeType !== 'MERGE' && h.delete) throw new LoadError('[ANALYSIS_ERROR]errCode = 2, detailMessage = not support DELETE ON clause when merge type is not MERGE.');
	const refusal = headerRefusal(cluster, h);
	if (refusal !== undefined) throw new LoadError(refusal);
	if ((h.temporary_partitions ?? '').trim() !== '') throw new LoadError('[NOT_IMPLEMENTED_ERROR]test server: temporary partitions are not imitated');
	let allowed: ReturnType<typeof loadPartitions>;
	try {
		allowed = loadPartitions(table, h.partitions);
	} catch (error) {
		throw new LoadError((error as Error).message);
	}
	const mode = updateMode(cluster, h);
	const partial = mode === 'UPDATE_FIXED_COLUMNS';
	const flexible = mode === 'UPDATE_FLEXIBLE_COLUMNS';
	if (mode !== 'UPSERT' && !isMergeOnWrite(table)) throw planError('Only unique key merge on write support partial update');
	if (flexible) {
		if (!hasSkipBitmapColumn(table)) {
			throw planError(
				`Flexible partial update can only support table with skip bitmap hidden column. But table ${table.name} doesn't have it. ` +
					`You can use \`ALTER TABLE ${table.name} ENABLE FEATURE "UPDATE_FLEXIBLE_COLUMNS";\` to add it to the table.`,
			);
		}
		if (table.columns.some((c) => c.type.base === 'VARIANT')) throw planError('Flexible partial update can only support table without variant columns.');
	}
	const ctx: ConvertCtx = { reason: '', nestedInvalid: false, tzOffset: tzOffsetFn(h.timezone ?? h.time_zone) };

	// Source column names: the `columns` header's plain names, else the table's columns (+ hidden_columns).
	const hidden = (h.hidden_columns ?? '').split(',').map(unq).filter((x) => x !== '');
	let names: string[];
	const derived: { name: string; expr: string }[] = [];
	if (h.columns?.trim()) {
		names = [];
		for (const item of splitTop(h.columns)) {
			const eq = item.indexOf('=');
			if (eq > 0 && item[eq + 1] !== '=') derived.push({ name: unq(item.slice(0, eq)), expr: item.slice(eq + 1) });
			else names.push(unq(item));
		}
	} else {
		names = [...table.columns.map((c) => c.name), ...hidden];
		// A flexible partial update reads the delete sign from each line (update-of-unique-model docs).
		if (flexible && !names.includes(DELETE_SIGN)) names.push(DELETE_SIGN);
	}
	const pos = (n: string): number => names.findIndex((x) => x.toLowerCase() === n.toLowerCase());
	const seqColName = sequenceColumn(table);
	const seqHeader = h['function_column.sequence_col']?.trim();
	if (table.sequenceType && !seqHeader) {
		throw new LoadError(`[ANALYSIS_ERROR]errCode = 2, detailMessage = Table ${table.name} has sequence column, need to specify the sequence column`);
	}
	const mentioned = new Set([...names, ...derived.map((d) => d.name)].map((n) => n.toLowerCase()));
	// A mapped sequence column (`function_column.sequence_col`) that a `columns` header leaves out: FE
	// LoadScanProvider (2.1, 3.0) / NereidsLoadScanProvider (3.1) handleSequenceColumn refuse the load
	// unless it is a fixed partial update (which keeps the stored value) or the column's default is
	// CURRENT_TIMESTAMP (2.1, 3.0, 3.1 alike).
	if (!table.sequenceType && seqColName !== undefined && h.columns?.trim() && !partial && !mentioned.has(seqColName.toLowerCase())) {
		const seqCol = table.columns.find((c) => c.name === seqColName);
		if (seqCol?.defaultValue !== 'CURRENT_TIMESTAMP') {
			throw new LoadError(`[ANALYSIS_ERROR]errCode = 2, detailMessage = Table ${table.name} has sequence column, need to specify the sequence column`);
		}
	}
	const targets: Target[] = table.columns.map((col) => {
		const d = derived.find((x) => x.name.toLowerCase() === col.name.toLowerCase());
		const t: Target = { col, src: pos(col.name), keep: partial && !mentioned.has(col.name.toLowerCase()), conv: compileConverter(col.type) };
		if (d) t.expr = compileExpr(d.expr, names);
		if (h.columns?.trim() && t.src < 0 && !t.expr && !t.keep && !col.nullable && col.defaultValue === undefined && !col.autoIncrement && !hasEmptySketchDefault(col)) {
			throw new LoadError(`[ANALYSIS_ERROR]errCode = 2, detailMessage = Column has no default value. column: ${col.name}`);
		}
		return t;
	});
	// HLL / BITMAP / QUANTILE_STATE columns: the planner's per-column checks (./sketches.ts).
	for (const t of targets) {
		if (t.keep) continue;
		const refusal = sketchPlanRefusal(t.col, derived.find((x) => x.name.toLowerCase() === t.col.name.toLowerCase())?.expr, t.src >= 0, cluster.version);
		if (refusal !== undefined) throw refusal;
	}
	if (partial) {
		// StreamLoadPlanner compares the `columns` names with equals(): case matters, and without a
		// `columns` header no key column is "included".
		const listed = new Set(h.columns?.trim() ? [...names, ...derived.map((d) => d.name)] : []);
		for (const k of table.keys) {
			if (!listed.has(k)) throw planError(`Partial update should include all key columns, missing: ${k}`);
		}
	}
	// The delete sign is the hidden column of UNIQUE KEY tables, TINYINT NOT NULL DEFAULT 0. FE
	// Load.initColumns (2.1) / NereidsLoadScanProvider (3.0, 3.1) add a hidden_columns name only for a
	// column the table has and hides (`column != null && !column.isVisible()`): on a DUPLICATE or
	// AGGREGATE KEY table the field is no column and is not read.
	const deleteIdx = table.keysType === 'UNIQUE_KEYS' && table.withoutDeleteSign !== true ? pos(DELETE_SIGN) : -1;
	const signConverter = compileConverter(parseType('TINYINT'));
	const deleteCond: Condition | undefined = h.delete ? parseCondition(h.delete) : undefined;
	const whereCond: Condition | undefined = h.where ? parseCondition(h.where) : undefined;
	const seqSrcIdx = seqHeader ? pos(seqHeader) : -1;
	// FE LoadScanProvider maps the hidden column to the header's source column
	// (`__DORIS_SEQUENCE_COL__ = SlotRef(sequence_col)`); Load.initColumns refuses a reference to no
	// source column: "unknown reference column, column=..., reference=...".
	if (table.sequenceType && seqHeader && seqSrcIdx < 0) {
		throw new LoadError(`[ANALYSIS_ERROR]errCode = 2, detailMessage = unknown reference column, column=__DORIS_SEQUENCE_COL__, reference=${seqHeader}`);
	}
	// The header's source column, when a table column has its name and a DEFAULT: FE FileLoadScanNode /
	// LoadScanProvider put each table column's default on the source slot of its name
	// (putToDefaultValueOfSrcSlot), and be/src/vec/exec/format/json/new_json_reader.cpp
	// `_fill_missing_column` writes it for a field a JSON line lacks, so the hidden column gets the
	// default, not NULL. A CSV line has every field (one short is filtered). 2.1, 3.0, 3.1.
	const seqSrcColumn = seqSrcIdx >= 0 && format === 'json' ? table.columns.find((c) => c.name.toLowerCase() === names[seqSrcIdx].toLowerCase()) : undefined;
	const seqColIdx = seqColName ? table.columns.findIndex((c) => c.name.toLowerCase() === seqColName.toLowerCase()) : -1;
	const seqType: ColType | undefined = table.sequenceType ?? (seqColIdx >= 0 ? table.columns[seqColIdx].type : undefined);

	// Parse the body.
	let each: (onRow: (r: SourceRow) => void) => void;
	let jsonOpts: JsonOptions | undefined;
	if (format === 'json') {
		let jsonPaths: (string | number)[][] | undefined;
		try {
			jsonPaths = h.jsonpaths ? parseJsonPaths(h.jsonpaths) : undefined;
		} catch (e) {
			throw new LoadError(`[DATA_QUALITY_ERROR]${(e as Error).message}`);
		}
		const o: JsonOptions = { readJsonByLine: bool(h.read_json_by_line), stripOuterArray: bool(h.strip_outer_array), jsonRoot: h.json_root, jsonPaths };
		jsonOpts = o;
		each = (onRow) => jsonRows(body, names, o, onRow);
	} else {
		const o = {
			separator: unescapeSeparator(h.column_separator ?? '\t'),
			lineDelimiter: unescapeSeparator(h.line_delimiter ?? '\n'),
			enclose: h.enclose,
			trimDoubleQuotes: bool(h.trim_double_quotes),
			skipLines: (format === 'csv_with_names' ? 1 : format === 'csv_with_names_and_types' ? 2 : 0) + Number(h.skip_lines ?? 0),
		};
		each = (onRow) => csvRows(body, names, o, onRow);
	}
	// Targets whose JSON numbers must keep all digits (a double cannot hold them).
	const exact = jsonOpts ? targets.filter((t) => t.src >= 0 && ['BIGINT', 'LARGEINT', 'DECIMAL'].includes(t.col.type.base)) : [];
	const exactIdx = exact.map((t) => t.src);
	const exactWide = exact.map((t) => t.col.type.base === 'DECIMAL' && t.col.type.precision! > 15);

	const ready: Cell[][] = [];
	const stringLimit = cluster.beConfig.stringTypeLengthSoftLimitBytes;
	const jsonLimit = cluster.beConfig.jsonbTypeLengthSoftLimitBytes;
	const keyedModel = table.keysType !== 'DUP_KEYS';
	const dels: boolean[] = [];
	const seqs: Cell[] = [];
	const errorLines: string[] = [];
	let total = 0;
	let unselected = 0;
	// A row whose key is new in a partial update: filtered (2.1 / 3.0 strict mode) or failing the load
	// (3.1, partial_update_new_key_behavior ERROR); load-headers.ts newKeyHandling.
	const newKeys = partial || flexible ? newKeyHandling(cluster, h, strict) : undefined;
	const partialKeys = newKeys !== undefined ? keyIndexes(table) : undefined;
	let filteredWithoutReason = 0;
	const filter = (r: SourceRow, reason: string): void => {
		errorLines.push(`Reason: ${reason}. src line [${sourceLine(r)}]; `);
	};
	const named = (r: SourceRow) => (n: string): unknown => {
		const i = pos(n);
		if (i >= 0) return r.values[i];
		const ti = table.columns.findIndex((c) => c.name.toLowerCase() === n.toLowerCase());
		return ti >= 0 && targets[ti].expr ? targets[ti].expr!(r.values) : undefined;
	};
	each((src) => {
		let r = src;
		total++;
		if (r.error) {
			filter(r, r.error);
			return;
		}
		if (jsonOpts && r.line !== '') {
			for (let e = 0; e < exactIdx.length; e++) {
				if (mayHaveLostDigits(r.values[exactIdx[e]], exactWide[e])) {
					r = reparseRow(r.line, names, jsonOpts);
					break;
				}
			}
		}
		if (whereCond && !evalCondition(whereCond, named(r))) {
			unselected++;
			return;
		}
		const row: Cell[] = new Array(targets.length);
		for (let i = 0; i < targets.length; i++) {
			const t = targets[i];
			if (t.keep) {
				row[i] = null;
				continue;
			}
			const raw = t.expr ? t.expr(r.values) : t.src >= 0 ? r.values[t.src] : undefined;
			if (flexible && raw === undefined) {
				if (t.col.isKey) {
					filter(r, `column_name[${t.col.name}], the key column is missing in flexible partial update`);
					return;
				}
				row[i] = KEEP;
				continue;
			}
			let v: Stored | typeof INVALID | typeof REJECT;
			if (raw === undefined) v = defaultFor(t.col, ctx);
			else {
				ctx.nestedInvalid = false;
				v = t.conv(raw, ctx);
				if (v === REJECT || (v === INVALID && strict) || (strict && ctx.nestedInvalid)) {
					filter(r, `column_name[${t.col.name}], ${ctx.reason}`);
					return;
				}
				if (v === INVALID) v = null;
			}
			if (typeof v === 'string' && v.length * 3 > Math.min(stringLimit, jsonLimit)) {
				const reason = sizeLimitReason(t.col, v, stringLimit, jsonLimit);
				if (reason !== undefined) {
					filter(r, reason);
					return;
				}
			}
			if (v === null && !t.col.nullable && !t.col.autoIncrement) {
				filter(r, raw === undefined && format === 'json' && !h.columns
					? `The column \`${t.col.name}\` is not nullable, but it's not found in jsonl.`
					: `column(${t.col.name}) values is null while columns is not nullable`);
				return;
			}
			row[i] = v;
		}
		if (allowed !== undefined && 'partitioning' in allowed) {
			const cell = row[allowed.column];
			const partition = partitionOf(allowed.partitioning, cell === KEEP ? undefined : cell);
			if (partition === undefined || (allowed.names !== undefined && !allowed.names.has(partition.toLowerCase()))) {
				// BE vec/sink/vtablet_finder.cpp: the row is filtered, counted against max_filter_ratio.
				filter(r, `no partition for this tuple. tuple=(${row.map((c) => (c === KEEP || c === null ? 'NULL' : String(c))).join(', ')})`);
				return;
			}
			// The same file, next: a row of a partition that takes no writes is skipped without an error-log
			// line and counted in NumberUnselectedRows, as a `where` header's rows are (2.1 and later).
			if (immutablePartition(allowed.partitioning, partition)) {
				unselected++;
				return;
			}
		}
		let del = mergeType === 'DELETE';
		if (mergeType === 'MERGE' && deleteCond) del = evalCondition(deleteCond, named(r));
		else if (mergeType === 'APPEND' && deleteIdx >= 0 && r.values[deleteIdx] !== undefined) {
			// Read as the column's other values are (the JSON reader hands true / false over as "1" / "0",
			// new_json_reader.cpp), cast to TINYINT; the segment writer deletes a row whose sign is not 0
			// (be/src/olap/rowset/segment_v2/segment_writer.cpp `delete_sign_column_data[pos] != 0`). Text
			// that is no integer, or null, is NULL in a NOT NULL column: the row is filtered. A line
			// without the sign gets the column's default 0 (_fill_missing_column). 2.1, 3.0, 3.1.
			ctx.nestedInvalid = false;
			const sign = signConverter(r.values[deleteIdx], ctx);
			if (sign === REJECT || (sign === INVALID && strict)) {
				filter(r, `column_name[${DELETE_SIGN}], ${ctx.reason}`);
				return;
			}
			if (sign === INVALID || sign === null) {
				filter(r, `column(${DELETE_SIGN}) values is null while columns is not nullable`);
				return;
			}
			del = sign !== 0;
		}
		let seq: Cell = null;
		if (seqSrcIdx >= 0 && seqType) {
			const raw = r.values[seqSrcIdx];
			const s = convert(seqType, raw === undefined && seqSrcColumn !== undefined ? defaultFor(seqSrcColumn, ctx) : raw, ctx);
			seq = s === INVALID || s === REJECT ? null : s;
		}
		// A partial update that leaves the sequence column out keeps the stored row's value (sequence column
		// docs, unique-update-concurrent-control.md, Note 2): KEEP, as a flexible update's missing cell.
		else if (seqColIdx >= 0) seq = row[seqColIdx] === KEEP || targets[seqColIdx].keep ? KEEP : (row[seqColIdx] as Stored);
		if (partialKeys !== undefined && !del) {
			const stored = table.keyed.get(encodeKey(row as Stored[], partialKeys));
			if (stored === undefined || stored.deleted) {
				if (newKeys === 'error') {
					const key = partialKeys.map((k) => String(row[k])).join(', ');
					// The partial-column-update doc's example of this failure (3.x), as a load's message.
					throw new LoadError(`[INTERNAL_ERROR]tablet error: [E-7003]Can't append new rows in partial update when partial_update_new_key_behavior is ERROR. Row with key=[${key}] is not in table.`);
				}
				filteredWithoutReason++;
				return;
			}
		}
		ready.push(row);
		if (keyedModel) {
			dels.push(del);
			seqs.push(seq);
		}
	});
	const filtered = errorLines.length + filteredWithoutReason;
	const selected = total - unselected;
	// runtime/stream_load/stream_load_executor.cpp: filtered / (total - unselected) > max_filter_ratio
	// fails the load with Status::DataQualityError("too many filtered rows").
	if (selected > 0 && filtered / selected > maxRatio) {
		const e = new LoadError('[DATA_QUALITY_ERROR]too many filtered rows');
		throw Object.assign(e, { counts: { total, filtered, unselected }, errorLines });
	}
	return {
		total,
		loaded: ready.length,
		filtered,
		unselected,
		errorLines,
		apply: () => applyRows(table, ready, dels, seqs, targets, hasSequence(table) && seqType !== undefined),
	};
}

/**
 * The BE's per-value size limits (be/src/vec/sink/vtablet_block_convertor.cpp): a STRING value longer
 * than string_type_length_soft_limit_bytes filters its row; VARIANT shares that limit and JSON has
 * jsonb_type_length_soft_limit_bytes (Doris data type docs, JSON / VARIANT).
 */
function sizeLimitReason(col: Column, v: string, stringLimit: number, jsonLimit: number): string | undefined {
	const base = col.type.base;
	const limit = base === 'STRING' || base === 'VARIANT' ? stringLimit : base === 'JSON' ? jsonLimit : undefined;
	if (limit === undefined) return undefined;
	const bytes = Buffer.byteLength(v);
	if (bytes <= limit) return undefined;
	return (
		`column_name[${col.name}], the length of input ${base === 'JSON' ? 'json' : 'string'} is too long than vec schema. first 32 bytes of input str: [${v.slice(0, 32)}] ` +
		`schema length: 2147483643; limit length: ${limit}; actual length: ${bytes}; `
	);
}

export { parseType };
