/**
 * The defaults of a load into Doris, in the units src/ works in: the Doris Stream Load node's
 * description shows them (converted to its fields' units) and its settings reader falls back to
 * them, so each is written once.
 *
 * Batch sizes: the orders example's batches (1000 rows / 10 MB / 10 s) are too small for a Kafka
 * firehose, and the logs example's (50000 rows / 50 MB / 60 s) make every execution wait up to a
 * minute for its acknowledgement. These are the logs sizes
 * (few, large loads: far from Doris' -235 version limit) with the orders interval: a quiet topic is
 * acknowledged within 10 s, while a busy one fills batches by size long before that.
 */
import type { DeleteMode } from './load-items';

const MB = 1024 * 1024;

export const LOAD_DEFAULTS = {
	maxRows: 50_000,
	maxBytes: 50 * MB,
	maxIntervalMs: 10_000,
	/** A batch nobody added to for this long is loaded: the trigger may be paused, waiting on it. */
	maxIdleMs: 1000,
	/** One load per table at a time keeps batches in order (CDC without a sequence column). */
	maxInFlight: 1,
	/** Doris' load timeout (header `timeout`); the client waits this plus a minute for an answer. */
	timeoutSeconds: 600,
	labelPrefix: 'n8n',
	deletes: 'auto' as DeleteMode,
} as const;
