/**
 * One HTTP exchange with a Doris FE or BE, with `Expect: 100-continue` done properly.
 *
 * Why node:http and not undici: the FE refuses a load without an `Expect` header
 * (fe/.../httpv2/rest/LoadAction.java: `if (request.getHeader(EXPECT) == null) return
 * RestBaseResult("There is no 100-continue header")`), and undici 8 refuses to send one over
 * HTTP/1.1 (lib/core/request.js throws `NotSupportedError('expect header not supported')`; its
 * `expectContinue` option only exists for HTTP/2, which Doris' Jetty/libevent servers do not speak).
 * node:http sends the header and reports the interim `100 Continue` as a 'continue' event.
 *
 * Why wait for 100 before the body: the FE answers 307 from the headers alone and never reads the
 * body (LoadAction returns a RedirectView without touching the input stream), so a body sent
 * eagerly would be wasted and, on a kept-alive connection, read as the next request. With Expect
 * we send only headers; the FE replies 307 at once, the BE (libevent evhttp) replies 100 and reads
 * the body. A server that ignores Expect gets the body after `continueTimeoutMs` (curl waits 1 s).
 * A connection on which we answered a 307 without sending the body is destroyed, not reused.
 */
import http from 'node:http';
import https from 'node:https';

import { AbortError } from './errors';

export interface HttpAgents {
	http: http.Agent;
	https: https.Agent;
}

export function createAgents(tls?: { ca?: string; rejectUnauthorized: boolean }, maxSockets = 16): HttpAgents {
	return {
		http: new http.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 }),
		https: new https.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000, ca: tls?.ca, rejectUnauthorized: tls?.rejectUnauthorized ?? true }),
	};
}

export interface HttpRequest {
	method: 'PUT' | 'GET';
	url: URL;
	headers: Record<string, string>;
	/** The body as chunks; replayable, so the same array serves every redirect and retry. */
	body?: readonly Buffer[];
	/** Send `Expect: 100-continue` and hold the body until the server asks for it. */
	expectContinue?: boolean;
	continueTimeoutMs?: number;
	/** Whole exchange, connect to last response byte. */
	timeoutMs: number;
	/** Stop reading the response after this many bytes (the rest is dropped). */
	maxResponseBytes?: number;
	signal?: AbortSignal;
}

export interface HttpAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
	/** Whether the request body went out (false when the server answered from the headers). */
	bodySent: boolean;
}

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

/** Connect-time failures: nothing reached the server, so another FE can be tried at once. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT']);

export function isConnectFailure(error: unknown): boolean {
	return error instanceof TransportError && !error.connected && CONNECT_CODES.has(error.code);
}

export function sendRequest(agents: HttpAgents, request: HttpRequest): Promise<HttpAnswer> {
	if (request.signal?.aborted === true) return Promise.reject(new AbortError());
	const { url } = request;
	const isHttps = url.protocol === 'https:';
	const body = request.body ?? [];
	let length = 0;
	for (const chunk of body) length += chunk.length;
	const headers: Record<string, string> = { ...request.headers };
	if (request.method === 'PUT') headers['Content-Length'] = String(length);
	if (request.expectContinue === true) headers.Expect = '100-continue';

	return new Promise<HttpAnswer>((resolve, reject) => {
		let connected = false;
		let bodySent = false;
		let settled = false;
		let continueTimer: NodeJS.Timeout | undefined;

		const req = (isHttps ? https : http).request({
			protocol: url.protocol,
			hostname: url.hostname.replace(/^\[|\]$/g, ''),
			port: url.port === '' ? undefined : Number(url.port),
			path: `${url.pathname}${url.search}`,
			method: request.method,
			headers,
			agent: isHttps ? agents.https : agents.http,
		});

		const finish = (error: Error | undefined, answer?: HttpAnswer) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			clearTimeout(continueTimer);
			request.signal?.removeEventListener('abort', onAbort);
			if (error !== undefined) reject(error);
			else resolve(answer as HttpAnswer);
		};
		const onAbort = () => {
			req.destroy();
			finish(new AbortError());
		};
		const timer = setTimeout(() => {
			req.destroy();
			finish(new TransportError(`no answer from ${url.host} within ${request.timeoutMs} ms`, 'TIMEOUT', connected, bodySent));
		}, request.timeoutMs);
		request.signal?.addEventListener('abort', onAbort, { once: true });

		const writeBody = () => {
			if (bodySent || settled) return;
			bodySent = true;
			clearTimeout(continueTimer);
			for (const chunk of body) req.write(chunk);
			req.end();
		};

		req.on('socket', (socket) => {
			if (!socket.connecting) connected = true;
			else socket.once(isHttps ? 'secureConnect' : 'connect', () => (connected = true));
		});
		req.on('error', (error: NodeJS.ErrnoException) => {
			finish(new TransportError(`${request.method} ${url.host}: ${error.message}`, error.code ?? 'EUNKNOWN', connected, bodySent, error));
		});
		req.on('continue', writeBody);
		req.on('response', (res) => {
			clearTimeout(continueTimer);
			const answeredEarly = !bodySent && request.method === 'PUT';
			const chunks: Buffer[] = [];
			let size = 0;
			const limit = request.maxResponseBytes ?? 1 << 20;
			res.on('data', (chunk: Buffer) => {
				if (size >= limit) return;
				chunks.push(chunk);
				size += chunk.length;
				if (size >= limit) {
					res.destroy();
					done();
				}
			});
			const done = () => {
				// The server answered without our body (a 307 from the FE): the connection still
				// expects it, so it must not go back to the pool.
				if (answeredEarly) req.destroy();
				finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bodySent });
			};
			res.on('end', done);
			res.on('error', (error: NodeJS.ErrnoException) => {
				finish(new TransportError(`reading the answer of ${url.host}: ${error.message}`, error.code ?? 'EUNKNOWN', true, bodySent, error));
			});
		});

		if (request.method !== 'PUT') {
			req.end();
		} else if (request.expectContinue === true) {
			req.flushHeaders();
			continueTimer = setTimeout(writeBody, request.continueTimeoutMs ?? 1000);
		} else {
			writeBody();
		}
	});
}
