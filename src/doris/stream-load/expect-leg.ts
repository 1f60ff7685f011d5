/**
 * A PUT with `Expect: 100-continue` over node:http: the headers go first and the body only once the
 * server says "100 Continue" (or after `continueTimeoutMs` of silence, as curl waits 1 s, so a
 * server that ignores Expect still gets it). Every hop of a load goes this way:
 * - an FE refuses a load without `Expect` (LoadAction: "There is no 100-continue header") and answers
 *   307 from the headers alone, without reading the body (also its 307 to its own https port with
 *   enable_https, RestBaseController.redirectToHttps);
 * - a BE sends "100 Continue" only once its on_header passed, auth, label and begin txn included
 *   (be/src/http/ev_http_server.cpp removes Expect when the handler refused), so "Label Already
 *   Exists", a wrong password or an unknown table cost no upload, and a 100 means the load's
 *   transaction began (stream_load.cpp begins it in on_header). The same in 2.1, 3.0 and 3.1.
 * Why not undici: it refuses an `expect` header on HTTP/1.1 (undici 8.13.1 lib/core/request.js:581,
 * `NotSupportedError('expect header not supported')`; its `expectContinue` is HTTP/2 only, which
 * Doris' Jetty and libevent do not speak).
 *
 * A connection answered before its body was sent is destroyed: it still expects that body, so it
 * must not go back to the pool. One answered after the whole body went out is kept alive.
 */
import http from 'node:http';
import https from 'node:https';

import { AbortError } from './errors';
import { TransportError, type HttpAnswer, type HttpRequest } from './http-types';

export interface ExpectAgents {
	http: http.Agent;
	https: https.Agent;
}

/** Kept-alive sockets, at most `maxSockets` per origin (each FE, each BE). */
export function createExpectAgents(tls: { ca?: string; rejectUnauthorized: boolean } | undefined, maxSockets: number, keepAliveMs: number): ExpectAgents {
	return {
		http: new http.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: keepAliveMs }),
		https: new https.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: keepAliveMs, ca: tls?.ca, rejectUnauthorized: tls?.rejectUnauthorized ?? true }),
	};
}

export function sendExpecting(agents: ExpectAgents, request: HttpRequest): Promise<HttpAnswer> {
	if (request.signal?.aborted === true) return Promise.reject(new AbortError());
	const { url } = request;
	const isHttps = url.protocol === 'https:';
	const body = request.body ?? [];
	let length = 0;
	for (const chunk of body) length += chunk.length;
	const headers: Record<string, string> = { ...request.headers };
	headers['Content-Length'] = String(length);
	headers.Expect = '100-continue';

	return new Promise<HttpAnswer>((resolve, reject) => {
		let connected = false;
		let bodySent = false;
		let continued = false;
		let settled = false;

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
			req.end(() => request.progress?.bodySent?.());
		};

		req.on('socket', (socket) => {
			if (!socket.connecting) connected = true;
			else socket.once(isHttps ? 'secureConnect' : 'connect', () => (connected = true));
		});
		req.on('error', (error: NodeJS.ErrnoException) => {
			finish(new TransportError(`${request.method} ${url.host}: ${error.message}`, error.code ?? 'EUNKNOWN', connected, bodySent, error));
		});
		req.on('continue', () => {
			continued = true;
			request.progress?.continued?.();
			writeBody();
		});
		req.on('response', (res) => {
			clearTimeout(continueTimer);
			const answeredEarly = !bodySent;
			const chunks: Buffer[] = [];
			let size = 0;
			const limit = request.maxResponseBytes ?? 1 << 20;
			const done = () => {
				// Answered without our body (a 307, a refusal from the headers): the connection still
				// expects it, so it must not go back to the pool.
				if (answeredEarly) req.destroy();
				finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bodySent, continued });
			};
			res.on('data', (chunk: Buffer) => {
				if (size >= limit) return;
				chunks.push(chunk);
				size += chunk.length;
				if (size >= limit) {
					res.destroy();
					done();
				}
			});
			res.on('end', done);
			res.on('error', (error: NodeJS.ErrnoException) => {
				finish(new TransportError(`reading the answer of ${url.host}: ${error.message}`, error.code ?? 'EUNKNOWN', true, bodySent, error));
			});
		});

		// Every use of the timer above runs from an event, after this line.
		const continueTimer = setTimeout(writeBody, request.continueTimeoutMs ?? 1000);
		req.flushHeaders();
	});
}
