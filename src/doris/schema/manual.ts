/**
 * Manual mode: the table's columns typed in by hand, for when Doris'
 * MySQL port is not reachable. Types use the same parser as auto mode, strictly: a typo fails here,
 * naming the column, rather than letting every row through unchecked.
 */
import { parseManualDorisType } from './type-parser';
import type { ColumnSchema, TableSchema } from './types';

export interface ManualColumn {
	name: string;
	/** A Doris type string: `BIGINT`, `DECIMAL(10,2)`, `ARRAY<VARCHAR(20)>`... */
	type: string;
	/** Default true (Doris' default for value columns). */
	nullable?: boolean;
	/** The column has a DEFAULT in Doris: a missing value is fine even when NOT NULL. */
	hasDefault?: boolean;
}

export function manualSchema(database: string, table: string, columns: ManualColumn[]): TableSchema {
	if (columns.length === 0) throw new Error(`Manual schema for ${database}.${table}: the column list is empty`);
	const seen = new Set<string>();
	const out: ColumnSchema[] = columns.map((c, i) => {
		const name = c.name.trim();
		if (name === '') throw new Error(`Manual schema, column ${i + 1}: the name is empty`);
		if (seen.has(name.toLowerCase())) throw new Error(`Manual schema: column "${name}" is listed twice`);
		seen.add(name.toLowerCase());
		let type;
		try {
			type = parseManualDorisType(c.type);
		} catch (error) {
			throw new Error(`Manual schema, column "${name}": ${(error as Error).message}`);
		}
		return {
			name,
			type,
			typeText: c.type.trim(),
			nullable: c.nullable ?? true,
			hasDefault: c.hasDefault ?? false,
			defaultValue: null,
			isKey: false,
			aggregation: '',
			autoIncrement: false,
		};
	});
	return {
		database,
		table,
		columns: out,
		keyModel: null,
		keyColumns: [],
		sequenceColumn: null,
		hasSequenceType: false,
		source: 'manual',
		readAt: Date.now(),
	};
}
