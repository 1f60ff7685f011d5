/**
 * What crosses the thread boundary between packed-worker-pool.ts (n8n's main thread) and
 * packed-worker-thread.ts: the messages, and a row mapper described as plain data. A RowMapper
 * holds compiled column plans (functions), which cannot be posted; the worker rebuilds it from its
 * schema and options and keeps it under their key, so a request names the key and the worker
 * compiles each schema + options once.
 */
import type { PackedRows } from '../../common/item-contract';
import type { InvalidLineCounts, RoutedPacked } from './route-packed';
import type { RowMapper, RowMapperOptions } from './row-mapper';
import type { TableSchema } from './types';

/** Main → worker. */
export type PackedWorkerRequest =
	| { kind: 'route'; id: number; key: string; schema: TableSchema; options: RowMapperOptions; packed: PackedRows; index: number }
	/** Test hooks: 'exit' ends the worker at once, 'throw' makes its next route fail. */
	| { kind: 'test'; hook: 'exit' | 'throw' };

/** Worker → main. */
export type PackedWorkerResponse =
	/**
	 * `bytes`: the rows' JSON lines in UTF-8, transferred (src/common/encoded-lines.ts). `latin1Text`:
	 * they are ASCII and `routed.packed.jsonLines` was left empty, to be read from them (withText).
	 */
	| { id: number; ok: true; routed: RoutedPacked; counts: InvalidLineCounts; unmatched: Map<string, number>; bytes?: Uint8Array; latin1Text?: boolean }
	| { id: number; ok: false; message: string };

interface MapperSpec {
	key: string;
	schema: TableSchema;
	options: RowMapperOptions;
}

/** Schema + options of a mapper as the worker needs them; the key is computed once per mapper. */
const specs = new WeakMap<RowMapper, MapperSpec>();
function specOf(mapper: RowMapper): MapperSpec {
	let spec = specs.get(mapper);
	if (spec === undefined) {
		spec = { key: JSON.stringify([mapper.schema, mapper.options]), schema: mapper.schema, options: mapper.options };
		specs.set(mapper, spec);
	}
	return spec;
}

/** The request that routes item `index` (`packed`) with `mapper` in a worker. */
export function routeRequest(id: number, mapper: RowMapper, packed: PackedRows, index: number): PackedWorkerRequest {
	const { key, schema, options } = specOf(mapper);
	return { kind: 'route', id, key, schema, options, packed, index };
}

/**
 * The routed item of a response, its text read from the transferred bytes when the worker left it
 * to this thread: one copy here instead of one to make it there and two to pass it over.
 */
export function withText(message: Extract<PackedWorkerResponse, { ok: true }>): RoutedPacked {
	const { routed, bytes } = message;
	if (message.latin1Text === true && routed.packed !== null && bytes !== undefined) {
		routed.packed.jsonLines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
	}
	return routed;
}
