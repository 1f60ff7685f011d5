/**
 * SELECT as the test server answers it: [cols | * | COUNT(*) | literals | @@variables | version() …]
 * [FROM t | information_schema.x] [WHERE] [ORDER BY] [LIMIT].
 */
import { mysqlWireType, type ColType } from './coltypes';
import { rowCount, visibleRows, type Catalog } from './catalog';
import { evalCondition, type Cmp, type Condition } from './condition';
import { infoSchema } from './info-schema';
import { integerColumn, resolveTable, textColumn, type ResultColumn, type Session, type SqlResult } from './sql-context';
import { analysisError, type Cursor } from './sql-lex';

/**
 * The MySQL version the FE claims (Config.mysql_server_version): the handshake's server version,
 * `@@version`, and `SELECT version()` too (FoldConstantRuleOnFE.visitVersion returns
 * GlobalVariable.version). The Doris release is in `@@version_comment` (Catalog.versionComment).
 */
export const SERVER_VERSION = '5.7.99';

interface Item {
	kind: 'star' | 'col' | 'count' | 'lit';
	expr: string;
	alias: string;
	value?: unknown;
}

function readItems(c: Cursor, versionComment: string): Item[] {
	const items: Item[] = [];
	do {
		let it: Item;
		if (c.acceptOp('*')) it = { kind: 'star', expr: '*', alias: '*' };
		else if (c.isKw('COUNT') && c.isOp('(', 1)) {
			c.i += 2;
			let inner = '';
			while (!c.acceptOp(')')) {
				const t = c.peek();
				if (!t) throw c.syntax("expected ')'");
				inner += t.v;
				c.i++;
			}
			it = { kind: 'count', expr: `count(${inner || '*'})`, alias: `count(${inner || '*'})` };
		} else {
			const t = c.peek();
			if (!t) throw c.syntax('expected a select item');
			if (t.k === 'num' || t.k === 'str' || (t.k === 'op' && t.v === '-')) {
				const neg = c.acceptOp('-');
				const v = c.peek()!;
				c.i++;
				const val = v.k === 'num' ? Number((neg ? '-' : '') + v.v) : v.v;
				it = { kind: 'lit', expr: (neg ? '-' : '') + v.v, alias: (neg ? '-' : '') + v.v, value: val };
			} else if (t.k === 'id') {
				c.i++;
				let name = t.v;
				if (c.isOp('(')) {
					c.skipGroup();
					const fn = name.toLowerCase();
					const value = fn === 'version' ? SERVER_VERSION : fn === 'connection_id' ? 1 : fn === 'now' ? new Date().toISOString().slice(0, 19).replace('T', ' ') : null;
					it = { kind: 'lit', expr: `${name}()`, alias: `${name}()`, value: fn === 'database' || fn === 'schema' ? '\u0000db' : value };
				} else {
					while (c.acceptOp('.')) name = c.ident();
					if (name.startsWith('@@')) {
						const v = name.toLowerCase().replace(/^@@(session\.|global\.)?/, '');
						const value = v === 'version_comment' ? versionComment : v === 'version' ? SERVER_VERSION : v === 'max_allowed_packet' ? 16777216 : v === 'autocommit' ? 1 : v === 'time_zone' || v === 'system_time_zone' ? 'UTC' : v === 'tx_isolation' || v === 'transaction_isolation' ? 'REPEATABLE-READ' : '';
						it = { kind: 'lit', expr: name, alias: name, value };
					} else it = { kind: 'col', expr: name, alias: name };
				}
			} else throw c.syntax('expected a select item');
		}
		if (c.acceptKw('AS')) it.alias = c.ident();
		else if (c.peek()?.k === 'id' && !['FROM', 'WHERE', 'ORDER', 'LIMIT', 'GROUP'].some((k) => c.isKw(k))) it.alias = c.ident();
		items.push(it);
	} while (c.acceptOp(','));
	return items;
}

function readWhere(c: Cursor): Condition | undefined {
	if (!c.acceptKw('WHERE')) return undefined;
	const or: Cmp[][] = [[]];
	for (;;) {
		const col = c.qualified()[1];
		let op: Cmp['op'];
		if (c.acceptKw('IS')) {
			const not = c.acceptKw('NOT');
			c.expectKw('NULL');
			op = not ? '!=' : '=';
			or[or.length - 1].push({ col, op, value: null });
		} else {
			const t = c.peek();
			if (!t || t.k !== 'op') throw c.syntax('expected a comparison');
			c.i++;
			op = (t.v === '<>' ? '!=' : t.v) as Cmp['op'];
			const neg = c.acceptOp('-');
			const v = c.peek()!;
			c.i++;
			or[or.length - 1].push({ col, op, value: v.k === 'num' ? Number((neg ? '-' : '') + v.v) : v.v });
		}
		if (c.acceptKw('AND')) continue;
		if (c.acceptKw('OR')) {
			or.push([]);
			continue;
		}
		break;
	}
	return { or };
}

/** WHERE with IS NULL support on top of condition.ts (whose comparisons never match NULL). */
function matches(cond: Condition, get: (col: string) => unknown): boolean {
	return cond.or.some((all) =>
		all.every((cmp) => {
			if (cmp.value === null) return (get(cmp.col) === null || get(cmp.col) === undefined) === (cmp.op === '=');
			return evalCondition({ or: [[cmp]] }, get);
		}),
	);
}

export function select(catalog: Catalog, session: Session, c: Cursor): SqlResult {
	const items = readItems(c, catalog.versionComment);
	if (!c.acceptKw('FROM')) {
		if (c.acceptKw('LIMIT')) c.str();
		return { columns: items.map((it) => (typeof it.value === 'number' ? integerColumn(it.alias) : textColumn(it.alias))), rows: [items.map((it) => (it.value === '\u0000db' ? session.db ?? null : it.value))] };
	}
	const [d, n] = c.qualified();
	let columns: ResultColumn[];
	let data: unknown[][];
	let types: (ColType | undefined)[];
	if ((d ?? session.db ?? '').toLowerCase() === 'information_schema') {
		const r = infoSchema(catalog, n.toLowerCase());
		columns = r.columns;
		data = r.rows;
		types = columns.map(() => undefined);
	} else {
		const t = resolveTable(catalog, session, [d, n], 'query');
		columns = t.columns.map((col) => ({ name: col.name, wire: mysqlWireType(col.type) }));
		types = t.columns.map((col) => col.type);
		data = visibleRows(t);
		if (items.length === 1 && items[0].kind === 'count' && c.done()) return { columns: [integerColumn(items[0].alias)], rows: [[rowCount(t)]] };
	}
	const idx = (name: string): number => {
		const i = columns.findIndex((col) => col.name.toLowerCase() === name.toLowerCase());
		if (i < 0) throw analysisError(`Unknown column '${name}' in 'table list'`, 1054);
		return i;
	};
	const where = readWhere(c);
	if (where) data = data.filter((row) => matches(where, (col) => row[idx(col)]));
	if (c.acceptKw('ORDER', 'BY')) {
		const keys: [number, number, ColType | undefined][] = [];
		do {
			const i = idx(c.qualified()[1]);
			const dir = c.acceptKw('DESC') ? -1 : (c.acceptKw('ASC'), 1);
			keys.push([i, dir, types[i]]);
		} while (c.acceptOp(','));
		data = [...data].sort((a, b) => {
			for (const [i, dir] of keys) {
				const r = cmp(a[i], b[i]);
				if (r !== 0) return r * dir;
			}
			return 0;
		});
	}
	if (c.acceptKw('LIMIT')) {
		let off = 0;
		let lim = Number(c.str());
		if (c.acceptOp(',')) {
			off = lim;
			lim = Number(c.str());
		} else if (c.acceptKw('OFFSET')) off = Number(c.str());
		data = data.slice(off, off + lim);
	}
	if (!c.done()) throw c.syntax('test server: unsupported clause');
	if (items.some((it) => it.kind === 'count')) {
		return { columns: items.map((it) => (it.kind === 'count' ? integerColumn(it.alias) : textColumn(it.alias))), rows: [items.map((it) => (it.kind === 'count' ? data.length : it.value ?? null))] };
	}
	const outCols: ResultColumn[] = [];
	const pick: ((row: unknown[]) => unknown)[] = [];
	for (const it of items) {
		if (it.kind === 'star') {
			columns.forEach((col, i) => {
				outCols.push(col);
				pick.push((row) => row[i]);
			});
		} else if (it.kind === 'col') {
			const i = idx(it.expr);
			outCols.push({ name: it.alias, wire: columns[i].wire });
			pick.push((row) => row[i]);
		} else {
			outCols.push(typeof it.value === 'number' ? integerColumn(it.alias) : textColumn(it.alias));
			pick.push(() => it.value);
		}
	}
	return { columns: outCols, rows: data.map((row) => pick.map((p) => p(row))) };
}

function cmp(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1; // NULLs first in ascending order, as Doris sorts
	if (b === null || b === undefined) return 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const na = Number(a);
	const nb = Number(b);
	if (!Number.isNaN(na) && !Number.isNaN(nb) && typeof a === 'string' && /^-?\d/.test(a) && !/^\d{4}-/.test(a)) return na - nb;
	return String(a) < String(b) ? -1 : 1;
}
