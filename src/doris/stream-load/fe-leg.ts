/**
 * The FE leg of a load: a PUT to an FE over node:http with `Expect: 100-continue` (why not undici:
 * request.ts). Only the headers go out; the FE answers 307 from them (LoadAction returns a
 * RedirectView without touching the input stream), and the body then goes to the BE through the
 * pool. A server that does want the body here (it answers `100 Continue`, or ignores Expect for
 * `continueTimeoutMs`, as curl waits 1 s) still gets it on this connection: a proxy or a BE given
 * as an FE address keeps working. A connection answered before its body was sent is destroyed:
 * it still expects that body, so it must not go back to a pool.
 */
import http from 'node:http';
import https from 'node:https';

import { AbortError } from './errors';
import { TransportError, type HttpAnswer, type HttpRequest } from './http-types';

export interface FeAgents {
	http: http.Agent;
	https: https.Agent;
}

/** Few, short exchanges (headers and a 307): a small pool, and sockets are rarely reusable anyway. */
export function createFeAgents(tls?: { ca?: string; rejectUnauthorized: boolean }, maxSockets = 8): FeAgents {
	return {
		http: new http.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 }),
		https: new https.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000, ca: tls?.ca, rejectUnauthorized: tls?.rejectUnauthorized ?? true }),
	};
}

export function sendFeLeg(agents: FeAgents, request: HttpRequest): Promise<HttpAnswer> {
	if (request.signal?.aborted === true) return Promise.reject(new AbortError());
	const { url } = request;
	const isHttps = url.protocol === 'https:';
	const body = request.body ?? [];
	let length = 0;
	for (const chunk of body) length += chunk.length;
	const headers: Record<string, string> = { ...request.headers };
	if (request.method === 'PUT') headers['Content-Length'] = String(length);
	headers.Expect = '100-continue';

	return new Promise<HttpAnswer>((resolve, reject) => {
		let connected = false;
		let bodySent = false;
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
			const answeredEarly = !bodySent;
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

		// Every use of the timer above runs from an event, after this line.
		const continueTimer = setTimeout(writeBody, request.continueTimeoutMs ?? 1000);
		req.flushHeaders();
	});
}
