/**
 * Doris DDL: CREATE TABLE (column definitions, key model, DISTRIBUTED BY, PROPERTIES) and SHOW CREATE
 * TABLE / DESC rendering; ALTER TABLE is alter-table.ts. Syntax per the Doris "CREATE TABLE" reference
 * (doris.apache.org/docs/sql-manual/sql-statements/table-and-view/table/CREATE-TABLE).
 */
import { parseType, typeName, type ColType } from './coltypes';
import { isMergeOnWrite, type AggType, type Catalog, type Column, type KeysType, type Table } from './catalog';
import { parsePartitionBy, type TablePartitions } from './partitions';
import { analysisError, type Cursor } from './sql-lex';
import { versionAtLeast } from './types';

const AGGS = new Set(['SUM', 'MAX', 'MIN', 'REPLACE', 'REPLACE_IF_NOT_NULL', 'HLL_UNION', 'BITMAP_UNION', 'QUANTILE_UNION']);
const UNSUPPORTED_AGGS = new Set(['GENERIC']);
const NOT_KEY_TYPES = new Set(['FLOAT', 'DOUBLE', 'STRING', 'JSON', 'ARRAY', 'MAP', 'STRUCT', 'VARIANT', 'HLL', 'BITMAP', 'QUANTILE_STATE']);

/** Reads a type from tokens (`decimal(10, 2)`, `array<map<text,int>>`, `struct<a:int>`) and parses it. */
function readType(c: Cursor): ColType {
	let text = c.ident();
	if (c.isOp('(')) {
		text += '(';
		c.i++;
		while (!c.acceptOp(')')) text += c.str() + (c.acceptOp(',') ? ',' : '');
		text += ')';
	} else if (c.isOp('<')) {
		let depth = 0;
		do {
			const t = c.peek();
			if (!t) throw c.syntax("unbalanced '<'");
			c.i++;
			if (t.k === 'op' && t.v === '<') depth++;
			if (t.k === 'op' && t.v === '>') depth--;
			text += t.k === 'id' ? ` ${t.v} ` : t.v;
		} while (depth > 0);
	}
	try {
		return parseType(text);
	} catch (e) {
		throw analysisError((e as Error).message);
	}
}

export function readColumnDef(c: Cursor): Column & { explicitKey: boolean } {
	const name = c.ident();
	const type = readType(c);
	const col: Column & { explicitKey: boolean } = { name, type, nullable: true, isKey: false, comment: '', autoIncrement: false, explicitKey: false };
	let nullSeen = false;
	for (;;) {
		if (c.acceptKw('KEY')) col.explicitKey = true;
		else if (c.acceptKw('NOT', 'NULL')) {
			col.nullable = false;
			nullSeen = true;
		} else if (c.acceptKw('NULL')) {
			col.nullable = true;
			nullSeen = true;
		} else if (c.acceptKw('AUTO_INCREMENT')) {
			col.autoIncrement = true;
			if (c.isOp('(')) c.skipGroup();
		} else if (c.acceptKw('DEFAULT')) {
			if (c.acceptKw('NULL')) col.defaultValue = null;
			else if (c.isKw('CURRENT_TIMESTAMP')) {
				c.i++;
				col.defaultValue = 'CURRENT_TIMESTAMP';
				if (c.isOp('(')) c.skipGroup();
			} else {
				const neg = c.acceptOp('-');
				col.defaultValue = (neg ? '-' : '') + c.str();
			}
		} else if (c.acceptKw('ON', 'UPDATE')) {
			c.ident();
			if (c.isOp('(')) c.skipGroup();
		} else if (c.acceptKw('COMMENT')) col.comment = c.str();
		else {
			const t = c.peek();
			if (t && t.k === 'id' && !t.quoted && AGGS.has(t.v.toUpperCase())) {
				col.agg = t.v.toUpperCase() as AggType;
				c.i++;
			} else if (t && t.k === 'id' && !t.quoted && UNSUPPORTED_AGGS.has(t.v.toUpperCase())) {
				throw analysisError(`test server: aggregation ${t.v} is not supported`);
			} else break;
		}
	}
	// Doris columns are nullable unless NOT NULL is given (CREATE TABLE docs); key columns too since 2.0.
	if (!nullSeen) col.nullable = true;
	// fe-core ColumnDef.validateDefaultValue / nereids ColumnDefinition.validate: a CHAR / VARCHAR default
	// longer than the column, a non-NULL default of a JSON or nested column.
	const d = col.defaultValue;
	if (typeof d === 'string' && (col.type.base === 'CHAR' || col.type.base === 'VARCHAR') && d.length > (col.type.len ?? 1)) throw analysisError(`Default value is too long: ${d}`);
	if (typeof d === 'string' && ['JSON', 'MAP', 'STRUCT', 'VARIANT'].includes(col.type.base)) throw analysisError(`${col.type.base} type column default value just support null`);
	return col;
}

export function createTable(catalog: Catalog, c: Cursor, currentDb: string | undefined): void {
	const ifNotExists = c.acceptKw('IF', 'NOT', 'EXISTS');
	const [dbPart, name] = c.qualified();
	const dbName = dbPart ?? currentDb;
	if (!dbName) throw analysisError('No database selected', 1046);
	const db = catalog.getDb(dbName);
	if (!db) throw analysisError(`Unknown database '${dbName}'`, 1049);
	if (db.tables.has(name)) {
		if (ifNotExists) return;
		throw analysisError(`Table '${name}' already exists`, 1050);
	}
	c.expectOp('(');
	const cols: (Column & { explicitKey: boolean })[] = [];
	for (;;) {
		if (c.isKw('INDEX')) {
			// INDEX idx (col) USING INVERTED [PROPERTIES(...)] [COMMENT '...']: accepted, not modelled.
			c.i++;
			c.ident();
			c.skipGroup();
			while (!c.isOp(',') && !c.isOp(')')) {
				if (c.isOp('(')) c.skipGroup();
				else c.i++;
			}
		} else cols.push(readColumnDef(c));
		if (c.acceptOp(',')) continue;
		c.expectOp(')');
		break;
	}
	let keysType: KeysType | undefined;
	let keys: string[] = [];
	let distribution = '';
	let comment = '';
	let partitions: TablePartitions | undefined;
	const props = new Map<string, string>();
	while (!c.done()) {
		if (c.acceptKw('ENGINE')) {
			c.acceptOp('=');
			const engine = c.ident();
			if (engine.toUpperCase() !== 'OLAP') throw analysisError(`test server: only ENGINE=OLAP tables, not ${engine}`);
		} else if (c.isKw('DUPLICATE') || c.isKw('UNIQUE') || c.isKw('AGGREGATE')) {
			const kw = c.ident().toUpperCase();
			c.expectKw('KEY');
			keysType = kw === 'DUPLICATE' ? 'DUP_KEYS' : kw === 'UNIQUE' ? 'UNIQUE_KEYS' : 'AGG_KEYS';
			keys = nameList(c);
		} else if (c.acceptKw('CLUSTER', 'BY')) nameList(c);
		else if (c.acceptKw('COMMENT')) comment = c.str();
		else if (c.acceptKw('AUTO')) {
			c.expectKw('PARTITION');
			c.expectKw('BY');
			c.ident();
			c.skipGroup();
			if (c.isOp('(')) c.skipGroup();
			partitions = { unsupported: 'AUTO PARTITION' };
		} else if (c.acceptKw('PARTITION', 'BY')) {
			// Rows are stored together whatever their partition; a load's `partitions` header reads these.
			partitions = parsePartitionBy(c);
		} else if (c.acceptKw('DISTRIBUTED', 'BY')) {
			if (c.acceptKw('HASH')) distribution = `HASH(${nameList(c).map((k) => `\`${k}\``).join(', ')})`;
			else {
				c.expectKw('RANDOM');
				distribution = 'RANDOM';
			}
			if (c.acceptKw('BUCKETS')) distribution += ` BUCKETS ${c.str().toUpperCase()}`;
			else distribution += ' BUCKETS 10';
		} else if (c.acceptKw('ROLLUP')) c.skipGroup();
		else if (c.acceptKw('PROPERTIES')) {
			c.expectOp('(');
			while (!c.acceptOp(')')) {
				const k = c.str();
				c.expectOp('=');
				props.set(k.toLowerCase(), c.str());
				c.acceptOp(',');
			}
		} else throw c.syntax('unexpected clause in CREATE TABLE');
	}
	if (!keysType) {
		// No key clause: DUPLICATE KEY on leading columns (Doris picks up to 3 sort-key columns, stopping
		// after the first string column; docs "data model" → default duplicate model).
		keysType = 'DUP_KEYS';
		for (const col of cols) {
			if (keys.length >= 3 || NOT_KEY_TYPES.has(col.type.base)) break;
			keys.push(col.name);
			if (col.type.base === 'VARCHAR' || col.type.base === 'CHAR') break;
		}
		// Doris refuses a table whose first column cannot lead the sort key (fe-core CreateTableStmt).
		if (keys.length === 0) throw analysisError('The olap table first column could not be float, double, string or array, struct, map, please use decimal or varchar instead.');
	}
	const byName = new Map(cols.map((col) => [col.name.toLowerCase(), col]));
	keys = keys.map((k) => {
		const col = byName.get(k.toLowerCase());
		if (!col) throw analysisError(`Key column[${k}] doesn't exist.`);
		return col.name;
	});
	keys.forEach((k, i) => {
		if (cols[i]?.name !== k) throw analysisError('Key columns should be a ordered prefix of the schema. KeyColumns[' + i + '] (starts from zero) is ' + k + ', but corresponding column is ' + cols[i]?.name + ' in the previous columns declaration.');
	});
	for (const col of cols) {
		col.isKey = keys.includes(col.name);
		if (col.isKey) {
			if (col.type.base === 'FLOAT' || col.type.base === 'DOUBLE') throw analysisError('Float or double can not used as a key, use decimal instead.');
			// fe-core analysis ColumnDef.analyze (2.1, 3.0, 3.1): STRING and ARRAY have messages of their own.
			if (col.type.base === 'STRING') throw analysisError(`String Type should not be used in key column[${col.name}].`);
			if (col.type.base === 'ARRAY') throw analysisError('Array can only be used in the non-key column of the duplicate table at present.');
			if (NOT_KEY_TYPES.has(col.type.base)) throw analysisError(`${typeName(col.type)} can not be used as a key column: ${col.name}`);
			if (col.agg) throw analysisError(`Key column ${col.name} can not set aggregation type`);
		} else if (keysType === 'AGG_KEYS') {
			if (!col.agg) throw analysisError(`The column[${col.name}] must have aggregation type in AGG_KEYS`);
		} else if (col.agg) {
			throw analysisError(`Only AGGREGATE KEY table's value column can set aggregation type, column: ${col.name}`);
		}
	}
	const table: Table = {
		db: dbName,
		name,
		keysType,
		keys,
		columns: cols.map(({ explicitKey: _e, ...col }) => col),
		distribution: distribution || `HASH(\`${keys[0]}\`) BUCKETS 10`,
		properties: props,
		comment,
		dupRows: [],
		keyed: new Map(),
		...(partitions === undefined ? {} : { partitions }),
		...(keysType === 'UNIQUE_KEYS' && !catalog.feConfig.enableBatchDeleteByDefault ? { withoutDeleteSign: true as const } : {}),
	};
	const seqCol = props.get('function_column.sequence_col');
	const seqType = props.get('function_column.sequence_type');
	if ((seqCol || seqType) && keysType !== 'UNIQUE_KEYS') throw analysisError('sequence column only support UNIQUE_KEYS');
	if (seqCol) {
		const col = table.columns.find((x) => x.name.toLowerCase() === seqCol.toLowerCase());
		if (!col) throw analysisError(`The specified sequence column[${seqCol}] not exists`);
		if (!['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'LARGEINT', 'DATE', 'DATETIME', 'DECIMAL'].includes(col.type.base)) {
			throw analysisError('Sequence type only support integer types and date types');
		}
		props.set('function_column.sequence_col', col.name);
	} else if (seqType) table.sequenceType = parseType(seqType);
	if (keysType === 'UNIQUE_KEYS' && !props.has('enable_unique_key_merge_on_write')) props.set('enable_unique_key_merge_on_write', 'true');
	const skipBitmap = props.get('enable_unique_key_skip_bitmap_column');
	if (skipBitmap !== undefined) {
		// The property came with flexible partial update (apache/doris PR #39756, Doris 3.1); older
		// FEs end CREATE TABLE with "Unknown properties" for a property they do not consume.
		if (!versionAtLeast(catalog.version, '3.1')) throw analysisError(`Unknown properties: {enable_unique_key_skip_bitmap_column=${skipBitmap}}`);
		if (skipBitmap.toLowerCase() === 'true' && !isMergeOnWrite(table)) {
			throw analysisError('enable_unique_key_skip_bitmap_column property only support unique merge-on-write table');
		}
	}
	const groupCommitMode = props.get('group_commit_mode');
	if (groupCommitMode !== undefined) {
		// The table property came with apache/doris PR #61242 (master, branch-4.1); older FEs end CREATE
		// TABLE with "Unknown properties" for it. Its values are the group_commit header's.
		if (!versionAtLeast(catalog.version, '4.1')) throw analysisError(`Unknown properties: {group_commit_mode=${groupCommitMode}}`);
		if (!['off_mode', 'sync_mode', 'async_mode'].includes(groupCommitMode.toLowerCase())) {
			throw analysisError(`group_commit_mode can only be [async_mode, sync_mode, off_mode], got ${groupCommitMode}`);
		}
		props.set('group_commit_mode', groupCommitMode.toLowerCase());
	}
	db.tables.set(name, table);
}

function nameList(c: Cursor): string[] {
	c.expectOp('(');
	const out: string[] = [];
	while (!c.acceptOp(')')) {
		out.push(c.ident());
		c.acceptOp(',');
	}
	return out;
}

/**
 * DESC Extra (fe-core common/proc/IndexSchemaProcNode.java: the aggregation string, then BLOOM_FILTER,
 * AUTO_INCREMENT, joined by ","): '' for keys, NONE / REPLACE / the aggregation for values.
 */
export function descExtra(t: Table, col: Column): string {
	const parts: string[] = [];
	if (!col.isKey) {
		if (t.keysType === 'AGG_KEYS') parts.push(col.agg ?? 'NONE');
		else if (t.keysType === 'UNIQUE_KEYS' && !isMergeOnWrite(t)) parts.push('REPLACE');
		else parts.push('NONE');
	}
	if (col.autoIncrement) parts.push('AUTO_INCREMENT');
	return parts.join(',');
}

export function showCreateTable(t: Table): string {
	const lines = t.columns.map((col) => {
		let s = `  \`${col.name}\` ${typeName(col.type)}`;
		if (t.keysType === 'AGG_KEYS' && !col.isKey && col.agg) s += ` ${col.agg}`;
		s += col.nullable ? ' NULL' : ' NOT NULL';
		if (col.autoIncrement) s += ' AUTO_INCREMENT(1)';
		if (col.defaultValue !== undefined) s += col.defaultValue === null ? ' DEFAULT NULL' : col.defaultValue === 'CURRENT_TIMESTAMP' ? ' DEFAULT CURRENT_TIMESTAMP' : ` DEFAULT "${col.defaultValue}"`;
		// Doris writes a column comment in double quotes, escaping only `"` (Column.toSql, SqlUtils.escapeQuota).
		if (col.comment) s += ` COMMENT "${col.comment.replace(/"/g, '\\"')}"`;
		return s;
	});
	const model = t.keysType === 'DUP_KEYS' ? 'DUPLICATE' : t.keysType === 'UNIQUE_KEYS' ? 'UNIQUE' : 'AGGREGATE';
	const props = new Map<string, string>([['replication_allocation', 'tag.location.default: 1']]);
	for (const [k, v] of t.properties) props.set(k, v);
	if (t.sequenceType) props.set('function_column.sequence_type', typeName(t.sequenceType));
	return (
		`CREATE TABLE \`${t.name}\` (\n${lines.join(',\n')}\n) ENGINE=OLAP\n${model} KEY(${t.keys.map((k) => `\`${k}\``).join(', ')})\n` +
		`COMMENT '${t.comment || 'OLAP'}'\nDISTRIBUTED BY ${t.distribution}\nPROPERTIES (\n` +
		[...props].map(([k, v]) => `"${k}" = "${v}"`).join(',\n') +
		'\n);'
	);
}
