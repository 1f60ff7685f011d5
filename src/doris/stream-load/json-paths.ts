/**
 * Which fields of a JSON line Doris reads under JSON Paths and a `json_root` header, so that a row
 * field it would leave unread fails its execution instead of vanishing. Doris' JSON reader first
 * takes the object at json_root, then fills each column from its path (with JSON Paths) or from the
 * key of its name (be/src/vec/exec/format/json/new_json_reader.cpp: `_parse_json_root`, then
 * `_write_columns_by_jsonpath` or the key lookup; 2.1, 3.0, 3.1): everything else in the line is
 * skipped without a count. A mistyped path (`$.nmae`) loads NULL for every row; its field `name` is
 * then one no path reads, which is what this check names.
 */
import { sourceColumns } from './columns';

/**
 * A row field Doris would not read (the Columns list, JSON Paths or json_root leave it out), with its
 * dotted path in the row and its value: the Doris Stream Load node hands the row back on Rejected with
 * rule field_not_read (src/batch/load-items.ts), or fails its execution when Rejected leads nowhere.
 */
export class FieldNotReadError extends Error {
	constructor(
		readonly field: string,
		readonly value: unknown,
		message: string,
	) {
		super(message);
		this.name = 'FieldNotReadError';
	}
}

/** A value as a message shows it: JSON, cut at 100 characters. */
export function shownValue(value: unknown): string {
	const text = JSON.stringify(value) ?? String(value);
	return text.length <= 100 ? text : `${text.slice(0, 100)}… (${text.length} characters)`;
}

export type PathStep = string | number;

/** `$`, `$.a.b`, `$['a']`, `$["a"]`, `$.a[0]`: the steps of a JSON path this node follows; undefined for anything else. */
export function pathSteps(path: string): PathStep[] | undefined {
	const text = path.trim();
	if (!text.startsWith('$')) return undefined;
	const steps: PathStep[] = [];
	const step = /^(?:\.([^.[\]'"*]+)|\['([^'\\]*)'\]|\["([^"\\]*)"\]|\[(\d+)\])/;
	for (let rest = text.slice(1); rest !== ''; ) {
		const m = step.exec(rest);
		if (m === null) return undefined;
		steps.push(m[4] !== undefined ? Number(m[4]) : (m[1] ?? m[2] ?? m[3]));
		rest = rest.slice(m[0].length);
	}
	return steps;
}

/** The value at `steps` in `value`, or undefined when the path leads nowhere. */
export function followPath(value: unknown, steps: readonly PathStep[]): unknown {
	let at = value;
	for (const s of steps) {
		if (at === null || typeof at !== 'object') return undefined;
		if (typeof s === 'number') at = Array.isArray(at) ? (at[s] as unknown) : undefined;
		else at = Array.isArray(at) ? undefined : (at as Record<string, unknown>)[s];
	}
	return at;
}

/** What Doris reads of an object: all of it, or the named keys (each read whole or in part). */
interface ReadTree {
	whole: boolean;
	keys: Map<string, ReadTree>;
}

const HOW_PATHS = "($.a.b, $['a'], $.a[0])";

function branch(tree: ReadTree, key: string): ReadTree {
	let next = tree.keys.get(key);
	if (next === undefined) {
		next = { whole: false, keys: new Map() };
		tree.keys.set(key, next);
	}
	return next;
}

/** Marks `steps` read under `tree`; an array index reads its whole array (its elements are not checked). */
function markRead(tree: ReadTree, steps: readonly PathStep[]): void {
	let at = tree;
	for (const step of steps) {
		if (at.whole) return;
		if (typeof step === 'number') {
			at.whole = true;
			return;
		}
		at = branch(at, step);
	}
	at.whole = true;
	at.keys.clear();
}

export interface JsonReadShape {
	/** The Columns entries (the plain names are the keys Doris reads without JSON Paths). */
	columns: readonly string[];
	/** The JSON Paths option as sent (a JSON array of paths), '' or undefined when none. */
	jsonpaths?: string;
	/** The json_root header, '' or undefined when none. */
	jsonRoot?: string;
}

/** The JSON Paths option's paths; throws naming the entry this node cannot follow (it could not tell what Doris leaves unread). */
function jsonPathSteps(jsonpaths: string): PathStep[][] {
	let paths: unknown;
	try {
		paths = JSON.parse(jsonpaths);
	} catch {
		paths = undefined;
	}
	if (!Array.isArray(paths) || paths.length === 0) throw new Error(`JSON Paths ${JSON.stringify(jsonpaths)} is not a JSON array of paths (e.g. ["$.id", "$.user.name"])`);
	return paths.map((path) => {
		const steps = typeof path === 'string' ? pathSteps(path) : undefined;
		if (steps === undefined) {
			throw new Error(`JSON Paths entry ${JSON.stringify(path)} is not a path this node can follow ${HOW_PATHS}, so it cannot tell which row fields Doris would leave unread`);
		}
		return steps;
	});
}

/**
 * The check of one row under JSON Paths and/or json_root: throws naming the first field Doris would
 * not read (by its dotted path in the row). `alsoRead`: top-level fields the check lets through (the
 * nodes' own fields, the delete sign the load adds). Throws at once, naming the entry, when a path is
 * one this node cannot follow.
 */
export function jsonReadCheck(shape: JsonReadShape, alsoRead: ReadonlySet<string>): (row: Readonly<Record<string, unknown>>) => void {
	const rootText = shape.jsonRoot?.trim() ?? '';
	const root = rootText === '' ? [] : pathSteps(rootText);
	if (root === undefined) throw new Error(`The json_root header ${JSON.stringify(rootText)} is not a path this node can follow ${HOW_PATHS}, so it cannot tell which row fields Doris would leave unread`);
	const jsonpaths = shape.jsonpaths ?? '';
	const tree: ReadTree = { whole: false, keys: new Map() };
	const names = sourceColumns(shape.columns);
	if (jsonpaths !== '') for (const steps of jsonPathSteps(jsonpaths)) markRead(tree, [...root, ...steps]);
	else if (names.length > 0) for (const name of names) markRead(tree, [...root, name]);
	// json_root alone, without Columns: Doris reads the table's columns by name inside it, which this node does not know.
	else markRead(tree, root);
	const reading = jsonpaths !== '' ? `no JSON Path (${JSON.parse(jsonpaths).join(', ')}) reads it` : names.length > 0 ? `it is not in Columns (${shape.columns.join(', ')})` : '';
	const rootNote = rootText === '' ? '' : ` under json_root ${JSON.stringify(rootText)}`;
	const refuse = (field: string, value: unknown, why: string): never => {
		throw new FieldNotReadError(
			field,
			value,
			`Row field "${field}" would not load: ${why}${rootNote}, and Doris skips what it does not read without a word (its value ${shownValue(value)}); read it, or leave it out of the row`,
		);
	};
	const walk = (object: Readonly<Record<string, unknown>>, at: ReadTree, prefix: string, depth: number): void => {
		for (const key in object) {
			if (object[key] === undefined || (depth === 0 && alsoRead.has(key))) continue;
			const next = at.keys.get(key);
			const field = `${prefix}${key}`;
			if (next === undefined) {
				const insideRoot = depth >= root.length;
				refuse(field, object[key], insideRoot ? reading : `it is outside the object Doris reads`);
			} else if (!next.whole) {
				const value = object[key];
				if (value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value as Record<string, unknown>, next, `${field}.`, depth + 1);
				// The paths read only inside it, and it holds nothing they can reach.
				else if (value !== null) refuse(field, value, `the paths read only inside it, and it is ${Array.isArray(value) ? 'an array' : 'not an object'}`);
			}
		}
	};
	return (row) => walk(row, tree, '', 0);
}
