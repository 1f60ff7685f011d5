/**
 * An HTTP proxy in front of the test ground's Schema Registry that one test can slow down or break
 * without touching the registry other tests share: answers for some paths delayed, every request
 * answered with a status (503, 401) or left hanging, or connections refused (the listener closed) and
 * then accepted again on the same port. Every request is recorded with when it was answered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { schemaRegistryUrl } from './kafka/env';

export type ProxyMode = { kind: 'pass' } | { kind: 'status'; status: number } | { kind: 'hang' };

export interface ProxiedRequest {
	path: string;
	at: number;
	/** When the answer went out; undefined while it is held (delay, hang). */
	answeredAt?: number;
	status?: number;
}

export class RegistryProxy {
	readonly requests: ProxiedRequest[] = [];
	private mode: ProxyMode = { kind: 'pass' };
	private readonly delays: Array<{ path: RegExp; ms: number }> = [];
	private readonly notFound: Array<{ path: RegExp; left: number }> = [];
	private readonly hanging = new Set<ServerResponse>();
	private server: Server | undefined;
	private port = 0;
	private readonly upstream = new URL(schemaRegistryUrl);

	/** Starts on an ephemeral port of 127.0.0.1. */
	static async start(): Promise<RegistryProxy> {
		const proxy = new RegistryProxy();
		await proxy.listen();
		return proxy;
	}

	/** The registry's Confluent-compatible API through this proxy (same path as the real one). */
	get url(): string {
		return `http://127.0.0.1:${this.port}${this.upstream.pathname.replace(/\/+$/, '')}`;
	}

	/** Holds answers to paths matching `path` for `ms` before passing them on. */
	delay(path: RegExp, ms: number): void {
		this.delays.push({ path, ms });
	}

	/**
	 * Answers the next `times` requests for paths matching `path` as a registry replica that has not yet
	 * read a schema just registered: 404 with error code 40403.
	 */
	notYetReplicated(path: RegExp, times: number): void {
		this.notFound.push({ path, left: times });
	}

	/** What the proxy does with the next requests: pass them on, answer with a status, or never answer. */
	set(mode: ProxyMode): void {
		this.mode = mode;
		if (mode.kind !== 'hang') this.releaseHanging();
	}

	/** Refuses connections (the listener and every open connection closed), as a registry that is down. */
	async cut(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		this.releaseHanging();
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
	}

	/** Accepts connections again on the same port and passes requests on. */
	async restore(): Promise<void> {
		this.set({ kind: 'pass' });
		if (!this.server) await this.listen();
	}

	async close(): Promise<void> {
		await this.cut();
	}

	private async listen(): Promise<void> {
		const server = createServer((request, response) => void this.handle(request, response));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.port, '127.0.0.1', () => resolve());
		});
		this.port = (server.address() as AddressInfo).port;
		this.server = server;
	}

	private releaseHanging(): void {
		for (const response of this.hanging) response.destroy();
		this.hanging.clear();
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const path = request.url ?? '/';
		const record: ProxiedRequest = { path, at: Date.now() };
		this.requests.push(record);
		const answer = (status: number, headers: Record<string, string>, body: Buffer | string) => {
			if (response.destroyed) return;
			record.answeredAt = Date.now();
			record.status = status;
			response.writeHead(status, headers).end(body);
		};
		const mode = this.mode;
		if (mode.kind === 'hang') {
			this.hanging.add(response);
			return;
		}
		if (mode.kind === 'status') {
			answer(mode.status, { 'content-type': 'application/json' }, JSON.stringify({ error_code: mode.status, message: `proxy answers ${mode.status}` }));
			return;
		}
		const lagging = this.notFound.find((n) => n.left > 0 && n.path.test(path));
		if (lagging) {
			lagging.left--;
			answer(404, { 'content-type': 'application/json' }, JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
			return;
		}
		const body = await readBody(request);
		const delay = this.delays.find((d) => d.path.test(path));
		if (delay) await new Promise((resolve) => setTimeout(resolve, delay.ms));
		try {
			const upstream = await fetch(new URL(path, this.upstream.origin), {
				method: request.method,
				headers: forwardedHeaders(request),
				body: body.length > 0 ? body : undefined,
			});
			const headers: Record<string, string> = {};
			upstream.headers.forEach((value, name) => {
				if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') headers[name] = value;
			});
			answer(upstream.status, headers, Buffer.from(await upstream.arrayBuffer()));
		} catch (error) {
			answer(502, { 'content-type': 'text/plain' }, `proxy: ${(error as Error).message}`);
		}
	}
}

function forwardedHeaders(request: IncomingMessage): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(request.headers)) {
		if (value === undefined || name === 'host' || name === 'connection' || name === 'content-length') continue;
		out[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
