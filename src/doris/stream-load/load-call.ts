/**
 * What flows through the layers of the Stream Load client (client.ts): one load's request, the
 * attempt it is on, and its history. A layer is a function from the next layer's `send` to its
 * own, the way undici composes dispatchers; each sees a `LoadCall` and answers with what the layer
 * outside it needs.
 */

export interface StreamLoadLogger {
	debug?(message: string, meta?: Record<string, unknown>): void;
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
}

export interface LoadRequest {
	database: string;
	table: string;
	/** Undefined only with group commit (Doris assigns one). Must match headers.label. */
	label?: string;
	/** Doris headers from buildLoadHeaders. */
	headers: Record<string, string>;
	body: readonly Buffer[];
	/** Rows in the body: what counts as loaded when an earlier attempt's answer was lost. */
	rows?: number;
	signal?: AbortSignal;
}

/** How one attempt ended, as doris_stream_load_total counts it. */
export type AttemptOutcome = 'success' | 'failed' | 'retried' | 'label_exists';

/** The record of one load across its attempts; the metrics layer listens to it. */
export class LoadHistory {
	readonly outcomes: AttemptOutcome[] = [];
	/** Attempts started so far. */
	attempts = 0;

	constructor(private readonly onOutcome?: (outcome: AttemptOutcome) => void) {}

	record(outcome: AttemptOutcome): void {
		this.outcomes.push(outcome);
		this.onOutcome?.(outcome);
	}
}

export interface LoadCall {
	request: LoadRequest;
	/** 1-based; set by the retry layer. */
	attempt: number;
	history: LoadHistory;
}

export type LoadSend<T> = (call: LoadCall) => Promise<T>;
