/** What both transports (fe-leg.ts, request.ts) take and give back. */
export type AnswerHeaders = Record<string, string | string[] | undefined>;

export interface HttpRequest {
	method: 'PUT' | 'GET';
	url: URL;
	headers: Record<string, string>;
	/** The body as chunks; replayable, so the same array serves every redirect and retry. */
	body?: readonly Buffer[];
	/**
	 * This PUT goes to an FE: send it through node:http with `Expect: 100-continue` and hold the
	 * body until the server asks for it (an FE answers 307 first).
	 */
	expectContinue?: boolean;
	continueTimeoutMs?: number;
	/** The FE leg: connect to last answer byte. The pooled leg: wait for the answer's headers, and at most this long between two chunks of its body. */
	timeoutMs: number;
	/** Stop reading the response after this many bytes (the rest is dropped). */
	maxResponseBytes?: number;
	signal?: AbortSignal;
}

export interface HttpAnswer {
	status: number;
	headers: AnswerHeaders;
	body: string;
	/** Whether the request body went out (false when the server answered from the headers). */
	bodySent: boolean;
}

/** One HTTP exchange, or a layer that behaves like one (redirects followed, …). */
export type HttpSend = (request: HttpRequest) => Promise<HttpAnswer>;

/** A failure below HTTP: no answer at all. `connected` says whether a socket was ever open. */
export class TransportError extends Error {
	readonly code: string;
	readonly connected: boolean;
	readonly bodySent: boolean;
	constructor(message: string, code: string, connected: boolean, bodySent: boolean, cause?: unknown) {
		super(message, cause === undefined ? undefined : { cause });
		this.name = 'TransportError';
		this.code = code;
		this.connected = connected;
		this.bodySent = bodySent;
	}
}

