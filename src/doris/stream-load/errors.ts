/**
 * Errors of the Stream Load client. Each says whether trying again can help (`retryable`), names
 * the table, and never carries a password: URLs are redacted before they reach a message.
 */
import type { DorisLoadResponse } from './response';

export type StreamLoadErrorKind =
	| 'connection' // no answer: refused, reset, DNS, TLS
	| 'timeout' // no answer in time
	| 'http' // an HTTP status other than the ones Doris uses
	| 'auth' // user / password / privilege
	| 'not_found' // database, table or endpoint unknown
	| 'data_quality' // rows Doris rejected (Fail with ErrorURL / filtered rows)
	| 'doris' // another Doris failure
	| 'label' // the label is held by a load that never finishes (e.g. PRECOMMITTED)
	| 'config' // a bad option, caught before sending
	| 'aborted';

export class StreamLoadError extends Error {
	readonly kind: StreamLoadErrorKind;
	readonly retryable: boolean;
	readonly table?: string;
	readonly label?: string;
	/** Doris' answer, when there was one. */
	readonly response?: DorisLoadResponse;
	/** First rejected rows, read from the ErrorURL (bounded). */
	rejectedRows?: string[];
	/** Attempts made before giving up. */
	attempts = 1;
	/**
	 * Doris committed the load all the same (a Success whose row counts do not add up): its rows must
	 * not be sent again under any label, which would load those that landed twice.
	 */
	readonly committed: boolean;
	/**
	 * The load may be in Doris: an attempt whose body reached a BE ended without an answer and Doris
	 * cannot say what became of its label (no FE answers get_load_state, the label was forgotten, or
	 * it is still running at the end of the wait). Like `committed`, its rows must not be sent again
	 * under a fresh label (a redelivery), which would load them twice if it landed.
	 */
	readonly mayBeInDoris: boolean;

	constructor(
		message: string,
		init: {
			kind: StreamLoadErrorKind;
			retryable: boolean;
			table?: string;
			label?: string;
			response?: DorisLoadResponse;
			cause?: unknown;
			committed?: boolean;
			mayBeInDoris?: boolean;
		},
	) {
		super(message, init.cause === undefined ? undefined : { cause: init.cause });
		this.name = 'StreamLoadError';
		this.kind = init.kind;
		this.retryable = init.retryable;
		this.table = init.table;
		this.label = init.label;
		this.response = init.response;
		this.committed = init.committed === true;
		this.mayBeInDoris = init.mayBeInDoris === true;
	}
}

export class AbortError extends Error {
	constructor(message = 'The Stream Load was aborted') {
		super(message);
		this.name = 'AbortError';
	}
}

/** `http://user:pass@be:8040/x?y` → `http://be:8040/x?y`: for every URL that may reach a log or error. */
export function redactUrl(url: string | URL): string {
	try {
		const parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
		parsed.username = '';
		parsed.password = '';
		return parsed.href;
	} catch {
		return String(url).replace(/\/\/[^/@]*@/, '//');
	}
}

/** Removes `secret` (and its URL-encoded form) from a text, for messages built from server answers. */
export function scrub(text: string, secret: string): string {
	if (secret === '') return text;
	let out = text.split(secret).join('***');
	const encoded = encodeURIComponent(secret);
	if (encoded !== secret) out = out.split(encoded).join('***');
	return out;
}
