/** The information_schema tables the test server answers: columns, tables, schemata. */
import { infoSchemaColumnType, infoSchemaDataType } from './coltypes';
import { rowCount, type Catalog } from './catalog';
import { integerColumn, textColumn, type ResultColumn } from './sql-context';
import { analysisError } from './sql-lex';

const NUMERIC_PRECISION: Partial<Record<string, number>> = { BOOLEAN: 3, TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19, LARGEINT: 39, FLOAT: 7, DOUBLE: 15 };

/** information_schema.columns / .tables, with the column set of Doris' SchemaTable definitions. */
export function infoSchema(catalog: Catalog, which: string): { columns: ResultColumn[]; rows: unknown[][] } {
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
		return { columns: names.map((nm) => (numeric.has(nm) ? integerColumn(nm) : textColumn(nm))), rows };
	}
	if (which === 'tables') {
		const names = ['TABLE_CATALOG', 'TABLE_SCHEMA', 'TABLE_NAME', 'TABLE_TYPE', 'ENGINE', 'TABLE_ROWS', 'TABLE_COMMENT'];
		const rows: unknown[][] = [];
		for (const db of catalog.dbs.values()) for (const t of db.tables.values()) rows.push(['internal', db.name, t.name, 'BASE TABLE', 'Doris', rowCount(t), t.comment]);
		return { columns: names.map((nm) => (nm === 'TABLE_ROWS' ? integerColumn(nm) : textColumn(nm))), rows };
	}
	if (which === 'schemata') {
		return { columns: [textColumn('CATALOG_NAME'), textColumn('SCHEMA_NAME')], rows: [...catalog.dbs.keys()].map((d) => ['internal', d]) };
	}
	throw analysisError(`Table [${which}] does not exist in database [information_schema].`);
}
