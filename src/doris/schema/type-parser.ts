/**
 * Parses Doris type strings as Doris prints them, nested ones included. Accepted spellings:
 * - upper case (Doris ≤ 2.1.x: `DECIMAL(10, 5)`, `DATETIME(3)`, `ARRAY<DATETIMEV2(3)>`, `TEXT`) and lower
 *   case (since apache/doris PR #38012 / #40534 and Doris 3.0.1: `decimal(10,5)`, `array<datetime(3)>`,
 *   `text`);
 * - internal names shown by `DESC ... ALL` and information_schema COLUMN_TYPE (`DECIMALV3(10, 1)`,
 *   `DATEV2`, `DATETIMEV2(3)`, `DECIMAL64(18, 2)`, `int(11)` display widths, `bigint unsigned` = LARGEINT);
 * - array elements that cannot be null, `ARRAY<NOT_NULL(INT)>` (fe-common catalog/ArrayType.java toSql);
 * - struct fields `name:TYPE`, optionally back-quoted and with `COMMENT '...'`, and `NULL`/`NOT NULL`
 *   after nested types.
 * Unknown names fail with a message naming the type string and the position.
 */
import type { DorisType, IntegerTypeName, StructField } from './types';

/**
 * Doris' VARCHAR without a length (2.1+) is the maximum, 65533 bytes (fe-core nereids ColumnDefinition:
 * `VarcharType.MAX_VARCHAR_LENGTH`; a CHAR without one is CHAR(1)).
 */
export const VARCHAR_MAX_LENGTH = 65533;
/**
 * A DECIMAL printed without (p, s) says nothing about its scale: Doris 2.0's DESC (and 2.1 releases
 * with the same IndexSchemaProcNode, apache/doris PR #21782) prints a DECIMALV3 column as a bare
 * `DECIMAL` whenever its scale is 0 or its precision is 9, so DECIMAL(18,0) and DECIMAL(9,2) look
 * alike. Guessing a scale would round 12.34 to 12 on one of them, so a bare DECIMAL is `unknown`
 * (values pass unchanged; Doris judges them) until the reader asks information_schema.columns.
 */
const BARE_DECIMAL = /^\s*(DECIMAL|DECIMALV3|NUMERIC)\s*$/i;

/** True for a top-level DECIMAL without precision and scale (see BARE_DECIMAL). */
export function isBareDecimal(typeText: string): boolean {
	return BARE_DECIMAL.test(typeText);
}

type Token =
	| { t: 'word'; v: string; pos: number }
	| { t: 'num'; v: number; pos: number }
	| { t: 'str'; v: string; pos: number }
	| { t: 'p'; v: string; pos: number };

export class DorisTypeParseError extends Error {
	constructor(
		readonly typeText: string,
		detail: string,
	) {
		super(`Doris type "${typeText}": ${detail}`);
		this.name = 'DorisTypeParseError';
	}
}

function tokenize(text: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
			i++;
		} else if (c === '<' || c === '>' || c === '(' || c === ')' || c === ',' || c === ':' || c === '*' || c === '=') {
			// '=' only inside VARIANT<…, PROPERTIES ("variant_max_subcolumns_count" = "10")> (fe-common
			// catalog/VariantType.java toSql, 3.1+), which skipAngle passes over; nothing else takes it.
			tokens.push({ t: 'p', v: c, pos: i });
			i++;
		} else if (c === '`') {
			const end = text.indexOf('`', i + 1);
			if (end < 0) throw new DorisTypeParseError(text, `unterminated back quote at ${i}`);
			tokens.push({ t: 'word', v: text.slice(i + 1, end), pos: i });
			i = end + 1;
		} else if (c === "'" || c === '"') {
			let j = i + 1;
			let v = '';
			while (j < text.length && text[j] !== c) {
				if (text[j] === '\\' && j + 1 < text.length) j++;
				v += text[j];
				j++;
			}
			if (j >= text.length) throw new DorisTypeParseError(text, `unterminated quote at ${i}`);
			tokens.push({ t: 'str', v, pos: i });
			i = j + 1;
		} else if (c >= '0' && c <= '9') {
			let j = i;
			while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
			tokens.push({ t: 'num', v: Number(text.slice(i, j)), pos: i });
			i = j;
		} else if (/[A-Za-z_]/.test(c)) {
			let j = i;
			while (j < text.length && /[A-Za-z0-9_$.]/.test(text[j])) j++;
			tokens.push({ t: 'word', v: text.slice(i, j), pos: i });
			i = j;
		} else {
			throw new DorisTypeParseError(text, `unexpected "${c}" at ${i}`);
		}
	}
	return tokens;
}

class Parser {
	private i = 0;
	constructor(
		private readonly text: string,
		private readonly tokens: Token[],
		/** Refuse a bare DECIMAL / NUMERIC / DECIMALV3 / DECIMAL32… (a type typed by hand, see parseManualDorisType) instead of reading it as `unknown`. */
		private readonly refuseBareDecimal = false,
	) {}

	fail(detail: string): never {
		const tok = this.tokens[this.i];
		throw new DorisTypeParseError(this.text, tok ? `${detail} at ${tok.pos}` : `${detail} at the end`);
	}

	peekP(v: string): boolean {
		const tok = this.tokens[this.i];
		return tok !== undefined && tok.t === 'p' && tok.v === v;
	}

	peekWord(v: string): boolean {
		const tok = this.tokens[this.i];
		return tok !== undefined && tok.t === 'word' && tok.v.toUpperCase() === v;
	}

	expectP(v: string): void {
		if (!this.peekP(v)) this.fail(`expected "${v}"`);
		this.i++;
	}

	word(): string {
		const tok = this.tokens[this.i];
		if (tok === undefined || tok.t !== 'word') this.fail('expected a type name');
		this.i++;
		return tok.v;
	}

	atEnd(): boolean {
		return this.i >= this.tokens.length;
	}

	/** `(n)` / `(n, m)` / `(*)`; returns [] when absent; `*` is reported as -1. */
	params(): number[] {
		if (!this.peekP('(')) return [];
		this.i++;
		const out: number[] = [];
		for (;;) {
			const tok = this.tokens[this.i];
			if (tok?.t === 'num') out.push(tok.v);
			else if (tok?.t === 'p' && tok.v === '*') out.push(-1);
			else this.fail('expected a number');
			this.i++;
			if (this.peekP(',')) {
				this.i++;
				continue;
			}
			this.expectP(')');
			return out;
		}
	}

	/** Skips a balanced `<...>` (VARIANT<...> / AGG_STATE<...> carry nothing we check). */
	skipAngle(): void {
		if (!this.peekP('<')) return;
		let depth = 0;
		do {
			const tok = this.tokens[this.i];
			if (tok === undefined) this.fail('unbalanced "<"');
			if (tok.t === 'p' && tok.v === '<') depth++;
			if (tok.t === 'p' && tok.v === '>') depth--;
			this.i++;
		} while (depth > 0);
	}

	/** Nested types may be followed by NULL / NOT NULL (older DESC output); they add nothing here. */
	skipNullability(): void {
		if (this.peekWord('NOT')) this.i++;
		if (this.peekWord('NULL')) this.i++;
	}

	type(): DorisType {
		const raw = this.word();
		const name = raw.toUpperCase();
		switch (name) {
			case 'BOOLEAN':
			case 'BOOL':
				this.params();
				return { kind: 'boolean' };
			case 'TINYINT':
			case 'SMALLINT':
			case 'INT':
			case 'INTEGER':
			case 'BIGINT':
			case 'LARGEINT': {
				this.params(); // display width, e.g. int(11) from information_schema
				let intName: IntegerTypeName = name === 'INTEGER' ? 'INT' : (name as IntegerTypeName);
				if (this.peekWord('UNSIGNED')) {
					this.i++;
					// information_schema reports LARGEINT as `bigint unsigned` (be/src/exec/schema_scanner/schema_columns_scanner.cpp).
					if (intName === 'BIGINT') intName = 'LARGEINT';
				}
				return { kind: 'integer', name: intName };
			}
			case 'FLOAT':
			case 'DOUBLE':
				this.params();
				return { kind: 'float', name };
			case 'DECIMAL':
			case 'DECIMALV2':
			case 'DECIMALV3':
			case 'DECIMAL32':
			case 'DECIMAL64':
			case 'DECIMAL128':
			case 'DECIMAL128I':
			case 'DECIMAL256':
			case 'NUMERIC': {
				const p = this.params();
				// A bare DECIMALV2 is (27, 9) (be/src/exec/schema_scanner/schema_columns_scanner.cpp prints it so).
				if (p.length === 0) {
					if (name === 'DECIMALV2') return { kind: 'decimal', precision: 27, scale: 9 };
					if (this.refuseBareDecimal) this.fail(`${raw} without (precision, scale) means DECIMAL(9,0) or DECIMAL(38,9) depending on the Doris that created the table: write the type DESC shows, e.g. DECIMAL(10,2)`);
					return { kind: 'unknown', name: raw };
				}
				const precision = p[0];
				const scale = p[1] ?? 0;
				if (precision < 1 || precision > 76 || scale < 0 || scale > precision) {
					this.fail(`DECIMAL(${precision},${scale}) is out of range`);
				}
				return { kind: 'decimal', precision, scale };
			}
			case 'DATE':
			case 'DATEV1':
			case 'DATEV2':
				return { kind: 'date' };
			case 'DATETIME':
			case 'DATETIMEV1':
			case 'DATETIMEV2':
			case 'TIMESTAMP': {
				const p = this.params();
				const precision = p[0] ?? 0;
				if (precision < 0 || precision > 6) this.fail(`DATETIME precision ${precision} is not 0..6`);
				return { kind: 'datetime', precision };
			}
			case 'CHAR':
			case 'CHARACTER': {
				const p = this.params();
				return { kind: 'char', length: p[0] === undefined || p[0] < 0 ? 1 : p[0] };
			}
			case 'VARCHAR': {
				const p = this.params();
				return { kind: 'varchar', length: p[0] === undefined || p[0] < 0 ? VARCHAR_MAX_LENGTH : p[0] };
			}
			case 'STRING':
			case 'TEXT':
				this.params();
				return { kind: 'string' };
			case 'JSON':
			case 'JSONB':
				return { kind: 'json' };
			case 'VARIANT':
				this.skipAngle();
				return { kind: 'variant' };
			case 'IPV4':
				return { kind: 'ipv4' };
			case 'IPV6':
				return { kind: 'ipv6' };
			case 'HLL':
			case 'BITMAP':
			case 'QUANTILE_STATE':
			case 'AGG_STATE':
				this.params();
				this.skipAngle();
				return { kind: 'opaque', name };
			case 'ARRAY': {
				this.expectP('<');
				// `NOT_NULL(T)`: elements that cannot be null (fe-common catalog/ArrayType.java toSql).
				const notNull = this.peekWord('NOT_NULL');
				if (notNull) {
					this.i++;
					this.expectP('(');
				}
				const element = this.type();
				this.skipNullability();
				if (notNull) this.expectP(')');
				this.expectP('>');
				return notNull ? { kind: 'array', element, elementNotNull: true } : { kind: 'array', element };
			}
			case 'MAP': {
				this.expectP('<');
				const key = this.type();
				this.skipNullability();
				this.expectP(',');
				const value = this.type();
				this.skipNullability();
				this.expectP('>');
				return { kind: 'map', key, value };
			}
			case 'STRUCT': {
				this.expectP('<');
				const fields: StructField[] = [];
				for (;;) {
					const fieldName = this.word();
					this.expectP(':');
					const fieldType = this.type();
					this.skipNullability();
					if (this.peekWord('COMMENT')) {
						this.i++;
						const tok = this.tokens[this.i];
						if (tok?.t !== 'str') this.fail('expected a comment string');
						this.i++;
					}
					fields.push({ name: fieldName, type: fieldType });
					if (this.peekP(',')) {
						this.i++;
						continue;
					}
					this.expectP('>');
					return { kind: 'struct', fields };
				}
			}
			default:
				this.i--;
				return this.fail(`unknown type name "${raw}"`);
		}
	}
}

/** Parses one Doris type string; throws DorisTypeParseError naming the string and the position. */
export function parseDorisType(text: string): DorisType {
	return parse(text, false);
}

/**
 * A type typed by hand (manual mode): as parseDorisType, but a bare DECIMAL / NUMERIC / DECIMALV3 (also
 * as an ARRAY / MAP / STRUCT element) is refused, naming the fix. Auto mode settles a bare DECIMAL from
 * information_schema (reader.ts); by hand nothing did, so it was `unknown` and every value passed
 * unchecked: 12.5 loaded 13 into what Doris made a DECIMAL(9,0), Strict Mode on, nothing said. Its
 * meaning cannot be assumed either, since Doris' own sources give two: the legacy planner's
 * DECIMAL(9,0) (fe catalog/ScalarType.java DEFAULT_PRECISION = 9, DEFAULT_SCALE = 0) and Nereids'
 * DECIMALV3(38,9) (nereids/types/DataType.java convertPrimitiveFromStrings under
 * enable_decimal_conversion, since apache/doris#36316, picked to 2.1 as #36540; 3.0 / 3.1). Validate on
 * Start already refused the bare type against the table's (manual-types.ts).
 */
export function parseManualDorisType(text: string): DorisType {
	return parse(text, true);
}

function parse(text: string, refuseBareDecimal: boolean): DorisType {
	const trimmed = text.trim();
	if (trimmed === '') throw new DorisTypeParseError(text, 'empty type');
	const parser = new Parser(trimmed, tokenize(trimmed), refuseBareDecimal);
	const type = parser.type();
	parser.skipNullability();
	if (!parser.atEnd()) parser.fail('unexpected text after the type');
	return type;
}

/**
 * For types read from Doris itself (auto mode): a type this parser does not know yet becomes
 * `unknown` (values pass through) instead of failing the whole schema on a newer Doris.
 */
export function parseDorisTypeLenient(text: string): DorisType {
	try {
		return parseDorisType(text);
	} catch (error) {
		if (error instanceof DorisTypeParseError) return { kind: 'unknown', name: text.trim() };
		throw error;
	}
}
