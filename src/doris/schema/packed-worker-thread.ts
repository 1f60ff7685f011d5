/**
 * The worker thread of packed-worker-pool.ts: routes packed items with the code routePacked runs
 * (mapPackedLines) and returns the result with the invalid-line counts and the fields that matched
 * no column (the metrics and the schema re-read are the main thread's). Loaded as dist/.../packed-worker-thread.js, or as this .ts file under `node --import tsx`
 * (a Worker inherits the parent's --import).
 */
import { parentPort, type TransferListItem } from 'node:worker_threads';

import { requestedItem, requestedUnits, routedResponse, type PackedWorkerMessage, type PackedWorkerRequest, type PackedWorkerResponse } from './packed-worker-protocol';
import type { RoutedItem } from './route-items';
import { emptyInvalidLineCounts, mapPackedLinesToBytes } from './route-packed';
import { RowMapper } from './row-mapper';

if (parentPort === null) throw new Error('packed-worker-thread runs as a worker thread started by packed-worker-pool.ts');
const port = parentPort;

/** One compiled mapper per schema + options (the key), kept across items like rowMapperFor does. */
const mappers = new Map<string, RowMapper>();
let throwNext = false;
let exitAfterPart = false;
let unreadablePart = false;

function mapperFor(request: Extract<PackedWorkerRequest, { kind: 'route' }>): RowMapper {
	let mapper = mappers.get(request.key);
	if (mapper === undefined) {
		mapper = new RowMapper(request.schema, request.options);
		if (mappers.size >= 32) mappers.clear();
		mappers.set(request.key, mapper);
	}
	return mapper;
}

port.on('message', (request: PackedWorkerRequest) => {
	if (request.kind === 'test') {
		if (request.hook === 'exit') process.exit(7); // ends this thread only
		if (request.hook === 'exit-after-part') exitAfterPart = true;
		else if (request.hook === 'unreadable-part') unreadablePart = true;
		else throwNext = true;
		return;
	}
	let response: PackedWorkerResponse;
	let transfer: TransferListItem[] = [];
	try {
		if (throwNext) {
			throwNext = false;
			throw new Error('test hook: an error inside the worker');
		}
		const counts = emptyInvalidLineCounts();
		const unmatched = new Map<string, number>();
		const mapper = mapperFor(request);
		mapper.unmatchedSink = unmatched;
		// The invalid items go as they are made, not all with the answer: they stay off this worker's heap (INVALID_PART_ITEMS).
		const sendInvalid = (invalidPart: RoutedItem[]): void => {
			if (unreadablePart) {
				// A value 8,000 deep: this thread (4 MB stack) writes it, the main thread (~1 MB) cannot read it
				// back, as a line nested that deep did before the trigger and parseJsonExact refused them.
				unreadablePart = false;
				const deep = JSON.parse(`${'['.repeat(8000)}${']'.repeat(8000)}`) as unknown;
				port.postMessage({ id: request.id, invalidPart, deep });
				return;
			}
			port.postMessage({ id: request.id, invalidPart } satisfies PackedWorkerMessage);
			if (exitAfterPart) process.exit(7);
		};
		let mapped;
		try {
			mapped = mapPackedLinesToBytes(requestedItem(request), mapper, request.index, counts, true, requestedUnits(request.text), sendInvalid);
		} finally {
			mapper.unmatchedSink = null;
		}
		// The text travels back as these bytes (a plain copy to read on n8n's main thread, not a clone).
		// The request's buffer goes back with the answer: nothing here reads it any more (the text was copied out of it).
		({ response, transfer } = routedResponse(request.id, mapped.routed, counts, unmatched, mapped.bytes, mapped.unchanged, request.text.bytes.buffer));
	} catch (error) {
		response = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
	}
	try {
		port.postMessage(response, transfer);
	} catch (error) {
		// A result that cannot be cloned: the main thread maps the item itself.
		port.postMessage({ id: request.id, ok: false, message: `the result could not be sent back: ${error instanceof Error ? error.message : String(error)}` } satisfies PackedWorkerResponse);
	}
});
