/**
 * The sizes and limits of the Doris Schema node's worker threads (packed-worker-pool.ts): how many
 * threads, from how many lines an item goes to one, each worker's heap, how many items it holds, and
 * when the pool gives up on workers. Kept apart so the node's parameters read them without the pool.
 */
import type { ResourceLimits } from 'node:worker_threads';

/** Worker threads of the Doris Schema node by default: one other core maps while n8n's main thread stays free. */
export const DEFAULT_WORKER_THREADS = 1;
/** More threads than cores only adds switching; 16 is well past what one n8n process gets. */
export const MAX_WORKER_THREADS = 16;
/** Below this many lines a packed item is routed in the calling thread. */
export const PACKED_WORKER_MIN_LINES = 1000;
/**
 * A worker's heap. Young generation: V8 sizes it from the machine's memory like a main thread's (128
 * MB on a 24 GB host), and a worker allocates only short-lived per-line values besides the item's big
 * strings (which live outside it): 16 MB halved the worker's heap (~180 → ~80 MB with 20 items of
 * 5,000 lines in flight) for the same CPU time.
 *
 * Old generation, 64 MB: each item leaves ~1.7 MB of memory outside the heap to the garbage collector
 * (the text read from the request's bytes, promoted before the item is done; the bytes' buffer goes
 * back, RequestBuffers), ~3.4 MB before buffers went back. V8 starts a full
 * collection for such memory only once 64 MB of it have piled up since the last one (V8
 * heap.cc, kExternalAllocationSoftLimit), and counts it against the old generation's limit; the
 * worker's own objects stay small (~8–20 MB), so that limit is what collects it sooner: in the
 * benchmark the worker's external memory peaked at 36 MB instead of 70
 * (bench/results/2026-12-06-300000-s10-rss.md). Big texts are not heap objects and fit whatever their
 * size, and invalid lines leave in parts (INVALID_PART_ITEMS). An item that needs more heap all the same
 * (one line of a ~60 MB string value) ends the worker with ERR_WORKER_OUT_OF_MEMORY: it is mapped in the
 * calling thread like any item of a worker that stopped (nothing is lost), and so is every later item
 * at least as big (PackedWorkerPool.tooBigChars).
 */
export const WORKER_RESOURCE_LIMITS: ResourceLimits = Object.freeze({ maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 64 });
/**
 * Items handed to one worker at once: the one it maps and the next, so it never waits for this
 * thread between two. The rest wait here, where n8n holds their text anyway: a posted item is also
 * a serialised copy in the worker's message queue until the worker reads it, ~1.7 MB per 5,000
 * benchmark lines, which with 20 executions in flight and one worker was up to ~30 MB.
 */
export const POSTED_PER_WORKER = 2;
/** Consecutive worker failures (no success between) after which a pool routes in-thread for good. */
export const MAX_FAILURES_IN_A_ROW = 3;
