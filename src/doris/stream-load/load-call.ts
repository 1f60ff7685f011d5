/**
 * What flows through the layers of the Stream Load client (client.ts): one load's request, the
 * attempt it is on, and its history. A layer is a function from the next layer's `send` to its
 * own, the way undici composes dispatchers; each sees a `LoadCall` and answers with what the layer
 * outside it needs.
 */
import type { ExchangeProgress } from './http-types';

export interface StreamLoadLogger {
	debug?(message: string, meta?: Record<string, unknown>): void;
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
	/** Rows gone that no output holds, or that may load twice (n8n's logger has it; a logger without it gets a warning). */
	error?(message: string, meta?: Record<string, unknown>): void;
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
	/**
	 * When `signal` gives the load up (a deadline's margin, src/batch/load-deadline.ts) after an attempt
	 * began: ask get_load_state for the label until this time (ms since the epoch) before failing, since
	 * a BE that has the body commits without its client (give-up.ts).
	 */
	settleBy?: number;
}

/** How one attempt ended, as doris_stream_load_total counts it. */
export type AttemptOutcome = 'success' | 'failed' | 'retried' | 'label_exists';

/**
 * The record of one load across its attempts: outcomes (the metrics layer listens to them) and what
 * this process learnt about its label, which decides whether a retry may send it again.
 */
export class LoadHistory {
	readonly outcomes: AttemptOutcome[] = [];
	/** Attempts started so far. */
	attempts = 0;
	/**
	 * Doris held this label for one of our attempts: a BE said "100 Continue" (it does so only after
	 * begin txn), or the label was seen RUNNING / PREPARE. If Doris later reports it UNKNOWN, it was
	 * forgotten after finishing, loaded or not: sending it again could load the batch twice.
	 */
	labelHeld = false;
	/**
	 * The last attempt ended without a verdict after its body may have reached a BE (a lost answer,
	 * a timeout, silence): whether it loaded is Doris' to say (get_load_state) before a re-send.
	 */
	unsettled = false;

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
	/** Reports of the exchange in flight (the silence watch listens). */
	progress?: ExchangeProgress;
}

export type LoadSend<T> = (call: LoadCall) => Promise<T>;
