/**
 * The in-memory catalog: databases, tables, their rows, and Stream Load labels. One catalog is shared by
 * every FE, the BE and the MySQL port, like the metadata of one Doris cluster.
 */
import type { ColType } from './coltypes';
import { convert, INVALID, REJECT, type ConvertCtx, type Stored } from './convert';
import { tzOffsetFn } from './convert-datetime';
import { DORIS_LABEL_DEFAULTS, LabelBook, type LabelSettings } from './labels';
import type { TablePartitions } from './partitions';
import type { BeConfig, DorisVersion } from './types';

export type KeysType = 'DUP_KEYS' | 'UNIQUE_KEYS' | 'AGG_KEYS';
export type AggType = 'SUM' | 'MAX' | 'MIN' | 'REPLACE' | 'REPLACE_IF_NOT_NULL' | 'HLL_UNION' | 'BITMAP_UNION' | 'QUANTILE_UNION';

export interface Column {
	name: string;
	type: ColType;
	nullable: boolean;
	/** DEFAULT as written (unquoted), `null` for DEFAULT NULL, undefined when there is none. */
	defaultValue?: string | null;
	isKey: boolean;
	agg?: AggType;
	comment: string;
	autoIncrement: boolean;
}

export interface UniqueEntry {
	row: Stored[];
	/** Sequence value (the sequence column's or the hidden __DORIS_SEQUENCE_COL__'s). */
	seq: Stored;
	/** Tombstone: deleted by __DORIS_DELETE_SIGN__, kept so a lower sequence cannot bring it back. */
	deleted: boolean;
}

export interface Table {
	db: string;
	name: string;
	keysType: KeysType;
	keys: string[];
	columns: Column[];
	distribution: string;
	properties: Map<string, string>;
	comment: string;
	/** DUPLICATE KEY rows, in load order. */
	dupRows: Stored[][];
	/** UNIQUE / AGGREGATE rows by encoded key. */
	keyed: Map<string, UniqueEntry>;
	/** Type of the hidden sequence column when created with "function_column.sequence_type". */
	sequenceType?: ColType;
	/** PARTITION BY, when given (./partitions.ts); without it the table is its own one partition. */
	partitions?: TablePartitions;
	/**
	 * OlapTable.OlapTableState: SCHEMA_CHANGE while an alter job runs on the table (DorisTestServer
	 * .schemaChangeJob); absent = NORMAL.
	 */
	state?: 'SCHEMA_CHANGE';
	/**
	 * A UNIQUE KEY table created while the FE config enable_batch_delete_by_default was false: no hidden
	 * __DORIS_DELETE_SIGN__ (fe-core CreateTableInfo adds it only with the config on), so a load drops
	 * `hidden_columns: __DORIS_DELETE_SIGN__` and a delete row loads as an upsert.
	 */
	withoutDeleteSign?: true;
}

export interface Database {
	name: string;
	tables: Map<string, Table>;
	labels: LabelBook;
}

/**
 * `version_comment` as an FE of each line has it: "Doris version " + DORIS_BUILD_VERSION + "-" + the
 * short commit hash (fe/fe-core/.../qe/GlobalVariable.java), DORIS_BUILD_VERSION being
 * `doris-<major>.<minor>.<patch>-<rc>` (gensrc/script/gen_build_version.sh). 3.0 is a 3.0.5+ release,
 * as the server imitates elsewhere (gzip-compressed JSON). The hashes are placeholders.
 */
export const VERSION_COMMENTS: Record<DorisVersion, string> = {
	'2.1': 'Doris version doris-2.1.10-rc01-0000000000',
	'3.0': 'Doris version doris-3.0.6-rc01-0000000000',
	'3.1': 'Doris version doris-3.1.0-rc02-0000000000',
	'4.1': 'Doris version doris-4.1.0-rc01-0000000000',
};

export class Catalog {
	readonly dbs = new Map<string, Database>();
	private txnSeq = 1000;

	readonly beConfig: BeConfig;
	/** FE configs ADMIN SET FRONTEND CONFIG changes (fe-core common/Config.java defaults). */
	readonly feConfig = { enableBatchDeleteByDefault: true };
	/** What `SELECT @@version_comment` answers (./sql.ts); a release of the imitated line unless the server options say otherwise. */
	versionComment: string;

	/**
	 * The Doris release line imitated; FE, BE and the MySQL port all read it from here. The label
	 * settings say how long finished labels are remembered (labels.ts).
	 */
	constructor(
		readonly version: DorisVersion = '3.0',
		beConfig: Partial<BeConfig> = {},
		readonly labelSettings: LabelSettings = DORIS_LABEL_DEFAULTS,
	) {
		this.versionComment = VERSION_COMMENTS[version];
		this.beConfig = { stringTypeLengthSoftLimitBytes: 1_048_576, jsonbTypeLengthSoftLimitBytes: 1_048_576, streamingLoadMaxMb: 10_240, streamingLoadJsonMaxMb: 100, ...beConfig };
	}

	/** One round of Doris' transaction cleaner over every database. */
	cleanLabels(now = Date.now()): void {
		for (const db of this.dbs.values()) db.labels.clean(this.labelSettings, now);
	}

	nextTxnId(): number {
		return ++this.txnSeq;
	}

	getDb(name: string): Database | undefined {
		return this.dbs.get(name);
	}

	getTable(db: string, table: string): Table | undefined {
		return this.dbs.get(db)?.tables.get(table);
	}

	createDb(name: string): Database {
		const db: Database = { name, tables: new Map(), labels: new LabelBook() };
		this.dbs.set(name, db);
		return db;
	}
}

/** The table takes flexible partial updates (hidden skip bitmap column, Doris 3.1+). */
export function hasSkipBitmapColumn(t: Table): boolean {
	return (t.properties.get('enable_unique_key_skip_bitmap_column') ?? 'false').toLowerCase() === 'true';
}

export function isMergeOnWrite(t: Table): boolean {
	// enable_unique_key_merge_on_write defaults to true since Doris 2.1 (table property docs).
	return t.keysType === 'UNIQUE_KEYS' && (t.properties.get('enable_unique_key_merge_on_write') ?? 'true') === 'true';
}

/** The sequence column's name when the table maps it to a real column ("function_column.sequence_col"). */
export function sequenceColumn(t: Table): string | undefined {
	return t.properties.get('function_column.sequence_col');
}

export function hasSequence(t: Table): boolean {
	return sequenceColumn(t) !== undefined || t.sequenceType !== undefined;
}

const defaultCtx = (): ConvertCtx => ({ reason: '', nestedInvalid: false, tzOffset: tzOffsetFn(undefined) });

/** The value a missing column gets: its DEFAULT converted, CURRENT_TIMESTAMP evaluated, else NULL. */
export function defaultFor(c: Column, ctx: ConvertCtx = defaultCtx()): Stored {
	// Every HLL / BITMAP column defaults to an empty one (./sketches.ts).
	if (c.defaultValue === undefined && (c.type.base === 'HLL' || c.type.base === 'BITMAP')) return '';
	if (c.defaultValue === undefined || c.defaultValue === null) return null;
	let text = c.defaultValue;
	if (/^CURRENT_TIMESTAMP(\(\d*\))?$|^NOW\(\)$/i.test(text)) {
		const now = new Date(Date.now() + ctx.tzOffset(Date.now()) * 60000);
		text = now.toISOString().replace('T', ' ').replace('Z', '').slice(0, 26);
	}
	const v = convert(c.type, text, ctx);
	return v === INVALID || v === REJECT ? null : v;
}

/** Compares two stored values of one column type (sequence ordering, MAX/MIN). */
export function compareStored(t: ColType, a: Stored, b: Stored): number {
	if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (t.base === 'BIGINT' || t.base === 'LARGEINT') {
		const x = BigInt(a);
		const y = BigInt(b);
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (t.base === 'DECIMAL') {
		const x = BigInt(String(a).replace('.', ''));
		const y = BigInt(String(b).replace('.', ''));
		return x < y ? -1 : x > y ? 1 : 0;
	}
	const x = String(a);
	const y = String(b);
	return x < y ? -1 : x > y ? 1 : 0;
}

/** SUM for the numeric types, exact for BIGINT / LARGEINT / DECIMAL. */
export function sumStored(t: ColType, a: Stored, b: Stored): Stored {
	if (a === null) return b;
	if (b === null) return a;
	switch (t.base) {
		case 'BIGINT':
		case 'LARGEINT': {
			const s = BigInt(a) + BigInt(b);
			return t.base === 'BIGINT' && s >= BigInt(Number.MIN_SAFE_INTEGER) && s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s.toString();
		}
		case 'DECIMAL': {
			const scale = t.scale ?? 0;
			const s = BigInt(String(a).replace('.', '')) + BigInt(String(b).replace('.', ''));
			const neg = s < 0n;
			const abs = (neg ? -s : s).toString().padStart(scale + 1, '0');
			return (neg ? '-' : '') + abs.slice(0, abs.length - scale) + (scale ? '.' + abs.slice(abs.length - scale) : '');
		}
		case 'FLOAT':
		case 'DOUBLE':
			return Number(a) + Number(b);
		default:
			// TINYINT..INT: Doris widens SUM on storage? No: the column keeps its type; wrap-around is not modelled.
			return Number(a) + Number(b);
	}
}

/** Encodes key values into one Map key; \u0001 cannot appear in JSON-parsed text of a key column in practice. */
export function encodeKey(row: Stored[], keyIdx: number[]): string {
	if (keyIdx.length === 1) {
		const v = row[keyIdx[0]];
		return v === null ? '\u0000' : typeof v === 'number' ? 'n' + v : 's' + v;
	}
	let k = '';
	for (const i of keyIdx) {
		const v = row[i];
		k += (v === null ? '\u0000' : typeof v === 'number' ? 'n' + v : 's' + v) + '\u0001';
	}
	return k;
}

export function keyIndexes(t: Table): number[] {
	return t.keys.map((k) => t.columns.findIndex((c) => c.name === k));
}

/** Visible rows in storage order: DUP in load order, UNIQUE/AGG in first-insert order minus tombstones. */
export function visibleRows(t: Table): Stored[][] {
	if (t.keysType === 'DUP_KEYS') return t.dupRows;
	const out: Stored[][] = [];
	for (const e of t.keyed.values()) if (!e.deleted) out.push(e.row);
	return out;
}

export function rowCount(t: Table): number {
	if (t.keysType === 'DUP_KEYS') return t.dupRows.length;
	let n = 0;
	for (const e of t.keyed.values()) if (!e.deleted) n++;
	return n;
}
