/**
 * One HTTP exchange with a Doris FE or BE, the innermost layer of the Stream Load client. Two
 * transports, split by method:
 *
 * PUT (every hop of a load, FE or BE): node:http with `Expect: 100-continue` (expect-leg.ts says why
 * undici cannot), over kept-alive sockets bounded per origin. The body is the batch's replayable
 * Buffer[], with Content-Length, so every redirect and retry re-sends it without copying.
 *
 * GET (get_load_state on the FE, the ErrorURL): undici, one Agent per client with pooled keep-alive
 * connections, bounded per origin.
 */
import { Agent, request as undiciRequest } from 'undici';

import { AbortError } from './errors';
import { createExpectAgents, sendExpecting, type ExpectAgents } from './expect-leg';
import { TransportError, type HttpAnswer, type HttpRequest } from './http-types';

export { TransportError, type AnswerHeaders, type ExchangeProgress, type HttpAnswer, type HttpRequest, type HttpSend } from './http-types';

/** Connect-time failures: nothing reached the server, so another FE can be tried at once. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function isConnectFailure(error: unknown): boolean {
	return error instanceof TransportError && !error.connected && CONNECT_CODES.has(error.code);
}

// Codes undici reports only before a request reached a socket. A reset (ECONNRESET) can also
// come mid-request there, so it does not count: such a failure is retried after backoff instead.
const UNDICI_CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export interface TransportOptions {
	tls?: { ca?: string; rejectUnauthorized: boolean };
	/** Kept-alive connections per origin (each BE, each FE). */
	connections?: number;
	/** How long an idle kept-alive connection is kept (undici caps it by the server's Keep-Alive hint). */
	keepAliveMs?: number;
}

export class HttpTransport {
	readonly puts: ExpectAgents;
	readonly pool: Agent;

	constructor(options: TransportOptions = {}) {
		const connections = options.connections ?? 16;
		const keepAliveMs = options.keepAliveMs ?? 4000;
		this.puts = createExpectAgents(options.tls, connections, keepAliveMs);
		this.pool = new Agent({
			connections,
			keepAliveTimeout: keepAliveMs,
			// Doris serves HTTP/1.1 (Jetty on the FE, libevent on the BE); no ALPN surprises.
			allowH2: false,
			connect: { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true },
		});
	}

	send(request: HttpRequest): Promise<HttpAnswer> {
		if (request.method === 'PUT') return sendExpecting(this.puts, request);
		return this.call(request);
	}

	private async call(request: HttpRequest): Promise<HttpAnswer> {
		const { signal, url } = request;
		if (signal?.aborted === true) throw new AbortError();
		try {
			const res = await undiciRequest(url, {
				dispatcher: this.pool,
				method: request.method,
				headers: request.headers,
				signal,
				headersTimeout: request.timeoutMs,
				bodyTimeout: request.timeoutMs,
			});
			const limit = request.maxResponseBytes ?? 1 << 20;
			const parts: Buffer[] = [];
			let size = 0;
			for await (const part of res.body as AsyncIterable<Buffer>) {
				parts.push(part);
				size += part.length;
				if (size >= limit) break; // leaving the loop destroys the rest (the connection is not reused)
			}
			const text = Buffer.concat(parts).subarray(0, limit).toString('utf8');
			return { status: res.statusCode, headers: res.headers, body: text, bodySent: false, continued: false };
		} catch (error) {
			if (aborted(signal)) throw new AbortError();
			throw toTransportError(error, request);
		}
	}

	/** Drops every connection; exchanges in flight fail. */
	close(): void {
		this.puts.http.destroy();
		this.puts.https.destroy();
		this.pool.destroy().catch(() => undefined);
	}
}

// A function, so TypeScript does not narrow `signal.aborted` from the check before the await.
function aborted(signal: AbortSignal | undefined): boolean {
	return signal?.aborted === true;
}

function toTransportError(error: unknown, request: HttpRequest): TransportError {
	const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'EUNKNOWN';
	const host = request.url.host;
	if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
		return new TransportError(`no answer from ${host} within ${request.timeoutMs} ms`, 'TIMEOUT', true, false, error);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new TransportError(`${request.method} ${host}: ${message}`, code, !UNDICI_CONNECT_CODES.has(code), false, error);
}
