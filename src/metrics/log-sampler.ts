/**
 * Log sampling: when Doris is down or a topic carries a run of malformed messages, the same error
 * arrives thousands of times a second and would drown n8n's log (and its disk). The sampler passes the first K lines of each kind per
 * interval, drops the rest, and when the interval is over writes one summary line saying how many
 * were dropped, so the log still tells how bad it was.
 *
 * "Of the same kind" means the same level and the same message once digit runs are masked (offsets,
 * partitions, row counts differ from line to line; the failure does not). Callers with a better
 * notion pass `key` or put a `sampleKey` in the metadata.
 *
 * Generic over a logger with error/warn/info/debug, so nodes wrap n8n's `this.logger` and src/
 * stays n8n-free.
 */
import { metrics } from './metrics';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogMeta = Record<string, unknown>;

/** Method syntax on purpose: n8n's Logger (metadata typed LogMetadata) is accepted as it is. */
export interface SamplerLogger {
	error(message: string, meta?: LogMeta): void;
	warn(message: string, meta?: LogMeta): void;
	info(message: string, meta?: LogMeta): void;
	debug(message: string, meta?: LogMeta): void;
}

export interface LogSamplerOptions {
	/** Lines of one kind passed through per interval (K). Default 5. */
	first?: number;
	/** Length of the interval in ms. Default 60 000. */
	intervalMs?: number;
	/** Levels that are sampled; others always pass. Default all four. */
	levels?: readonly LogLevel[];
	/** Groups lines into kinds. Default: level + message with digit runs masked, or meta.sampleKey. */
	key?: (level: LogLevel, message: string, meta: LogMeta | undefined) => string;
	/** Clock, for tests. Default Date.now. */
	now?: () => number;
}

export interface SampledLogger extends SamplerLogger {
	/** Writes the summaries of all open intervals now and starts afresh (call before shutdown). */
	flush(): void;
	/** flush() and stop the sweep timer. The logger still works afterwards, unsampled windows reopen. */
	close(): void;
}

interface Window {
	level: LogLevel;
	start: number;
	seen: number;
	suppressed: number;
	lastMessage: string;
	lastMeta: LogMeta | undefined;
}

const ALL_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export function defaultSampleKey(level: LogLevel, message: string, meta: LogMeta | undefined): string {
	const explicit = meta?.sampleKey;
	if (typeof explicit === 'string' && explicit !== '') return `${level}|${explicit}`;
	return `${level}|${message.replace(/\d+/g, '#')}`;
}

function positiveInteger(value: number, field: string): number {
	if (!Number.isInteger(value) || value < 1) {
		throw new RangeError(`log sampler ${field} must be a positive integer, got ${JSON.stringify(value)}`);
	}
	return value;
}

export function createLogSampler(logger: SamplerLogger, options: LogSamplerOptions = {}): SampledLogger {
	const first = positiveInteger(options.first ?? 5, 'first');
	const intervalMs = positiveInteger(options.intervalMs ?? 60_000, 'intervalMs');
	const sampled = new Set<LogLevel>(options.levels ?? ALL_LEVELS);
	const keyOf = options.key ?? defaultSampleKey;
	const now = options.now ?? Date.now;
	const windows = new Map<string, Window>();
	let timer: NodeJS.Timeout | undefined;

	function summarise(w: Window, endedAt: number): void {
		if (w.suppressed === 0) return;
		const seconds = Math.max(1, Math.round((endedAt - w.start) / 1000));
		logger[w.level](`${w.lastMessage} [${w.suppressed} more like this suppressed in the last ${seconds}s]`, {
			...w.lastMeta,
			suppressed: w.suppressed,
			sampledIntervalMs: intervalMs,
		});
	}

	function sweep(): void {
		const t = now();
		for (const [key, w] of windows) {
			if (t - w.start >= intervalMs) {
				summarise(w, t);
				windows.delete(key);
			}
		}
		if (windows.size === 0) stopTimer();
	}

	function stopTimer(): void {
		if (timer !== undefined) clearInterval(timer);
		timer = undefined;
	}

	function startTimer(): void {
		if (timer !== undefined) return;
		// Sweeping a few times per interval bounds how late a summary can be after a burst ends,
		// and drops windows of one-off messages so the map does not grow with unique lines.
		timer = setInterval(sweep, Math.min(Math.max(Math.floor(intervalMs / 4), 10), 10_000));
		// A sampler must never be what keeps n8n (or a test) alive.
		timer.unref();
	}

	function log(level: LogLevel, message: string, meta: LogMeta | undefined): void {
		if (!sampled.has(level)) {
			logger[level](message, meta);
			return;
		}
		const key = keyOf(level, message, meta);
		const t = now();
		let w = windows.get(key);
		if (w !== undefined && t - w.start >= intervalMs) {
			summarise(w, t);
			w = undefined;
		}
		if (w === undefined) {
			w = { level, start: t, seen: 0, suppressed: 0, lastMessage: message, lastMeta: meta };
			windows.set(key, w);
			startTimer();
		}
		w.seen++;
		if (w.seen <= first) {
			logger[level](message, meta);
			return;
		}
		w.suppressed++;
		w.lastMessage = message;
		w.lastMeta = meta;
		metrics.logMessagesSuppressed.inc({ level });
	}

	function flush(): void {
		const t = now();
		for (const w of windows.values()) summarise(w, t);
		windows.clear();
		stopTimer();
	}

	return {
		error: (message, meta) => log('error', message, meta),
		warn: (message, meta) => log('warn', message, meta),
		info: (message, meta) => log('info', message, meta),
		debug: (message, meta) => log('debug', message, meta),
		flush,
		close: flush,
	};
}
