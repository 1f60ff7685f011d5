/** What both transports (expect-leg.ts, request.ts) take and give back. */
export type AnswerHeaders = Record<string, string | string[] | undefined>;

/** Which Doris process a hop of a load went to (redirect.ts tells them apart). */
export type HopKind = 'fe' | 'be';

/** What an exchange reports while it runs, before its answer (the silence watch and the label guard listen). */
export interface ExchangeProgress {
	/** The server sent "100 Continue": a Doris BE does so only once the load's transaction began. */
	continued?(hop?: HopKind): void;
	/** The whole body went out. */
	bodySent?(): void;
}

export interface HttpRequest {
	/** PUT: a load (expect-leg.ts). GET / POST: a short FE call without a body (get_load_state, _cancel). */
	method: 'PUT' | 'GET' | 'POST';
	url: URL;
	headers: Record<string, string>;
	/** The body as chunks; replayable, so the same array serves every redirect and retry. */
	body?: readonly Buffer[];
	/** A PUT waits this long for "100 Continue" before it sends its body anyway (curl waits 1 s). */
	continueTimeoutMs?: number;
	/** A PUT: connect to last answer byte. A GET: wait for the answer's headers, and at most this long between two chunks of its body. */
	timeoutMs: number;
	/** Stop reading the response after this many bytes (the rest is dropped). */
	maxResponseBytes?: number;
	signal?: AbortSignal;
	progress?: ExchangeProgress;
}

export interface HttpAnswer {
	status: number;
	headers: AnswerHeaders;
	body: string;
	/** Whether the request body went out (false when the server answered from the headers). */
	bodySent: boolean;
	/** Whether the server sent "100 Continue" first. */
	continued: boolean;
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
