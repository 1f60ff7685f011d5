/**
 * Doris ALTER TABLE as the test server answers it: ADD / MODIFY / DROP COLUMN, SET (...) properties and
 * MODIFY PARTITION ... SET ("mutable" = ...) (partitions.ts, setPartitionProperties),
 * with the FE's refusals (a table in an alter job, a NOT NULL column without DEFAULT, a narrowing type
 * change, a key or sequence column dropped). Column definitions are read as CREATE TABLE reads them (ddl.ts).
 */
import { typeName } from './coltypes';
import { defaultFor, type Column, type Table } from './catalog';
import { readColumnDef } from './ddl';
import { setPartitionProperties } from './partitions';
import { analysisError, type Cursor } from './sql-lex';

export function alterTable(t: Table, c: Cursor): void {
	// Every ALTER of an OLAP table first checks that no alter job runs on it (Alter.processAlterOlapTable
	// and SchemaChangeHandler.process call OlapTable.checkNormalStateForAlter, fe-core catalog/
	// OlapTable.java, Doris 2.1 / 3.0 / 3.1): a DdlException, so errno 1105 like any analysis error.
	if (t.state !== undefined) throw analysisError(`Table[${t.name}]'s state(${t.state}) is not NORMAL. Do not allow doing ALTER ops`);
	do {
		if (c.acceptKw('ADD', 'COLUMN')) {
			const defs: (Column & { explicitKey: boolean })[] = [];
			let after: string | undefined;
			let first = false;
			if (c.acceptOp('(')) {
				do defs.push(readColumnDef(c));
				while (c.acceptOp(','));
				c.expectOp(')');
			} else {
				defs.push(readColumnDef(c));
				if (c.acceptKw('AFTER')) after = c.ident();
				else if (c.acceptKw('FIRST')) first = true;
			}
			if (c.acceptKw('TO')) c.ident();
			for (const d of defs) addColumn(t, d, after, first);
		} else if (c.acceptKw('MODIFY', 'COLUMN')) {
			const def = readColumnDef(c);
			if (c.acceptKw('FROM')) c.ident();
			modifyColumn(t, def);
		} else if (c.acceptKw('DROP', 'COLUMN')) {
			const name = c.ident();
			if (c.acceptKw('FROM')) c.ident();
			dropColumn(t, name);
		} else if (c.acceptKw('MODIFY', 'PARTITION')) {
			const names: string[] = [];
			if (c.acceptOp('(')) {
				do names.push(c.acceptOp('*') ? '*' : c.ident());
				while (c.acceptOp(','));
				c.expectOp(')');
			} else names.push(c.ident());
			c.expectKw('SET');
			setPartitionProperties(t, names, readProperties(c));
		} else if (c.acceptKw('SET')) {
			c.expectOp('(');
			while (!c.acceptOp(')')) {
				const k = c.str();
				c.expectOp('=');
				t.properties.set(k.toLowerCase(), c.str());
				c.acceptOp(',');
			}
		} else throw c.syntax('test server: ALTER TABLE supports ADD COLUMN, MODIFY COLUMN, DROP COLUMN, MODIFY PARTITION ... SET (...), SET (...)');
	} while (c.acceptOp(','));
}

function readProperties(c: Cursor): Map<string, string> {
	const properties = new Map<string, string>();
	c.expectOp('(');
	while (!c.acceptOp(')')) {
		const k = c.str();
		c.expectOp('=');
		properties.set(k.toLowerCase(), c.str());
		c.acceptOp(',');
	}
	return properties;
}

function addColumn(t: Table, d: Column & { explicitKey: boolean }, after: string | undefined, first: boolean): void {
	if (t.columns.some((x) => x.name.toLowerCase() === d.name.toLowerCase())) {
		throw analysisError(`Can not add column which already exists in base table: ${d.name}`);
	}
	const { explicitKey, ...col } = d;
	col.isKey = explicitKey;
	if (!col.isKey && t.keysType === 'AGG_KEYS' && !col.agg) throw analysisError(`The column[${col.name}] must have aggregation type in AGG_KEYS`);
	if (!col.nullable && col.defaultValue === undefined) {
		// Doris refuses a NOT NULL column without DEFAULT on a table that may hold rows.
		throw analysisError(`Can not add column which is not nullable and has no default value: ${col.name}`);
	}
	let at = t.columns.length;
	if (first) at = 0;
	else if (after) {
		const i = t.columns.findIndex((x) => x.name.toLowerCase() === after.toLowerCase());
		if (i < 0) throw analysisError(`Column[${after}] does not exists`);
		at = i + 1;
	} else if (col.isKey) at = t.columns.filter((x) => x.isKey).length;
	t.columns.splice(at, 0, col);
	if (col.isKey) t.keys = t.columns.filter((x) => x.isKey).map((x) => x.name);
	const v = defaultFor(col);
	for (const row of t.dupRows) row.splice(at, 0, v);
	for (const e of t.keyed.values()) e.row.splice(at, 0, v);
}

const INTEGER_WIDTH: Partial<Record<string, number>> = { TINYINT: 1, SMALLINT: 2, INT: 4, BIGINT: 8, LARGEINT: 16 };

/**
 * MODIFY COLUMN as the FE checks it (fe/fe-core/src/main/java/org/apache/doris/catalog/Column.java
 * `checkSchemaChangeAllowed`): nullable never becomes NOT NULL ("Can not change from nullable to
 * non-nullable"), a CHAR/VARCHAR never gets shorter ("Cannot shorten string length"), the default
 * stays; the test server allows the widening changes (longer VARCHAR, VARCHAR to STRING, a wider
 * integer) and refuses other type changes. Stored values are kept (they fit the wider type).
 */
function modifyColumn(t: Table, def: Column & { explicitKey: boolean }): void {
	const i = t.columns.findIndex((x) => x.name.toLowerCase() === def.name.toLowerCase());
	if (i < 0) throw analysisError(`Column[${def.name}] does not exists`);
	const old = t.columns[i];
	if (old.nullable && !def.nullable) throw analysisError('Can not change from nullable to non-nullable');
	if ((old.defaultValue ?? null) !== (def.defaultValue ?? null)) throw analysisError('Can not change default value');
	const from = old.type;
	const to = def.type;
	const strings = ['CHAR', 'VARCHAR'];
	if (strings.includes(from.base) && strings.includes(to.base) && !(from.base === 'VARCHAR' && to.base === 'CHAR')) {
		if ((from.len ?? 0) > (to.len ?? 0)) throw analysisError('Cannot shorten string length');
	} else if (strings.includes(from.base) && to.base === 'STRING') {
		// widening to STRING
	} else if (INTEGER_WIDTH[from.base] !== undefined && INTEGER_WIDTH[to.base] !== undefined) {
		if ((INTEGER_WIDTH[to.base] ?? 0) < (INTEGER_WIDTH[from.base] ?? 0)) throw analysisError(`Can not change ${from.base} to ${to.base}`);
	} else if (typeName(from) !== typeName(to)) {
		throw analysisError(`Can not change ${from.base} to ${to.base}`);
	}
	t.columns[i] = { ...old, type: to, comment: def.comment || old.comment };
}

function dropColumn(t: Table, name: string): void {
	const i = t.columns.findIndex((x) => x.name.toLowerCase() === name.toLowerCase());
	if (i < 0) throw analysisError(`Column does not exists: ${name}`);
	const col = t.columns[i];
	if (col.isKey && t.keysType !== 'DUP_KEYS') {
		throw analysisError(`Can not drop key column in ${t.keysType === 'UNIQUE_KEYS' ? 'Unique' : 'Aggregation'} data model table`);
	}
	if (t.properties.get('function_column.sequence_col')?.toLowerCase() === name.toLowerCase()) {
		throw analysisError('Can not drop sequence mapping column[' + name + '] in Unique data model table[' + t.name + ']');
	}
	if (t.columns.length === 1) throw analysisError('Do not allow remove all columns');
	t.columns.splice(i, 1);
	if (col.isKey) t.keys = t.keys.filter((k) => k !== col.name);
	for (const row of t.dupRows) row.splice(i, 1);
	for (const e of t.keyed.values()) e.row.splice(i, 1);
}
