/**
 * Handlers of ARRAY / MAP / STRUCT values: each element, key, value or field is checked by its own
 * handler (compiled by coerce-type.ts), and the whole goes out as one string holding Doris' literal
 * text of it (`[1,2]`, `{"k":1}`, `{"a":1,"b":"x"}`). Doris' JSON reader casts that text to the
 * column type (new_json_reader.cpp, see coerce-type.ts); building it here keeps big numbers inside
 * unquoted and exact, and a failure names the path to the element that failed (`[0]["k"].b`).
 */
import { failWith, INVALID, type FailSlot, type TypeHandler } from './coerce-result';
import { parseIfText } from './coerce-values';
import type { DorisType } from './types';

const raw = (v: unknown): string => String(v);

/** Runs a nested handler and prefixes the failure path. Nested elements may be null (Doris allows it). */
function nested(handler: TypeHandler, value: unknown, fail: FailSlot, step: string): string | typeof INVALID {
	if (value === null || value === undefined) return 'null';
	const before = fail.path;
	fail.path = '';
	const v = handler.coerce(value, fail);
	if (v === INVALID) {
		fail.path = before + step + fail.path;
		return INVALID;
	}
	fail.path = before;
	return handler.literal(v);
}

/** ARRAY<element>; `elementNotNull`: ARRAY<T NOT NULL>, whose elements may not be null. */
export function arrayHandler(element: TypeHandler, elementNotNull: boolean, expected: string): TypeHandler {
	return {
		expected,
		coerce(input, fail) {
			const value = parseIfText(input, '[');
			if (!Array.isArray(value)) return failWith(fail, 'type', 'not an array');
			let out = '[';
			for (let i = 0; i < value.length; i++) {
				// Doris' element column is not nullable there: the value would not convert (NULL or filtered).
				if (elementNotNull && (value[i] === null || value[i] === undefined)) {
					fail.path += `[${i}]`;
					return failWith(fail, 'not_null', `${expected} holds no null element`);
				}
				const lit = nested(element, value[i], fail, `[${i}]`);
				if (lit === INVALID) return INVALID;
				out += i === 0 ? lit : `,${lit}`;
			}
			return `${out}]`;
		},
		literal: raw,
	};
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** MAP<keyType, value>: `key` is keyType's handler. */
export function mapHandler(keyType: DorisType, key: TypeHandler, val: TypeHandler, expected: string): TypeHandler {
	// Object keys are distinct text, so text keys stay distinct; other key types may coerce two keys into
	// one ("1" and "01" into INT 1), and the map Doris stores would not hold both values.
	const keysMayMeet = keyType.kind !== 'string' && keyType.kind !== 'varchar' && keyType.kind !== 'char';
	return {
		expected,
		coerce(input, fail) {
			const value = parseIfText(input, '{');
			if (!isPlainObject(value)) return failWith(fail, 'type', 'not an object');
			let out = '{';
			let first = true;
			const seen = keysMayMeet ? new Map<string, string>() : undefined;
			for (const k of Object.keys(value)) {
				const step = `[${JSON.stringify(k)}]`;
				const kl = nested(key, k, fail, `${step}(key)`);
				if (kl === INVALID) return INVALID;
				if (seen !== undefined) {
					const other = seen.get(kl);
					if (other !== undefined) {
						fail.path += `${step}(key)`;
						return failWith(fail, 'type', `keys ${JSON.stringify(other)} and ${JSON.stringify(k)} are the same key ${kl} of ${expected}`);
					}
					seen.set(kl, k);
				}
				const vl = nested(val, value[k], fail, step);
				if (vl === INVALID) return INVALID;
				out += `${first ? '' : ','}${kl}:${vl}`;
				first = false;
			}
			return `${out}}`;
		},
		literal: raw,
	};
}

/** One field of a STRUCT: its name as declared, and its type's handler. */
export interface StructField {
	name: string;
	handler: TypeHandler;
}

/** STRUCT<fields>, written with every field in declared order (null where the value has none). */
export function structHandler(fields: readonly StructField[], expected: string): TypeHandler {
	const names = fields.map((f) => f.name);
	const lower = new Map(fields.map((f, i) => [f.name.toLowerCase(), i]));
	const handlers = fields.map((f) => f.handler);
	const prefixes = names.map((n) => `${JSON.stringify(n)}:`);
	return {
		expected,
		coerce(input, fail) {
			const value = parseIfText(input, '{');
			if (!isPlainObject(value)) return failWith(fail, 'type', 'not an object');
			const found: unknown[] = new Array<unknown>(names.length);
			const keys: Array<string | undefined> = new Array<string | undefined>(names.length);
			for (const k of Object.keys(value)) {
				// Doris field names are case-insensitive.
				const idx = lower.get(k.toLowerCase());
				if (idx === undefined) {
					fail.path += `.${k}`;
					return failWith(fail, 'unknown_field', `no field "${k}" in ${expected}`);
				}
				// Two keys for one field: loading either would drop the other's value unseen.
				if (keys[idx] !== undefined) return failWith(fail, 'type', `"${keys[idx]}" and "${k}" both name field ${names[idx]} of ${expected}`);
				keys[idx] = k;
				found[idx] = value[k];
			}
			let out = '{';
			for (let i = 0; i < names.length; i++) {
				const lit = nested(handlers[i], found[i], fail, `.${names[i]}`);
				if (lit === INVALID) return INVALID;
				out += (i === 0 ? '' : ',') + prefixes[i] + lit;
			}
			return `${out}}`;
		},
		literal: raw,
	};
}
