import type { INodeParameters, NodeParameterValueType, NodeTypeAndVersion } from 'n8n-workflow';

import type { PartialUpdateTarget } from '../../src/doris/schema/partial-update';
import { columnNames, splitColumns } from '../../src/doris/stream-load/columns';
import type { ColumnToCheck, TableToCheck } from '../../src/doris/schema/table-check';
import { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../src/common/lossy-settings';

export { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE };

export interface DownstreamTables {
	tables: TableToCheck[];
	/** Why a node or a value was not checked (expressions, disabled nodes), for the log. */
	skipped: string[];
}

/** A parameter as stored: plain, an expression ("=…"), or a resource locator ({__rl, value}). */
function stored(value: NodeParameterValueType | undefined): string {
	if (value !== null && typeof value === 'object' && !Array.isArray(value) && '__rl' in value) return stored((value as INodeParameters).value);
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

const isExpression = (value: string) => value.startsWith('=');

function record(value: NodeParameterValueType | undefined): INodeParameters {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as INodeParameters) : {};
}

function rows(value: NodeParameterValueType | undefined): INodeParameters[] {
	return Array.isArray(value) ? value.filter((v): v is INodeParameters => v !== null && typeof v === 'object' && !Array.isArray(v)) : [];
}

/**
 * The tables and columns of the Doris nodes among `children` (the nodes downstream of the trigger,
 * with their parameters, defaults filled in by n8n). Values that are n8n expressions are skipped:
 * they need an item to resolve, and none exists at activation.
 */
export function collectDownstreamTables(children: NodeTypeAndVersion[]): DownstreamTables {
	const tables: TableToCheck[] = [];
	const skipped: string[] = [];
	for (const child of children) {
		const isSchema = child.type === SCHEMA_NODE_TYPE;
		if (!isSchema && child.type !== STREAM_LOAD_NODE_TYPE) continue;
		const label = `${isSchema ? 'Doris Schema' : 'Doris Stream Load'} node "${child.name}"`;
		if (child.disabled) {
			skipped.push(`${label} is disabled`);
			continue;
		}
		const p = child.parameters ?? {};
		const options = record(p.options);
		// Tables named by each message (Map Rows to Tables, Stream Load's Each Row's Table) are known only then.
		if ((isSchema && stored(p.operation) === 'mapRowsToTables') || (!isSchema && stored(p.tableFrom) === 'item')) {
			skipped.push(`${label}: each message names its table`);
			continue;
		}
		const database = stored(p.database);
		const table = stored(p.table);
		if (isExpression(database) || isExpression(table)) {
			skipped.push(`${label}: the database or table is an expression, resolved only when an item arrives`);
			continue;
		}
		if (table === '') {
			skipped.push(`${label}: no table chosen`);
			continue;
		}
		const columns: ColumnToCheck[] = [];
		if (isSchema) {
			// Only Map Rows validates (Get Schema just reads), and only with Validate on Start (default on).
			if ((stored(p.operation) || 'mapRows') !== 'mapRows' || options.validateOnStart === false) continue;
			if (stored(p.schemaMode) === 'manual') {
				for (const c of rows(record(p.manualColumns).column)) {
					const name = stored(c.name);
					if (name === '' || isExpression(name)) continue;
					// The type too: a manual type wider than the column's lets through values Doris changes (manual-types.ts).
					const type = stored(c.type);
					columns.push(type === '' || isExpression(type) ? { column: name, from: 'manual column list' } : { column: name, from: 'manual column list', manualType: type });
				}
			}
			for (const m of rows(record(options.mapping).mapping)) {
				const column = stored(m.column);
				const field = stored(m.field);
				if (column === '') continue;
				if (isExpression(column)) skipped.push(`${label}: the column mapped from field "${field}" is an expression`);
				else columns.push({ column, from: `mapped from field "${field}"` });
			}
			for (const u of rows(record(options.epochUnits).column)) {
				const column = stored(u.column);
				if (column === '') continue;
				if (isExpression(column)) skipped.push(`${label}: a column in Epoch Unit per Column is an expression`);
				else columns.push({ column, from: 'named in Epoch Unit per Column' });
			}
		}
		// Stream Load: the table, the partial update and the Columns it sends. Its Columns / CSV Columns
		// name source fields that Doris column expressions may turn into other columns, so they are not
		// checked as table column names; for a fixed partial update they are the update set, which must
		// hold every key.
		if (isSchema) {
			tables.push({ label, database, table, columns });
			continue;
		}
		const partialUpdate = streamLoadPartialUpdate(p, options);
		const check: TableToCheck = { label, database, table, columns };
		if (partialUpdate === 'expression') skipped.push(`${label}: the partial update columns are an expression`);
		// Strict Mode unset: refused before Doris 3.1 (src/doris/stream-load/strict-mode.ts); off is refused anyway.
		else if (partialUpdate !== undefined) check.partialUpdate = { ...partialUpdate, strictModeSet: options.strictMode !== undefined && options.strictMode !== null };
		// The Columns it sends: the table's HLL / BITMAP / … columns need an expression there.
		const columnsText = streamLoadColumns(p, options);
		if (isExpression(columnsText)) {
			if (partialUpdate !== 'expression') skipped.push(`${label}: the Columns are an expression`);
		} else {
			const entries = columnsText === '' ? [] : splitColumns(columnsText, `${label}: Columns`);
			check.loadColumns = partialUpdate === undefined ? { columns: entries } : { columns: entries, partialUpdate: true };
		}
		tables.push(check);
	}
	return { tables, skipped };
}

/** The partial update a Stream Load node sends (Partial Update, or the former boolean Partial Columns). */
function streamLoadPartialUpdate(p: INodeParameters, options: INodeParameters): PartialUpdateTarget | 'expression' | undefined {
	const mode = stored(options.partialUpdate) || (options.partialColumns === true ? 'fixed' : 'off');
	if (mode === 'flexible') return { mode: 'flexible' };
	if (mode !== 'fixed') return undefined;
	const text = streamLoadColumns(p, options);
	if (isExpression(text)) return 'expression';
	// The column each entry loads into (`dt = expr` updates dt), cut where Doris cuts the header.
	return { mode: 'fixed', columns: columnNames(splitColumns(text, 'Columns')) };
}

/** The Columns a Stream Load node sends as the `columns` header: CSV Columns for CSV, else Columns. */
function streamLoadColumns(p: INodeParameters, options: INodeParameters): string {
	return stored(p.format) === 'csv' ? stored(p.csvColumns) : stored(options.columns);
}
