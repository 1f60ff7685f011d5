/**
 * Validate on Start with a manual schema: each manual column's type must hold no value the real column
 * would store as another. The coercer checks rows against the manual types only, so a manual type wider
 * than the table's lets through values Doris then changes without a word: DECIMAL(10,4) over a
 * DECIMAL(10,2) column loads 1.2345 as 1.23 (string_to_decimal rounds, numbers.ts), DATETIME(6) over
 * DATETIME loses the fraction the same way (datetime.ts), DOUBLE over FLOAT stores 3.14159265 as
 * 3.1415927 (string_to_float). The same type, or a narrower one, is fine: every value the coercer
 * passes then fits the column unchanged.
 *
 * Nullability is not compared: a manual column left nullable over a NOT NULL one only lets a NULL reach
 * Doris, which refuses that row with its reason (it comes out on Rejected), nothing changes silently;
 * and manual lists leave "nullable" at its default over NOT NULL key columns.
 */
import { formatType, type ColumnSchema, type DorisType, type TableSchema } from './types';

const INTEGER_RANK = { TINYINT: 0, SMALLINT: 1, INT: 2, BIGINT: 3, LARGEINT: 4 } as const;

/** Why `manual` does not fit `actual` ('' when it does), as a rule the message ends with. */
function typeMismatch(manual: DorisType, actual: DorisType): string {
	if (formatType(manual) === formatType(actual)) return '';
	switch (manual.kind) {
		case 'integer':
			if (actual.kind !== 'integer') break;
			return INTEGER_RANK[manual.name] <= INTEGER_RANK[actual.name] ? '' : `a value past ${actual.name}'s range passes the manual type, and Doris refuses it or, with Strict Mode off, loads NULL`;
		case 'float':
			// FLOAT over DOUBLE is narrower: the coercer passes only values a single holds, which a DOUBLE keeps.
			if (actual.kind !== 'float') break;
			return manual.name === 'FLOAT' ? '' : 'Doris rounds a DOUBLE value to single precision without a word (3.14159265 is stored as 3.1415927)';
		case 'decimal': {
			if (actual.kind !== 'decimal') break;
			if (manual.scale > actual.scale) return `Doris rounds the digits past the table's scale ${actual.scale} half up without a word`;
			const manualDigits = manual.precision - manual.scale;
			const actualDigits = actual.precision - actual.scale;
			return manualDigits <= actualDigits ? '' : `a value of more than ${actualDigits} integer digit(s) passes the manual type, and Doris refuses it or, with Strict Mode off, loads NULL`;
		}
		case 'datetime':
			if (actual.kind !== 'datetime') break;
			return manual.precision <= actual.precision ? '' : `Doris rounds fractional seconds past ${actual.precision} digit(s) without a word`;
		case 'char':
		case 'varchar':
			if (actual.kind === 'string') return '';
			if (actual.kind !== manual.kind) break;
			return manual.length <= actual.length ? '' : `a value longer than ${actual.length} bytes passes the manual type, and Doris refuses it`;
		case 'array':
			if (actual.kind !== 'array') break;
			return typeMismatch(manual.element, actual.element);
		case 'map':
			if (actual.kind !== 'map') break;
			return typeMismatch(manual.key, actual.key) || typeMismatch(manual.value, actual.value);
		case 'struct': {
			if (actual.kind !== 'struct' || actual.fields.length !== manual.fields.length) break;
			for (let i = 0; i < manual.fields.length; i++) {
				if (manual.fields[i].name.toLowerCase() !== actual.fields[i].name.toLowerCase()) return 'the struct fields differ';
				const inner = typeMismatch(manual.fields[i].type, actual.fields[i].type);
				if (inner !== '') return inner;
			}
			return '';
		}
		default:
			// Same kind and no parameters (BOOLEAN, DATE, STRING, JSON, VARIANT, IPV4, IPV6) printed alike above.
			if (manual.kind === actual.kind && manual.kind !== 'opaque' && manual.kind !== 'unknown') return '';
			if ((manual.kind === 'opaque' || manual.kind === 'unknown') && actual.kind === manual.kind && manual.name.toUpperCase() === actual.name.toUpperCase()) return '';
	}
	return 'the coercer would check values against another type than the one Doris converts them to';
}

export interface ManualTypeProblem {
	column: string;
	manualType: string;
	tableType: string;
	rule: string;
}

/** The manual columns whose type does not fit the table's column of that name (missing columns are not checked here). */
export function manualTypeProblems(actual: TableSchema, manual: readonly ColumnSchema[]): ManualTypeProblem[] {
	const byName = new Map(actual.columns.map((c) => [c.name.toLowerCase(), c]));
	const problems: ManualTypeProblem[] = [];
	for (const column of manual) {
		const real = byName.get(column.name.toLowerCase());
		if (real === undefined) continue;
		const rule = typeMismatch(column.type, real.type);
		if (rule !== '') problems.push({ column: column.name, manualType: formatType(column.type), tableType: formatType(real.type), rule });
	}
	return problems;
}

/** `column "price": manual type DECIMAL(10,4), table type DECIMAL(10,2): <rule>; make the manual type DECIMAL(10,2)`. */
export function describeManualTypeProblem(problem: ManualTypeProblem): string {
	return `column "${problem.column}": manual type ${problem.manualType}, table type ${problem.tableType}: ${problem.rule}; make the manual type ${problem.tableType}`;
}
