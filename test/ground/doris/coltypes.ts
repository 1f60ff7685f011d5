/**
 * Doris column types: parsing DDL type text, rendering it the way Doris 3.x prints it (lower case, per
 * apache/doris PR #38012 / #40534 and the 3.0.1 release note; see shared/docs/doris-protocol-notes.md §8),
 * and the information_schema.columns spelling (be/src/exec/schema_scanner/schema_columns_scanner.cpp).
 */
import type { DorisVersion } from './types';

export type BaseType =
	| 'BOOLEAN'
	| 'TINYINT'
	| 'SMALLINT'
	| 'INT'
	| 'BIGINT'
	| 'LARGEINT'
	| 'FLOAT'
	| 'DOUBLE'
	| 'DECIMAL'
	| 'DATE'
	| 'DATETIME'
	| 'CHAR'
	| 'VARCHAR'
	| 'STRING'
	| 'JSON'
	| 'ARRAY'
	| 'MAP'
	| 'STRUCT'
	| 'VARIANT'
	| 'IPV4'
	| 'IPV6'
	| 'HLL'
	| 'BITMAP'
	| 'QUANTILE_STATE';

export interface ColType {
	base: BaseType;
	/** CHAR/VARCHAR byte length. */
	len?: number;
	/** DECIMAL precision / scale; DATETIME uses scale for its fractional digits. */
	precision?: number;
	scale?: number;
	item?: ColType;
	/** ARRAY<NOT_NULL(T)>: the elements cannot be null (fe-common catalog/ArrayType.java `containsNull`). */
	itemNotNull?: boolean;
	key?: ColType;
	value?: ColType;
	fields?: { name: string; type: ColType }[];
}

const ALIASES: Record<string, BaseType> = {
	BOOL: 'BOOLEAN',
	BOOLEAN: 'BOOLEAN',
	TINYINT: 'TINYINT',
	SMALLINT: 'SMALLINT',
	INT: 'INT',
	INTEGER: 'INT',
	BIGINT: 'BIGINT',
	LARGEINT: 'LARGEINT',
	FLOAT: 'FLOAT',
	DOUBLE: 'DOUBLE',
	DECIMAL: 'DECIMAL',
	DECIMALV2: 'DECIMAL',
	DECIMALV3: 'DECIMAL',
	DATE: 'DATE',
	DATEV2: 'DATE',
	DATETIME: 'DATETIME',
	DATETIMEV2: 'DATETIME',
	CHAR: 'CHAR',
	VARCHAR: 'VARCHAR',
	STRING: 'STRING',
	TEXT: 'STRING',
	JSON: 'JSON',
	JSONB: 'JSON',
	ARRAY: 'ARRAY',
	MAP: 'MAP',
	STRUCT: 'STRUCT',
	VARIANT: 'VARIANT',
	IPV4: 'IPV4',
	IPV6: 'IPV6',
	HLL: 'HLL',
	BITMAP: 'BITMAP',
	QUANTILE_STATE: 'QUANTILE_STATE',
};

/** Parses one type from `text` at `pos`; returns the type and the position after it. */
export function parseTypeAt(text: string, pos: number): { type: ColType; end: number } {
	let i = skipWs(text, pos);
	const start = i;
	while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
	const word = text.slice(start, i).toUpperCase();
	const base = ALIASES[word];
	if (!base) throw new Error(`Unknown type '${text.slice(start, i) || text.slice(start, start + 10)}'`);
	const type: ColType = { base };
	i = skipWs(text, i);
	if (text[i] === '(') {
		const close = text.indexOf(')', i);
		if (close < 0) throw new Error(`Unclosed '(' in type ${word}`);
		const args = text
			.slice(i + 1, close)
			.split(',')
			.map((s) => Number(s.trim()));
		if (args.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`Bad arguments for type ${word}`);
		i = close + 1;
		if (base === 'CHAR' || base === 'VARCHAR') type.len = args[0];
		else if (base === 'DECIMAL') {
			type.precision = args[0];
			type.scale = args[1] ?? 0;
		} else if (base === 'DATETIME') type.scale = args[0];
		// Integer display widths like INT(11) are accepted and ignored, as in MySQL-style DDL.
	} else if (text[i] === '<') {
		i++;
		if (base === 'ARRAY') {
			// `NOT_NULL(T)`: how ArrayType.toSql prints elements that cannot be null (and DDL takes it back).
			const notNull = /^\s*NOT_NULL\s*\(/i.exec(text.slice(i));
			const r = parseTypeAt(text, notNull ? i + notNull[0].length : i);
			type.item = r.type;
			i = r.end;
			if (notNull) {
				i = skipWs(text, i);
				if (text[i] !== ')') throw new Error('NOT_NULL( needs its closing )');
				i++;
				type.itemNotNull = true;
			}
		} else if (base === 'MAP') {
			const k = parseTypeAt(text, i);
			i = skipWs(text, k.end);
			if (text[i] !== ',') throw new Error('MAP needs <key, value>');
			const v = parseTypeAt(text, i + 1);
			type.key = k.type;
			type.value = v.type;
			i = v.end;
		} else if (base === 'STRUCT') {
			type.fields = [];
			for (;;) {
				i = skipWs(text, i);
				const fs = i;
				while (i < text.length && /[A-Za-z0-9_`]/.test(text[i])) i++;
				const name = text.slice(fs, i).replace(/`/g, '');
				i = skipWs(text, i);
				if (text[i] !== ':') throw new Error(`STRUCT field ${name} needs name:type`);
				const f = parseTypeAt(text, i + 1);
				type.fields.push({ name, type: f.type });
				i = skipWs(text, f.end);
				if (text[i] === ',') {
					i++;
					continue;
				}
				break;
			}
		} else throw new Error(`Type ${word} takes no <...>`);
		i = skipWs(text, i);
		if (text[i] !== '>') throw new Error(`Expected '>' in type ${word}`);
		i++;
	}
	if ((base === 'ARRAY' && !type.item) || (base === 'MAP' && !type.key) || (base === 'STRUCT' && !type.fields)) {
		throw new Error(`Type ${word} needs its element types`);
	}
	// Doris defaults: VARCHAR without length is VARCHAR(65533) (docs: max 65533 bytes), CHAR is CHAR(1),
	// DECIMAL without arguments is DECIMALV3(9, 0) (docs' data-type page; 10,0 in MySQL — Doris uses 9).
	if (base === 'VARCHAR' && type.len === undefined) type.len = 65533;
	if (base === 'CHAR' && type.len === undefined) type.len = 1;
	if (base === 'DECIMAL' && type.precision === undefined) {
		type.precision = 9;
		type.scale = 0;
	}
	if (base === 'DATETIME' && type.scale === undefined) type.scale = 0;
	if (base === 'DECIMAL' && (type.precision! < 1 || type.precision! > 38 || type.scale! > type.precision!)) {
		throw new Error(`Invalid decimal type decimal(${type.precision}, ${type.scale})`);
	}
	if (base === 'DATETIME' && type.scale! > 6) throw new Error(`Scale of Datetime/Time must between 0 and 6. Scale was set to: ${type.scale}`);
	if (base === 'VARCHAR' && (type.len! < 1 || type.len! > 65533)) throw new Error(`VARCHAR size must be between 1 and 65533`);
	if (base === 'CHAR' && (type.len! < 1 || type.len! > 255)) throw new Error(`Char size must be between 1 and 255`);
	return { type, end: i };
}

export function parseType(text: string): ColType {
	const r = parseTypeAt(text, 0);
	if (skipWs(text, r.end) !== text.length) throw new Error(`Unexpected text after type: ${text.slice(r.end)}`);
	return r.type;
}

function skipWs(s: string, i: number): number {
	while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
	return i;
}

/** Doris 3.x DESC / SHOW CREATE TABLE spelling: `int`, `decimal(10,2)`, `datetime(3)`, `text`, `array<int>`. */
export function typeName(t: ColType): string {
	switch (t.base) {
		case 'BOOLEAN':
			return 'boolean';
		case 'DECIMAL':
			return `decimal(${t.precision},${t.scale})`;
		case 'DATETIME':
			return t.scale ? `datetime(${t.scale})` : 'datetime';
		case 'CHAR':
			return `char(${t.len})`;
		case 'VARCHAR':
			return `varchar(${t.len})`;
		case 'STRING':
			return 'text';
		case 'ARRAY':
			return t.itemNotNull ? `array<not_null(${typeName(t.item!)})>` : `array<${typeName(t.item!)}>`;
		case 'MAP':
			return `map<${typeName(t.key!)},${typeName(t.value!)}>`;
		case 'STRUCT':
			return `struct<${t.fields!.map((f) => `${f.name}:${typeName(f.type)}`).join(',')}>`;
		default:
			return t.base.toLowerCase();
	}
}

/**
 * What DESC prints per Doris release line. 3.0 / 3.1: `Type.hideVersionForVersionColumn` (lower case,
 * versions hidden also inside nested types, `decimal(p,s)` always with both numbers). 2.1: the older
 * IndexSchemaProcNode (apache/doris PR #21782, 2023-07; read in a version that already has
 * AUTO_INCREMENT in Extra but not STORED GENERATED; the versions with STORED GENERATED call
 * hideVersionForVersionColumn instead, so which 2.1 patch releases print what is unconfirmed; the
 * reader resolves a bare DECIMAL either way): the upper-case type name, where a top-level DATEV2 prints `DATE`, DATETIMEV2
 * `DATETIME[(s)]` and DECIMALV3 `DECIMAL(p, s)` only when scale > 0 and precision ≠ 9, otherwise a
 * bare `DECIMAL`; nested types keep the internal spellings (`ARRAY<DATETIMEV2(3)>`, `DECIMALV3(9, 2)`).
 */
export function descTypeName(t: ColType, version: DorisVersion): string {
	if (version !== '2.1') return typeName(t);
	switch (t.base) {
		case 'DATE':
			return 'DATE';
		case 'DATETIME':
			return t.scale ? `DATETIME(${t.scale})` : 'DATETIME';
		case 'DECIMAL':
			return t.scale! > 0 && t.precision !== 9 ? `DECIMAL(${t.precision}, ${t.scale})` : 'DECIMAL';
		default:
			return internalTypeName(t);
	}
}

/** `Type.toString()` of the 2.x FE: upper case, V2 / V3 spellings kept. */
function internalTypeName(t: ColType): string {
	switch (t.base) {
		case 'DATE':
			return 'DATEV2';
		case 'DATETIME':
			return `DATETIMEV2(${t.scale ?? 0})`;
		case 'DECIMAL':
			return `DECIMALV3(${t.precision}, ${t.scale})`;
		case 'CHAR':
			return `CHAR(${t.len})`;
		case 'VARCHAR':
			return `VARCHAR(${t.len})`;
		case 'STRING':
			return 'TEXT';
		case 'ARRAY':
			return t.itemNotNull ? `ARRAY<NOT_NULL(${internalTypeName(t.item!)})>` : `ARRAY<${internalTypeName(t.item!)}>`;
		case 'MAP':
			return `MAP<${internalTypeName(t.key!)},${internalTypeName(t.value!)}>`;
		case 'STRUCT':
			return `STRUCT<${t.fields!.map((f) => `${f.name}:${internalTypeName(f.type)}`).join(',')}>`;
		default:
			return t.base;
	}
}

/** information_schema.columns DATA_TYPE (be/src/exec/schema_scanner/schema_columns_scanner.cpp). */
export function infoSchemaDataType(t: ColType): string {
	switch (t.base) {
		case 'BOOLEAN':
			return 'tinyint';
		case 'LARGEINT':
			return 'bigint unsigned';
		case 'STRING':
			return 'varchar';
		case 'VARIANT':
		case 'IPV4':
		case 'IPV6':
			return 'unknown';
		default:
			return t.base.toLowerCase();
	}
}

/** information_schema.columns COLUMN_TYPE (same source). */
export function infoSchemaColumnType(t: ColType): string {
	switch (t.base) {
		case 'BOOLEAN':
			return 'tinyint(1)';
		case 'TINYINT':
			return 'tinyint(4)';
		case 'SMALLINT':
			return 'smallint(6)';
		case 'INT':
			return 'int(11)';
		case 'BIGINT':
			return 'bigint(20)';
		case 'LARGEINT':
			return 'largeint';
		case 'STRING':
			return 'string';
		case 'DECIMAL':
			return `decimalv3(${t.precision}, ${t.scale})`;
		case 'VARIANT':
		case 'IPV4':
		case 'IPV6':
			return 'unknown';
		default:
			return typeName(t);
	}
}

/** MySQL wire column type codes used in result-set metadata (text protocol). */
export const MYSQL_TYPE = {
	TINY: 1,
	SHORT: 2,
	LONG: 3,
	FLOAT: 4,
	DOUBLE: 5,
	LONGLONG: 8,
	DATE: 10,
	DATETIME: 12,
	NEWDECIMAL: 246,
	VAR_STRING: 253,
	STRING: 254,
	JSON: 245,
} as const;

/**
 * The wire type Doris announces per column type (fe/.../catalog/PrimitiveType toMysqlType, from memory:
 * LARGEINT goes as a string, complex types as strings; UNCONFIRMED in detail).
 */
export function mysqlWireType(t: ColType): number {
	switch (t.base) {
		case 'BOOLEAN':
		case 'TINYINT':
			return MYSQL_TYPE.TINY;
		case 'SMALLINT':
			return MYSQL_TYPE.SHORT;
		case 'INT':
			return MYSQL_TYPE.LONG;
		case 'BIGINT':
			return MYSQL_TYPE.LONGLONG;
		case 'FLOAT':
			return MYSQL_TYPE.FLOAT;
		case 'DOUBLE':
			return MYSQL_TYPE.DOUBLE;
		case 'DECIMAL':
			return MYSQL_TYPE.NEWDECIMAL;
		case 'DATE':
			return MYSQL_TYPE.DATE;
		case 'DATETIME':
			return MYSQL_TYPE.DATETIME;
		default:
			return MYSQL_TYPE.VAR_STRING;
	}
}
