/**
 * routePacked of big packed items in worker threads. Every n8n node and the Kafka consumer run on
 * n8n's one main thread; parsing, coercing and serialising a packed item's lines is the biggest
 * piece of work our nodes do there (with most of the garbage). A worker does it on another core and
 * the main thread only copies the text in and the result out, as bytes (packed-worker-protocol.ts).
 *
 * - Same result as routePacked: the worker runs the same code (mapPackedLines) on a RowMapper it
 *   rebuilds from the mapper's schema and options (plain data, structured-cloneable), built once per
 *   schema + options and kept (packed-worker-protocol.ts). prom-client's registry lives in the main
 *   thread, so the worker returns how many lines were invalid per metric label and the main thread
 *   counts them; likewise the fields that matched no column, counted on every line (a column added
 *   by ALTER TABLE first shows as such a field, on whichever line carries it: sampling lines would
 *   miss it).
 * - Small items (fewer than `minLines` lines) are routed in the calling thread: copying and the hop
 *   cost more than mapping them.
 * - Nothing is lost: a worker that dies, fails to start, reports an error, or sends a message this
 *   thread cannot read hands its items back to the calling thread, which routes them itself; the
 *   pool starts a new worker on the next call.
 *   After several failures in a row with no success in between the pool stops trying (in-thread).
 * - Invalid lines come back in parts as the worker maps (INVALID_PART_ITEMS), off its heap. An item
 *   a worker still runs out of heap on marks its size: items as big are mapped here from then on.
 * - A worker holds at most POSTED_PER_WORKER items at once; the others wait in this thread, in order.
 * - Workers start on first use and are unref'd while idle, so they never keep a process alive;
 *   closePackedWorkers() (called by closeSchemaCache) terminates them.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';

import { rememberEncodedLines } from '../../common/encoded-lines';
import type { PackedRows } from '../../common/item-contract';
import type { RouteLabels, RoutedItem } from './route-items';
import { RequestBuffers, routedOf, routeRequest, type PackedWorkerMessage, type PackedWorkerRequest, type PackedWorkerTestHook } from './packed-worker-protocol';
import { countInvalidLines, routePackedCountingUnmatched, type RoutedPacked } from './route-packed';
import type { RowMapper } from './row-mapper';
import { MAX_FAILURES_IN_A_ROW, PACKED_WORKER_MIN_LINES, POSTED_PER_WORKER, WORKER_RESOURCE_LIMITS } from './packed-worker-limits';

export interface PackedPoolOptions {
	/** Worker threads at most; 0 routes everything in the calling thread. */
	size: number;
	minLines?: number;
	/** Where a fallback is reported (once per worker lost; the first error reported by a worker). */
	warn?: (message: string) => void;
	/** The worker script; default: packed-worker-thread next to this file, with this file's extension. */
	workerFile?: string;
}

export interface PackedPoolStats {
	/** Items routed by a worker. */
	routedInWorker: number;
	/** Items routed in the calling thread because they were small (or the pool has size 0), or too big for a worker's heap. */
	routedInThread: number;
	/** Items a worker failed to route and the calling thread routed instead. */
	fallbacks: number;
	/** Workers started, and lost (crashed or failed to start; not counting close()). */
	started: number;
	lost: number;
}

interface Task {
	packed: PackedRows;
	mapper: RowMapper;
	labels: RouteLabels;
	index: number;
	unmatched: Map<string, number> | null;
	/** Invalid items the worker sent before its answer (PackedWorkerInvalidPart), in order. */
	invalidParts: RoutedItem[][];
	resolve: (routed: RoutedPacked) => void;
	reject: (error: unknown) => void;
}

interface Slot {
	worker: Worker;
	inflight: Map<number, Task>;
	/** Set by close(): its exit is expected. */
	closing: boolean;
	/**
	 * Set on 'messageerror': a message of this worker could not be read here, maybe a part of an item's
	 * invalid lines. Its later messages are not used (an answer after a lost part would lose that
	 * part's lines); its items are mapped here when it exits.
	 */
	unreadable: boolean;
	lastError: Error | null;
}

/** The worker script: compiled .js next to this file in dist/, or the .ts source under tsx. */
function defaultWorkerFile(): string {
	return path.join(__dirname, `packed-worker-thread${path.extname(__filename)}`);
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class PackedWorkerPool {
	readonly size: number;
	readonly minLines: number;
	private readonly warn: (message: string) => void;
	private readonly workerFile: string;
	private readonly slots: Slot[] = [];
	/** Items waiting for a worker with room, in arrival order (see POSTED_PER_WORKER). */
	private readonly waiting: Task[] = [];
	private nextId = 1;
	private failuresInARow = 0;
	private disabled = false;
	private warnedError = false;
	/**
	 * Text length of the smallest item a worker ran out of heap on; items as long go to the calling thread
	 * (before, each started a worker that mapped it until its heap was full, then here again, warning each time).
	 */
	private tooBigChars = Infinity;
	private readonly counters: PackedPoolStats = { routedInWorker: 0, routedInThread: 0, fallbacks: 0, started: 0, lost: 0 };
	/** Request buffers handed back by the workers: as many as can be in flight, plus one. */
	private readonly buffers: RequestBuffers;

	constructor(options: PackedPoolOptions) {
		if (!Number.isInteger(options.size) || options.size < 0) throw new Error(`Worker Threads "${String(options.size)}" must be a whole number ≥ 0`);
		this.size = options.size;
		this.minLines = options.minLines ?? PACKED_WORKER_MIN_LINES;
		// eslint-disable-next-line no-console -- the fallback when a caller passes no logger; a pool that falls back to the main thread must still say so.
		this.warn = options.warn ?? ((message) => console.warn(`[doris-sinker] ${message}`));
		this.workerFile = options.workerFile ?? defaultWorkerFile();
		this.buffers = new RequestBuffers(POSTED_PER_WORKER * Math.max(this.size, 1) + 1);
	}

	stats(): PackedPoolStats {
		return { ...this.counters };
	}

	/** Request buffers handed back and kept for the next requests (for tests). */
	get spareBuffers(): number {
		return this.buffers.size;
	}

	/** Live workers (for tests and the metrics of a caller). */
	get workers(): number {
		return this.slots.length;
	}

	/**
	 * routePacked, in a worker when the item is big enough and a worker is (or can be) there; the
	 * result, the metrics and the fields counted into `unmatched` are the same either way.
	 */
	route(packed: PackedRows, mapper: RowMapper, labels: RouteLabels, index: number, unmatched: Map<string, number> | null = null): Promise<RoutedPacked> {
		if (this.size === 0 || this.disabled || packed.count < this.minLines) {
			this.counters.routedInThread++;
			return routeHere(packed, mapper, labels, index, unmatched);
		}
		return new Promise<RoutedPacked>((resolve, reject) => {
			this.waiting.push({ packed, mapper, labels, index, unmatched, invalidParts: [], resolve, reject });
			this.dispatch();
		});
	}

	/** Items routed here, not yet handed to a worker (every worker has POSTED_PER_WORKER). */
	get waitingItems(): number {
		return this.waiting.length;
	}

	/** Hands waiting items to workers with room, starting workers up to the size. */
	private dispatch(): void {
		while (this.waiting.length > 0) {
			if (this.waiting[0].packed.jsonLines.length >= this.tooBigChars) {
				this.counters.routedInThread++;
				this.settleInThread(this.waiting.shift() as Task);
				continue;
			}
			let slot: Slot | null;
			try {
				slot = this.disabled ? null : this.pick();
			} catch (error) {
				this.fallBack(this.waiting.shift() as Task, `could not start a worker thread (${messageOf(error)})`);
				continue;
			}
			if (slot === null) {
				// Disabled meanwhile (close() has settled the rest), or every worker has its share.
				if (this.disabled) for (const task of this.waiting.splice(0)) this.settleInThread(task);
				return;
			}
			this.post(slot, this.waiting.shift() as Task);
		}
	}

	private post(slot: Slot, task: Task): void {
		const id = this.nextId++;
		try {
			const { request, transfer } = routeRequest(id, task.mapper, task.packed, task.index, this.buffers);
			slot.worker.postMessage(request, transfer);
		} catch (error) {
			// E.g. a value that cannot be cloned: routed here instead.
			this.fallBack(task, `could not hand the item to a worker thread (${messageOf(error)})`);
			return;
		}
		if (slot.inflight.size === 0) slot.worker.ref(); // an item in flight keeps the process up, as a socket would
		slot.inflight.set(id, task);
	}

	/** Terminates every worker; items in flight or waiting are routed in the calling thread. The pool can be used again. */
	async close(): Promise<void> {
		const slots = this.slots.splice(0);
		for (const task of this.waiting.splice(0)) {
			this.counters.fallbacks++;
			this.settleInThread(task);
		}
		await Promise.all(
			slots.map((slot) => {
				slot.closing = true;
				return slot.worker.terminate();
			}),
		);
	}

	/** Test hook: sends 'exit' (the worker ends at once), 'throw' (its next route fails), 'exit-after-part' (it ends once its next route has sent a part) or 'unreadable-part' (its next part cannot be read here) to worker n. */
	testHook(hook: PackedWorkerTestHook, n = 0): void {
		const request: PackedWorkerRequest = { kind: 'test', hook };
		this.slots[n]?.worker.postMessage(request);
	}

	/**
	 * The least busy worker; a new one while there is room and every worker is busy; null when every
	 * worker has POSTED_PER_WORKER items.
	 */
	private pick(): Slot | null {
		let best: Slot | null = null;
		for (const slot of this.slots) if (best === null || slot.inflight.size < best.inflight.size) best = slot;
		if (best !== null && (best.inflight.size === 0 || this.slots.length >= this.size)) return best.inflight.size < POSTED_PER_WORKER ? best : null;
		return this.spawn();
	}

	private spawn(): Slot {
		const worker = new Worker(this.workerFile, { resourceLimits: WORKER_RESOURCE_LIMITS });
		worker.unref();
		const slot: Slot = { worker, inflight: new Map(), closing: false, unreadable: false, lastError: null };
		this.slots.push(slot);
		this.counters.started++;
		worker.on('message', (message: PackedWorkerMessage) => this.onMessage(slot, message));
		worker.on('error', (error) => {
			slot.lastError = error;
		});
		// A message the main thread cannot read (e.g. a line nested deeper than this thread's stack reads
		// back; a worker's stack is bigger): which item it was is unknown, so the worker goes, nothing it
		// sends after is used, and every item it holds is routed here.
		worker.on('messageerror', (error) => {
			slot.lastError = error;
			slot.unreadable = true;
			void worker.terminate();
		});
		worker.on('exit', (code) => this.onExit(slot, code));
		return slot;
	}

	private onMessage(slot: Slot, message: PackedWorkerMessage): void {
		if (slot.unreadable) return;
		const task = slot.inflight.get(message.id);
		if (task === undefined) return;
		if ('invalidPart' in message) {
			task.invalidParts.push(message.invalidPart);
			return;
		}
		slot.inflight.delete(message.id);
		if (slot.inflight.size === 0) slot.worker.unref();
		if (message.ok && message.spare !== undefined) this.buffers.give(message.spare);
		// The worker has room again: its next item goes now, before this one's result is used.
		this.dispatch();
		if (!message.ok) {
			if (++this.failuresInARow >= MAX_FAILURES_IN_A_ROW) this.disable(`${this.failuresInARow} packed items in a row failed in a worker thread (last: ${message.message})`);
			else if (!this.warnedError) {
				this.warnedError = true;
				this.warn(`Doris Schema: a worker thread failed to map a packed item (${message.message}); mapping it in the main thread instead`);
			}
			this.counters.fallbacks++;
			this.settleInThread(task);
			return;
		}
		this.failuresInARow = 0;
		this.counters.routedInWorker++;
		countInvalidLines(message.counts, task.mapper, task.labels);
		if (task.unmatched !== null) for (const [name, n] of message.unmatched) task.unmatched.set(name, (task.unmatched.get(name) ?? 0) + n);
		const routed = routedOf(message, task.packed.jsonLines);
		if (task.invalidParts.length > 0) routed.invalid = task.invalidParts.concat([routed.invalid]).flat();
		// Only the length is kept: the bytes die young here, and the batch encodes the text when it loads.
		if (routed.packed !== null && message.bytes !== undefined) rememberEncodedLines(routed.packed, message.bytes.byteLength);
		task.resolve(routed);
	}

	private onExit(slot: Slot, code: number): void {
		const at = this.slots.indexOf(slot);
		if (at >= 0) this.slots.splice(at, 1);
		const tasks = [...slot.inflight.values()];
		slot.inflight.clear();
		if (!slot.closing) {
			this.counters.lost++;
			const why = slot.lastError !== null ? slot.lastError.message : `exit code ${code}`;
			const tooBig = this.markTooBig(slot, tasks);
			if (++this.failuresInARow >= MAX_FAILURES_IN_A_ROW) this.disable(`${this.failuresInARow} worker threads in a row stopped (last: ${why})`);
			else {
				this.warn(`Doris Schema: a worker thread stopped (${why}) with ${tasks.length} packed item(s) in hand; mapping them in the main thread, next items get a new worker${tooBig}`);
			}
		}
		for (const task of tasks) {
			this.counters.fallbacks++;
			this.settleInThread(task);
		}
		// Items still waiting get a new worker (or this thread, when the pool gave up on workers).
		this.dispatch();
	}

	/** After a worker ran out of heap, the item it was mapping (the first in hand: it maps them in order) sets tooBigChars; what the warning adds. */
	private markTooBig(slot: Slot, tasks: Task[]): string {
		const code = (slot.lastError as NodeJS.ErrnoException | null)?.code;
		if (code !== 'ERR_WORKER_OUT_OF_MEMORY' || tasks.length === 0) return '';
		this.tooBigChars = Math.min(this.tooBigChars, tasks[0].packed.jsonLines.length);
		return ` (items of ${this.tooBigChars} characters or more are mapped in the main thread from now on: they may need more than a worker's heap)`;
	}

	/** Too many failures: the workers go, packed items are mapped in the calling thread from now on. */
	private disable(why: string): void {
		if (this.disabled) return;
		this.disabled = true;
		this.warn(`Doris Schema: ${why}; mapping packed items in the main thread from now on`);
		void this.close();
	}

	private fallBack(task: Task, why: string): void {
		if (!this.warnedError) {
			this.warnedError = true;
			this.warn(`Doris Schema: ${why}; mapping the packed item in the main thread instead`);
		}
		this.counters.fallbacks++;
		this.settleInThread(task);
	}

	private settleInThread(task: Task): void {
		// Mapped again from the start: the parts a worker sent are dropped, not added twice.
		task.invalidParts = [];
		try {
			task.resolve(routePackedCountingUnmatched(task.packed, task.mapper, task.labels, task.index, task.unmatched));
		} catch (error) {
			task.reject(error);
		}
	}
}

/** routePackedCountingUnmatched, its throw as a rejection. */
function routeHere(packed: PackedRows, mapper: RowMapper, labels: RouteLabels, index: number, unmatched: Map<string, number> | null): Promise<RoutedPacked> {
	try {
		return Promise.resolve(routePackedCountingUnmatched(packed, mapper, labels, index, unmatched));
	} catch (error) {
		return Promise.reject(error);
	}
}

/**
 * The signature the node calls: routePacked through `pool` (null = in the calling thread); the fields
 * of its lines that match no column are counted into `unmatched`, wherever the lines were mapped.
 */
export function routePackedParallel(
	packed: PackedRows,
	mapper: RowMapper,
	labels: RouteLabels,
	index: number,
	pool: PackedWorkerPool | null,
	unmatched: Map<string, number> | null = null,
): Promise<RoutedPacked> {
	if (pool === null) return routeHere(packed, mapper, labels, index, unmatched);
	return pool.route(packed, mapper, labels, index, unmatched);
}

/** The process's pools, one per size asked for (a node's "Worker Threads"), shared by its executions. */
const shared = new Map<number, PackedWorkerPool>();

/** The shared pool of `size` workers; null for 0 (route in the calling thread). */
export function sharedPackedPool(size: number, warn?: (message: string) => void): PackedWorkerPool | null {
	if (size === 0) return null;
	let pool = shared.get(size);
	if (pool === undefined) {
		pool = new PackedWorkerPool({ size, warn });
		shared.set(size, pool);
	}
	return pool;
}

/** Terminates the shared pools' workers (items in flight finish in the calling thread). */
export async function closePackedWorkers(): Promise<void> {
	const pools = [...shared.values()];
	shared.clear();
	await Promise.all(pools.map((p) => p.close()));
}
