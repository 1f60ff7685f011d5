/**
 * One HTTP exchange with a Doris FE or BE. Two transports, split by leg:
 *
 * FE leg (PUT of a load to an FE): node:http, see fe-leg.ts. The FE refuses a load without an
 * `Expect` header (fe/.../httpv2/rest/LoadAction.java: `if (request.getHeader(EXPECT) == null)
 * return new RestBaseResult("There is no 100-continue header")`), and undici refuses to send one
 * over HTTP/1.1 (undici 8.13.1 lib/core/request.js:581, `headerName === 'expect'` →
 * `NotSupportedError('expect header not supported')`; its `expectContinue` is HTTP/2 only, which
 * Doris' Jetty does not speak). The FE answers 307 from the headers alone without reading the body,
 * so only headers cross that connection; it is not kept (it still expects a body we never sent).
 *
 * Everything else: undici, one Agent per client with pooled keep-alive connections, bounded per
 * origin. That is the body to the BE (after the 307, or in direct-to-BE mode), the ErrorURL read
 * and the FE GETs (get_load_state). The BE does not require `Expect`: be/src/http/ev_http_server.cpp
 * only strips it (so libevent sends no `100 Continue`) when a handler refuses a request at header
 * time, and be/src/http/action/stream_load.cpp never checks it; so none is sent there. The body is
 * the batch's replayable Buffer[] (one Buffer as is, several as a Readable over the same chunks),
 * with Content-Length, so every redirect and retry re-sends it without copying.
 */
import { Readable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';

import { AbortError } from './errors';
import { createFeAgents, sendFeLeg, type FeAgents } from './fe-leg';
import { TransportError, type HttpAnswer, type HttpRequest } from './http-types';

export { TransportError, type AnswerHeaders, type HttpAnswer, type HttpRequest } from './http-types';

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
	/** Pooled connections per origin (each BE, each FE). */
	connections?: number;
	/** How long an idle pooled connection is kept (undici caps it by the server's Keep-Alive hint). */
	keepAliveMs?: number;
}

export class HttpTransport {
	readonly fe: FeAgents;
	readonly pool: Agent;

	constructor(options: TransportOptions = {}) {
		this.fe = createFeAgents(options.tls);
		this.pool = new Agent({
			connections: options.connections ?? 16,
			keepAliveTimeout: options.keepAliveMs ?? 4000,
			// Doris serves HTTP/1.1 (Jetty on the FE, libevent on the BE); no ALPN surprises.
			allowH2: false,
			connect: { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true },
		});
	}

	/** The FE leg for a PUT marked expectContinue, the pool for everything else. */
	send(request: HttpRequest): Promise<HttpAnswer> {
		if (request.method === 'PUT' && request.expectContinue === true) return sendFeLeg(this.fe, request);
		return this.sendPooled(request);
	}

	private async sendPooled(request: HttpRequest): Promise<HttpAnswer> {
		const { signal, url } = request;
		if (signal?.aborted === true) throw new AbortError();
		const chunks = request.body ?? [];
		const headers: Record<string, string> = { ...request.headers };
		let body: Buffer | Readable | undefined;
		if (request.method === 'PUT') {
			let length = 0;
			for (const chunk of chunks) length += chunk.length;
			headers['content-length'] = String(length);
			body = chunks.length === 1 ? chunks[0] : chunks.length === 0 ? Buffer.alloc(0) : Readable.from(chunks, { objectMode: false });
		}
		let bodySent = false;
		try {
			const res = await undiciRequest(url, {
				dispatcher: this.pool,
				method: request.method,
				headers,
				body,
				signal,
				headersTimeout: request.timeoutMs,
				bodyTimeout: request.timeoutMs,
			});
			bodySent = request.method === 'PUT';
			const limit = request.maxResponseBytes ?? 1 << 20;
			const parts: Buffer[] = [];
			let size = 0;
			for await (const part of res.body as AsyncIterable<Buffer>) {
				parts.push(part);
				size += part.length;
				if (size >= limit) break; // leaving the loop destroys the rest (the connection is not reused)
			}
			const text = Buffer.concat(parts).subarray(0, limit).toString('utf8');
			return { status: res.statusCode, headers: res.headers, body: text, bodySent };
		} catch (error) {
			if (aborted(signal)) throw new AbortError();
			throw toTransportError(error, request, bodySent);
		}
	}

	/** Drops every connection; exchanges in flight fail. */
	close(): void {
		this.fe.http.destroy();
		this.fe.https.destroy();
		this.pool.destroy().catch(() => undefined);
	}
}

// A function, so TypeScript does not narrow `signal.aborted` from the check before the await.
function aborted(signal: AbortSignal | undefined): boolean {
	return signal?.aborted === true;
}

function toTransportError(error: unknown, request: HttpRequest, bodySent: boolean): TransportError {
	const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'EUNKNOWN';
	const host = request.url.host;
	if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
		return new TransportError(`no answer from ${host} within ${request.timeoutMs} ms`, 'TIMEOUT', true, bodySent, error);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new TransportError(`${request.method} ${host}: ${message}`, code, !UNDICI_CONNECT_CODES.has(code), bodySent, error);
}
