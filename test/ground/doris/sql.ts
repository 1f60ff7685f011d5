/**
 * The SQL the test server answers (same engine for the MySQL port and DorisTestServer.sql()). Only what
 * tests and the schema reader need: SHOW DATABASES / TABLES / CREATE TABLE, DESC, information_schema
 * .columns / .tables (info-schema.ts), SELECT [cols | * | COUNT(*)] FROM t [WHERE] [ORDER BY] [LIMIT] and
 * SELECT literals (sql-select.ts), SET, USE, CREATE / DROP DATABASE, CREATE / ALTER / TRUNCATE / DROP
 * TABLE (ddl.ts, alter-table.ts), INSERT ... VALUES.
 */
import { alterTable } from './alter-table';
import { descTypeName } from './coltypes';
import { isMergeOnWrite, type Catalog } from './catalog';
import { createTable, descExtra, showCreateTable } from './ddl';
import { DELETE_SIGN, prepareLoad } from './load-exec';
import { LoadError } from './load-headers';
import { resolveTable, textColumn, type Session, type SqlResult } from './sql-context';
import { analysisError, Cursor, SqlError, tokenize } from './sql-lex';
import { select } from './sql-select';

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
		alterTable(resolveTable(catalog, session, c.qualified(), 'ddl'), c);
		return { affectedRows: 0 };
	}
	if (c.acceptKw('TRUNCATE')) {
		c.acceptKw('TABLE');
		const t = resolveTable(catalog, session, c.qualified(), 'ddl');
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

function show(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	if (c.acceptKw('DATABASES') || c.acceptKw('SCHEMAS')) {
		const names = [...catalog.dbs.keys(), 'information_schema', 'mysql'].sort();
		return { columns: [textColumn('Database')], rows: names.map((n) => [n]) };
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
		return full ? { columns: [textColumn(col), textColumn('Table_type')], rows: names.map((n) => [n, 'BASE TABLE']) } : { columns: [textColumn(col)], rows: names.map((n) => [n]) };
	}
	if (c.acceptKw('CREATE', 'TABLE')) {
		const t = resolveTable(catalog, session, c.qualified(), 'ddl');
		return { columns: [textColumn('Table'), textColumn('Create Table')], rows: [[t.name, showCreateTable(t)]] };
	}
	if (c.acceptKw('VARIABLES') || c.acceptKw('SESSION', 'VARIABLES') || c.acceptKw('GLOBAL', 'VARIABLES') || c.acceptKw('WARNINGS')) {
		return { columns: [textColumn('Variable_name'), textColumn('Value')], rows: [] };
	}
	throw analysisError('test server: unsupported SHOW statement');
}

function describe(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	const t = resolveTable(catalog, session, c.qualified(), 'ddl');
	const rows = t.columns.map((col) => [col.name, descTypeName(col.type, catalog.version), col.nullable ? 'Yes' : 'No', col.isKey ? 'true' : 'false', col.defaultValue ?? null, descExtra(t, col)]);
	// The hidden columns of a UNIQUE KEY table, as DESC lists them with show_hidden_columns (batch delete manual).
	if (session.showHiddenColumns === true && t.keysType === 'UNIQUE_KEYS') {
		const agg = isMergeOnWrite(t) ? 'NONE' : 'REPLACE';
		if (t.withoutDeleteSign !== true) rows.push([DELETE_SIGN, 'tinyint', 'No', 'false', '0', agg]);
		rows.push(['__DORIS_VERSION_COL__', 'bigint', 'No', 'false', '0', agg]);
	}
	return { columns: ['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'].map(textColumn), rows };
}

function likeRe(p: string): RegExp {
	return new RegExp('^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.') + '$', 'i');
}

/** INSERT INTO t [(cols)] VALUES (...), ...: rows go through the load path with strict checks (enable_insert_strict). */
function insert(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	const t = resolveTable(catalog, session, c.qualified(), 'query');
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
