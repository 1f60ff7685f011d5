// Doris side of the e2e checks: the test server with the examples' DDL, and table contents compared
// with what was produced (values normalised to text, so 5 and '5' compare equal but 5 and 6 do not).
import assert from 'node:assert/strict';
import { startDorisTestServer, type DorisTestServer, type DorisTestServerOptions } from '../../ground/doris/server';
import { readDdl } from './examples';

export const DATABASE = 'demo';

/** The Doris test server with the examples' tables in `demo` (app_logs, orders, customers). */
export async function startDorisWithExamples(options: DorisTestServerOptions = {}): Promise<DorisTestServer> {
	const doris = await startDorisTestServer(options);
	for (const name of ['logs', 'orders', 'cdc'] as const) {
		for (const statement of readDdl(name)) await doris.sql(statement);
	}
	return doris;
}

/** A copy of an example table under another name (each test case gets a table of its own). */
export async function createTableLike(doris: DorisTestServer, ddl: 'logs' | 'orders' | 'cdc', from: string, to: string): Promise<void> {
	const create = readDdl(ddl).find((s) => /^CREATE TABLE/i.test(s));
	if (!create) throw new Error(`examples/ddl/${ddl}.sql has no CREATE TABLE`);
	await doris.sql(create.replace(`${DATABASE}.${from}`, `${DATABASE}.${to}`));
}

function text(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/** `row` restricted to `columns`, every value as text (null stays null). */
export function project(row: Record<string, unknown>, columns: readonly string[]): Record<string, string | null> {
	return Object.fromEntries(columns.map((c) => [c, text(row[c])]));
}

/**
 * Asserts the table holds exactly `expected` (as a multiset: a duplicated row is a failure), comparing
 * `columns`, both sides sorted by `key`. On failure the message lists the first differences, not 100k rows.
 */
export function assertTableEquals(
	actual: Record<string, unknown>[],
	expected: Record<string, unknown>[],
	key: string,
	columns: readonly string[],
): void {
	const order = (a: Record<string, string | null>, b: Record<string, string | null>): number => {
		const x = a[key] ?? '';
		const y = b[key] ?? '';
		return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
	};
	const got = actual.map((r) => project(r, columns)).sort(order);
	const want = expected.map((r) => project(r, columns)).sort(order);
	const gotKeys = new Map<string, number>();
	for (const r of got) gotKeys.set(r[key] ?? '', (gotKeys.get(r[key] ?? '') ?? 0) + 1);
	const wantKeys = new Set(want.map((r) => r[key] ?? ''));
	const missing = [...wantKeys].filter((k) => !gotKeys.has(k));
	const extra = [...gotKeys.keys()].filter((k) => !wantKeys.has(k));
	const duplicated = [...gotKeys].filter(([, n]) => n > 1).map(([k, n]) => `${k}×${n}`);
	const summary = (list: string[]): string => `${list.length}${list.length > 0 ? ` (${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''})` : ''}`;
	assert.ok(
		missing.length === 0 && extra.length === 0 && duplicated.length === 0,
		`table ≠ produced set: ${got.length} rows vs ${want.length} expected; missing ${summary(missing)}; unexpected ${summary(extra)}; duplicated ${summary(duplicated)}`,
	);
	for (let i = 0; i < want.length; i++) {
		if (JSON.stringify(got[i]) !== JSON.stringify(want[i])) assert.deepEqual(got[i], want[i], `row ${want[i][key]} differs`);
	}
}

/** Successful loads' labels must all differ: a label loaded twice would be a double load. */
export function successfulLabels(doris: DorisTestServer, table: string): string[] {
	return doris.loads.filter((l) => l.table === table && l.status === 'Success').map((l) => l.label);
}

export function loadedRows(doris: DorisTestServer, table: string): number {
	return doris.loads.filter((l) => l.table === table && l.status === 'Success').reduce((sum, l) => sum + l.rows, 0);
}
