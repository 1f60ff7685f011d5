/**
 * What the statements of the test server's SQL share (sql.ts, sql-select.ts, info-schema.ts): the session,
 * the shape of an answer, and the table lookup with the error Doris gives for a missing one.
 */
import { MYSQL_TYPE } from './coltypes';
import type { Catalog, Table } from './catalog';
import { analysisError } from './sql-lex';

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

export const textColumn = (name: string): ResultColumn => ({ name, wire: MYSQL_TYPE.VAR_STRING });
export const integerColumn = (name: string): ResultColumn => ({ name, wire: MYSQL_TYPE.LONGLONG });

export function resolveTable(catalog: Catalog, session: Session, [d, n]: [string | undefined, string], kind: 'ddl' | 'query'): Table {
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
