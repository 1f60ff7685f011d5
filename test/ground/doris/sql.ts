/**
 * The SQL the test server answers (same engine for the MySQL port and DorisTestServer.sql()). Only what
 * tests and the schema reader need: SHOW DATABASES / TABLES / CREATE TABLE, DESC, information_schema
 * .columns / .tables, SELECT [cols | * | COUNT(*)] FROM t [WHERE] [ORDER BY] [LIMIT], SELECT literals,
 * SET, USE, CREATE / DROP DATABASE, CREATE / ALTER / TRUNCATE / DROP TABLE, INSERT ... VALUES.
 */
import { infoSchemaColumnType, infoSchemaDataType, mysqlWireType, MYSQL_TYPE, type ColType } from './coltypes';
import { isMergeOnWrite, rowCount, visibleRows, type Catalog, type Table } from './catalog';
import { evalCondition, type Cmp, type Condition } from './condition';
import { alterTable, createTable, descExtra, showCreateTable } from './ddl';
import { DELETE_SIGN, prepareLoad } from './load-exec';
import { LoadError } from './load-headers';
import { analysisError, Cursor, SqlError, tokenize } from './sql-lex';
import { descTypeName } from './coltypes';

export interface ResultColumn {
	name: string;
	wire: number;
}
export type SqlResult = { columns: ResultColumn[]; rows: unknown[][] } | { affectedRows: number };

export interface Session {
	db?: string;
	/** SET show_hidden_columns = true: DESC lists the hidden columns too (fe-core qe/SessionVariable.java). */
	showHiddenColumns?: boolean;
}

/**
 * The MySQL version the FE claims (Config.mysql_server_version): the handshake's server version,
 * `@@version`, and `SELECT version()` too (FoldConstantRuleOnFE.visitVersion returns
 * GlobalVariable.version). The Doris release is in `@@version_comment` (Catalog.versionComment).
 */
export const SERVER_VERSION = '5.7.99';

const str = (name: string): ResultColumn => ({ name, wire: MYSQL_TYPE.VAR_STRING });
const num = (name: string): ResultColumn => ({ name, wire: MYSQL_TYPE.LONGLONG });

export function execute(catalog: Catalog, session: Session, sql: string): SqlResult {
	const c = new Cursor(tokenize(sql), sql);
	if (c.done()) return { affectedRows: 0 };
	if (c.acceptKw('SET')) {
		if (c.acceptKw('SHOW_HIDDEN_COLUMNS')) {
			c.acceptOp('=');
			session.showHiddenColumns = /^(true|1)$/i.test(c.str());
		}
		return { affectedRows: 0 };
	}
	if (c.acceptKw('ADMIN', 'SET', 'FRONTEND', 'CONFIG')) {
		c.expectOp('(');
		const name = c.str();
		c.expectOp('=');
		const value = c.str();
		c.expectOp(')');
		if (name === 'enable_batch_delete_by_default') catalog.feConfig.enableBatchDeleteByDefault = /^true$/i.test(value);
		return { affectedRows: 0 };
	}
	if (c.acceptKw('USE')) {
		const db = c.ident();
		if (!catalog.getDb(db) && db.toLowerCase() !== 'information_schema') throw analysisError(`Unknown database '${db}'`, 1049);
		session.db = db;
		return { affectedRows: 0 };
	}
	if (c.acceptKw('SHOW')) return show(catalog, session, c);
	if (c.acceptKw('DESC') || c.acceptKw('DESCRIBE')) return describe(catalog, session, c);
	if (c.acceptKw('CREATE', 'DATABASE') || c.acceptKw('CREATE', 'SCHEMA')) {
		const ine = c.acceptKw('IF', 'NOT', 'EXISTS');
		const name = c.ident();
		if (catalog.getDb(name)) {
			if (ine) return { affectedRows: 0 };
			throw analysisError(`Can't create database '${name}'; database exists`, 1007);
		}
		catalog.createDb(name);
		return { affectedRows: 0 };
	}
	if (c.acceptKw('DROP', 'DATABASE') || c.acceptKw('DROP', 'SCHEMA')) {
		const ie = c.acceptKw('IF', 'EXISTS');
		const name = c.ident();
		if (!catalog.dbs.delete(name) && !ie) throw analysisError(`Can't drop database '${name}'; database doesn't exist`, 1008);
		if (session.db === name) session.db = undefined;
		return { affectedRows: 0 };
	}
	if (c.acceptKw('CREATE', 'TABLE')) {
		createTable(catalog, c, session.db);
		return { affectedRows: 0 };
	}
	if (c.acceptKw('ALTER', 'TABLE')) {
		alterTable(table(catalog, session, c.qualified(), 'ddl'), c);
		return { affectedRows: 0 };
	}
	if (c.acceptKw('TRUNCATE')) {
		c.acceptKw('TABLE');
		const t = table(catalog, session, c.qualified(), 'ddl');
		t.dupRows = [];
		t.keyed.clear();
		return { affectedRows: 0 };
	}
	if (c.acceptKw('DROP', 'TABLE')) {
		const ie = c.acceptKw('IF', 'EXISTS');
		const [d, n] = c.qualified();
		const db = catalog.getDb(d ?? session.db ?? '');
		if (!db?.tables.delete(n) && !ie) throw analysisError(`Unknown table '${n}'`, 1051);
		return { affectedRows: 0 };
	}
	if (c.acceptKw('INSERT', 'INTO')) return insert(catalog, session, c);
	if (c.acceptKw('SELECT')) return select(catalog, session, c);
	throw analysisError(`test server: unsupported statement: ${sql.slice(0, 80)}`);
}

function table(catalog: Catalog, session: Session, [d, n]: [string | undefined, string], kind: 'ddl' | 'query'): Table {
	const dbName = d ?? session.db;
	if (!dbName) throw analysisError('No database selected', 1046);
	const db = catalog.getDb(dbName);
	if (!db) throw analysisError(`Unknown database '${dbName}'`, 1049);
	const t = db.tables.get(n);
	// Nereids' BindRelation says "Table [t] does not exist in database [db]."; DESC / DDL use
	// ErrorCode.ERR_BAD_TABLE_ERROR (1051, "Unknown table '%s'").
	if (!t) throw kind === 'query' ? analysisError(`Table [${n}] does not exist in database [${dbName}].`) : analysisError(`Unknown table '${n}'`, 1051);
	return t;
}

function show(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	if (c.acceptKw('DATABASES') || c.acceptKw('SCHEMAS')) {
		const names = [...catalog.dbs.keys(), 'information_schema', 'mysql'].sort();
		return { columns: [str('Database')], rows: names.map((n) => [n]) };
	}
	const full = c.acceptKw('FULL');
	if (c.acceptKw('TABLES')) {
		let dbName = session.db;
		if (c.acceptKw('FROM') || c.acceptKw('IN')) dbName = c.ident();
		if (!dbName) throw analysisError('No database selected', 1046);
		const db = catalog.getDb(dbName);
		if (!db) throw analysisError(`Unknown database '${dbName}'`, 1049);
		let names = [...db.tables.keys()].sort();
		if (c.acceptKw('LIKE')) {
			const re = likeRe(c.str());
			names = names.filter((n) => re.test(n));
		}
		const col = `Tables_in_${dbName}`;
		return full ? { columns: [str(col), str('Table_type')], rows: names.map((n) => [n, 'BASE TABLE']) } : { columns: [str(col)], rows: names.map((n) => [n]) };
	}
	if (c.acceptKw('CREATE', 'TABLE')) {
		const t = table(catalog, session, c.qualified(), 'ddl');
		return { columns: [str('Table'), str('Create Table')], rows: [[t.name, showCreateTable(t)]] };
	}
	if (c.acceptKw('VARIABLES') || c.acceptKw('SESSION', 'VARIABLES') || c.acceptKw('GLOBAL', 'VARIABLES') || c.acceptKw('WARNINGS')) {
		return { columns: [str('Variable_name'), str('Value')], rows: [] };
	}
	throw analysisError('test server: unsupported SHOW statement');
}

function describe(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	const t = table(catalog, session, c.qualified(), 'ddl');
	const rows = t.columns.map((col) => [col.name, descTypeName(col.type, catalog.version), col.nullable ? 'Yes' : 'No', col.isKey ? 'true' : 'false', col.defaultValue ?? null, descExtra(t, col)]);
	// The hidden columns of a UNIQUE KEY table, as DESC lists them with show_hidden_columns (batch delete manual).
	if (session.showHiddenColumns === true && t.keysType === 'UNIQUE_KEYS') {
		const agg = isMergeOnWrite(t) ? 'NONE' : 'REPLACE';
		if (t.withoutDeleteSign !== true) rows.push([DELETE_SIGN, 'tinyint', 'No', 'false', '0', agg]);
		rows.push(['__DORIS_VERSION_COL__', 'bigint', 'No', 'false', '0', agg]);
	}
	return { columns: ['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'].map(str), rows };
}

function likeRe(p: string): RegExp {
	return new RegExp('^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 'i');
}

interface Item {
	kind: 'star' | 'col' | 'count' | 'lit';
	expr: string;
	alias: string;
	value?: unknown;
}

function readItems(c: Cursor, versionComment: string): Item[] {
	const items: Item[] = [];
	do {
		let it: Item;
		if (c.acceptOp('*')) it = { kind: 'star', expr: '*', alias: '*' };
		else if (c.isKw('COUNT') && c.isOp('(', 1)) {
			c.i += 2;
			let inner = '';
			while (!c.acceptOp(')')) {
				const t = c.peek();
				if (!t) throw c.syntax("expected ')'");
				inner += t.v;
				c.i++;
			}
			it = { kind: 'count', expr: `count(${inner || '*'})`, alias: `count(${inner || '*'})` };
		} else {
			const t = c.peek();
			if (!t) throw c.syntax('expected a select item');
			if (t.k === 'num' || t.k === 'str' || (t.k === 'op' && t.v === '-')) {
				const neg = c.acceptOp('-');
				const v = c.peek()!;
				c.i++;
				const val = v.k === 'num' ? Number((neg ? '-' : '') + v.v) : v.v;
				it = { kind: 'lit', expr: (neg ? '-' : '') + v.v, alias: (neg ? '-' : '') + v.v, value: val };
			} else if (t.k === 'id') {
				c.i++;
				let name = t.v;
				if (c.isOp('(')) {
					c.skipGroup();
					const fn = name.toLowerCase();
					const value = fn === 'version' ? SERVER_VERSION : fn === 'connection_id' ? 1 : fn === 'now' ? new Date().toISOString().slice(0, 19).replace('T', ' ') : null;
					it = { kind: 'lit', expr: `${name}()`, alias: `${name}()`, value: fn === 'database' || fn === 'schema' ? '\u0000db' : value };
				} else {
					while (c.acceptOp('.')) name = c.ident();
					if (name.startsWith('@@')) {
						const v = name.toLowerCase().replace(/^@@(session\.|global\.)?/, '');
						const value = v === 'version_comment' ? versionComment : v === 'version' ? SERVER_VERSION : v === 'max_allowed_packet' ? 16777216 : v === 'autocommit' ? 1 : v === 'time_zone' || v === 'system_time_zone' ? 'UTC' : v === 'tx_isolation' || v === 'transaction_isolation' ? 'REPEATABLE-READ' : '';
						it = { kind: 'lit', expr: name, alias: name, value };
					} else it = { kind: 'col', expr: name, alias: name };
				}
			} else throw c.syntax('expected a select item');
		}
		if (c.acceptKw('AS')) it.alias = c.ident();
		else if (c.peek()?.k === 'id' && !['FROM', 'WHERE', 'ORDER', 'LIMIT', 'GROUP'].some((k) => c.isKw(k))) it.alias = c.ident();
		items.push(it);
	} while (c.acceptOp(','));
	return items;
}

function readWhere(c: Cursor): Condition | undefined {
	if (!c.acceptKw('WHERE')) return undefined;
	const or: Cmp[][] = [[]];
	for (;;) {
		const col = c.qualified()[1];
		let op: Cmp['op'];
		if (c.acceptKw('IS')) {
			const not = c.acceptKw('NOT');
			c.expectKw('NULL');
			op = not ? '!=' : '=';
			or[or.length - 1].push({ col, op, value: null });
		} else {
			const t = c.peek();
			if (!t || t.k !== 'op') throw c.syntax('expected a comparison');
			c.i++;
			op = (t.v === '<>' ? '!=' : t.v) as Cmp['op'];
			const neg = c.acceptOp('-');
			const v = c.peek()!;
			c.i++;
			or[or.length - 1].push({ col, op, value: v.k === 'num' ? Number((neg ? '-' : '') + v.v) : v.v });
		}
		if (c.acceptKw('AND')) continue;
		if (c.acceptKw('OR')) {
			or.push([]);
			continue;
		}
		break;
	}
	return { or };
}

/** WHERE with IS NULL support on top of condition.ts (whose comparisons never match NULL). */
function matches(cond: Condition, get: (col: string) => unknown): boolean {
	return cond.or.some((all) =>
		all.every((cmp) => {
			if (cmp.value === null) return (get(cmp.col) === null || get(cmp.col) === undefined) === (cmp.op === '=');
			return evalCondition({ or: [[cmp]] }, get);
		}),
	);
}

function select(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	const items = readItems(c, catalog.versionComment);
	if (!c.acceptKw('FROM')) {
		if (c.acceptKw('LIMIT')) c.str();
		return { columns: items.map((it) => (typeof it.value === 'number' ? num(it.alias) : str(it.alias))), rows: [items.map((it) => (it.value === '\u0000db' ? session.db ?? null : it.value))] };
	}
	const [d, n] = c.qualified();
	let columns: ResultColumn[];
	let data: unknown[][];
	let types: (ColType | undefined)[];
	if ((d ?? session.db ?? '').toLowerCase() === 'information_schema') {
		const r = infoSchema(catalog, n.toLowerCase());
		columns = r.columns;
		data = r.rows;
		types = columns.map(() => undefined);
	} else {
		const t = table(catalog, session, [d, n], 'query');
		columns = t.columns.map((col) => ({ name: col.name, wire: mysqlWireType(col.type) }));
		types = t.columns.map((col) => col.type);
		data = visibleRows(t);
		if (items.length === 1 && items[0].kind === 'count' && c.done()) return { columns: [num(items[0].alias)], rows: [[rowCount(t)]] };
	}
	const idx = (name: string): number => {
		const i = columns.findIndex((col) => col.name.toLowerCase() === name.toLowerCase());
		if (i < 0) throw analysisError(`Unknown column '${name}' in 'table list'`, 1054);
		return i;
	};
	const where = readWhere(c);
	if (where) data = data.filter((row) => matches(where, (col) => row[idx(col)]));
	if (c.acceptKw('ORDER', 'BY')) {
		const keys: [number, number, ColType | undefined][] = [];
		do {
			const i = idx(c.qualified()[1]);
			const dir = c.acceptKw('DESC') ? -1 : (c.acceptKw('ASC'), 1);
			keys.push([i, dir, types[i]]);
		} while (c.acceptOp(','));
		data = [...data].sort((a, b) => {
			for (const [i, dir] of keys) {
				const r = cmp(a[i], b[i]);
				if (r !== 0) return r * dir;
			}
			return 0;
		});
	}
	if (c.acceptKw('LIMIT')) {
		let off = 0;
		let lim = Number(c.str());
		if (c.acceptOp(',')) {
			off = lim;
			lim = Number(c.str());
		} else if (c.acceptKw('OFFSET')) off = Number(c.str());
		data = data.slice(off, off + lim);
	}
	if (!c.done()) throw c.syntax('test server: unsupported clause');
	if (items.some((it) => it.kind === 'count')) {
		return { columns: items.map((it) => (it.kind === 'count' ? num(it.alias) : str(it.alias))), rows: [items.map((it) => (it.kind === 'count' ? data.length : it.value ?? null))] };
	}
	const outCols: ResultColumn[] = [];
	const pick: ((row: unknown[]) => unknown)[] = [];
	for (const it of items) {
		if (it.kind === 'star') {
			columns.forEach((col, i) => {
				outCols.push(col);
				pick.push((row) => row[i]);
			});
		} else if (it.kind === 'col') {
			const i = idx(it.expr);
			outCols.push({ name: it.alias, wire: columns[i].wire });
			pick.push((row) => row[i]);
		} else {
			outCols.push(typeof it.value === 'number' ? num(it.alias) : str(it.alias));
			pick.push(() => it.value);
		}
	}
	return { columns: outCols, rows: data.map((row) => pick.map((p) => p(row))) };
}

function cmp(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1; // NULLs first in ascending order, as Doris sorts
	if (b === null || b === undefined) return 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const na = Number(a);
	const nb = Number(b);
	if (!Number.isNaN(na) && !Number.isNaN(nb) && typeof a === 'string' && /^-?\d/.test(a) && !/^\d{4}-/.test(a)) return na - nb;
	return String(a) < String(b) ? -1 : 1;
}

const NUMERIC_PRECISION: Partial<Record<string, number>> = { BOOLEAN: 3, TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19, LARGEINT: 39, FLOAT: 7, DOUBLE: 15 };

/** information_schema.columns / .tables, with the column set of Doris' SchemaTable definitions. */
function infoSchema(catalog: Catalog, which: string): { columns: ResultColumn[]; rows: unknown[][] } {
	if (which === 'columns') {
		const names = ['TABLE_CATALOG', 'TABLE_SCHEMA', 'TABLE_NAME', 'COLUMN_NAME', 'ORDINAL_POSITION', 'COLUMN_DEFAULT', 'IS_NULLABLE', 'DATA_TYPE', 'CHARACTER_MAXIMUM_LENGTH', 'CHARACTER_OCTET_LENGTH', 'NUMERIC_PRECISION', 'NUMERIC_SCALE', 'DATETIME_PRECISION', 'CHARACTER_SET_NAME', 'COLLATION_NAME', 'COLUMN_TYPE', 'COLUMN_KEY', 'EXTRA', 'PRIVILEGES', 'COLUMN_COMMENT', 'COLUMN_SIZE', 'DECIMAL_DIGITS', 'GENERATION_EXPRESSION', 'SRS_ID'];
		const numeric = new Set(['ORDINAL_POSITION', 'CHARACTER_MAXIMUM_LENGTH', 'CHARACTER_OCTET_LENGTH', 'NUMERIC_PRECISION', 'NUMERIC_SCALE', 'DATETIME_PRECISION', 'COLUMN_SIZE', 'DECIMAL_DIGITS', 'SRS_ID']);
		const rows: unknown[][] = [];
		for (const db of catalog.dbs.values()) {
			for (const t of db.tables.values()) {
				t.columns.forEach((col, i) => {
					const ty = col.type;
					const charLen = ty.base === 'CHAR' || ty.base === 'VARCHAR' ? ty.len! : ty.base === 'STRING' ? 2147483643 : null;
					const precision = ty.base === 'DECIMAL' ? ty.precision! : (NUMERIC_PRECISION[ty.base] ?? null);
					const scale = ty.base === 'DECIMAL' ? ty.scale! : precision !== null && ty.base !== 'FLOAT' && ty.base !== 'DOUBLE' ? 0 : null;
					rows.push([
						'internal', db.name, t.name, col.name, i + 1, col.defaultValue ?? null, col.nullable ? 'YES' : 'NO',
						infoSchemaDataType(ty), charLen, charLen === null ? null : charLen * 4, precision, scale,
						ty.base === 'DATETIME' ? ty.scale ?? 0 : null, null, null, infoSchemaColumnType(ty),
						col.isKey ? (t.keysType === 'UNIQUE_KEYS' ? 'UNI' : t.keysType === 'AGG_KEYS' ? 'AGG' : 'DUP') : '',
						'', 'SELECT', col.comment, charLen ?? precision, scale, null, null,
					]);
				});
			}
		}
		return { columns: names.map((nm) => (numeric.has(nm) ? num(nm) : str(nm))), rows };
	}
	if (which === 'tables') {
		const names = ['TABLE_CATALOG', 'TABLE_SCHEMA', 'TABLE_NAME', 'TABLE_TYPE', 'ENGINE', 'TABLE_ROWS', 'TABLE_COMMENT'];
		const rows: unknown[][] = [];
		for (const db of catalog.dbs.values()) for (const t of db.tables.values()) rows.push(['internal', db.name, t.name, 'BASE TABLE', 'Doris', rowCount(t), t.comment]);
		return { columns: names.map((nm) => (nm === 'TABLE_ROWS' ? num(nm) : str(nm))), rows };
	}
	if (which === 'schemata') {
		return { columns: [str('CATALOG_NAME'), str('SCHEMA_NAME')], rows: [...catalog.dbs.keys()].map((d) => ['internal', d]) };
	}
	throw analysisError(`Table [${which}] does not exist in database [information_schema].`);
}

/** INSERT INTO t [(cols)] VALUES (...), ...: rows go through the load path with strict checks (enable_insert_strict). */
function insert(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	const t = table(catalog, session, c.qualified(), 'query');
	let cols = t.columns.map((col) => col.name);
	if (c.acceptOp('(')) {
		cols = [];
		while (!c.acceptOp(')')) {
			cols.push(c.ident());
			c.acceptOp(',');
		}
	}
	c.expectKw('VALUES');
	const objs: Record<string, unknown>[] = [];
	do {
		c.expectOp('(');
		const o: Record<string, unknown> = {};
		let i = 0;
		while (!c.acceptOp(')')) {
			const neg = c.acceptOp('-');
			const tok = c.peek();
			if (!tok) throw c.syntax('expected a value');
			c.i++;
			o[cols[i++]] = tok.k === 'id' && tok.v.toUpperCase() === 'NULL' ? null : tok.k === 'num' ? (neg ? '-' : '') + tok.v : tok.v;
			c.acceptOp(',');
		}
		objs.push(o);
	} while (c.acceptOp(','));
	try {
		const p = prepareLoad(t, { format: 'json', strip_outer_array: 'true', strict_mode: 'true', columns: cols.join(',') }, JSON.stringify(objs), catalog);
		if (p.filtered > 0) throw new SqlError('errCode = 2, detailMessage = Insert has filtered data in strict mode');
		p.apply();
		return { affectedRows: p.loaded };
	} catch (e) {
		if (e instanceof LoadError) throw new SqlError(`errCode = 2, detailMessage = Insert has filtered data in strict mode. ${e.message}`);
		throw e;
	}
}
