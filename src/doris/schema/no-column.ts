/**
 * A record none of whose fields is a column (a heartbeat or control message on a CDC or log topic under
 * Unknown Fields Ignore, a record of another table, `{}`) mapped to the row `{}` and passed as valid.
 * Doris 2.1 / 3.0 / 3.1 filter a JSON row in which no key names a column: be/src/vec/exec/format/json/
 * new_json_reader.cpp `_simdjson_set_column_value` / `_set_column_value`, `if (!has_valid_value)` →
 * `_append_error_msg` ("All fields is null, this is a invalid row." in 2.1; "There is no column matching
 * jsonpaths in the json file, columns:[…]" later, regression-test/suites/load_p0/stream_load/
 * test_json_load.groovy) and num_rows_filtered++. So the row failed its shared load and came out of an
 * isolation round on the Stream Load node's Rejected (or only counted under Max Filter Ratio), where
 * the Schema node can say why on Invalid. Under CDC the row carries the delete sign, which Doris reads
 * as a column (hidden_columns), so there it would load as a row of NULLs and defaults instead.
 */
import type { Rejection } from './row-mapper-options';
import type { TableSchema } from './types';

const NAMES_SHOWN = 10;

/** Whether the row sets no column (before the delete sign is added). */
export function setsNoColumn(row: Record<string, unknown>): boolean {
	for (const key in row) if (Object.prototype.hasOwnProperty.call(row, key)) return false;
	return true;
}

/** Why a record with no field for any column of the table is refused (rule no_column). */
export function noColumnRejection(schema: TableSchema, record: Record<string, unknown>): Rejection {
	const names = Object.keys(record);
	const shown = names.length === 0 ? 'it has no fields' : `its fields: ${names.slice(0, NAMES_SHOWN).join(', ')}${names.length > NAMES_SHOWN ? `, … (${names.length})` : ''}`;
	return {
		column: null,
		value: null,
		expected: `a field for a column of ${schema.database}.${schema.table}`,
		rule: 'no_column',
		message: `no field of this record is a column of ${schema.database}.${schema.table} (${shown}): Doris refuses a row without one ("There is no column matching jsonpaths", its JSON reader); map the fields with Field Mapping, or route such records elsewhere`,
	};
}
