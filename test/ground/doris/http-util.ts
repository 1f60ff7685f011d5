/** HTTP plumbing shared by the FE and BE servers: listeners that can be stopped and restarted. */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, expectContinue: boolean) => void;

export class Listener {
	private server: http.Server | undefined;
	private readonly sockets = new Set<Socket>();
	port = 0;

	constructor(
		private readonly host: string,
		private readonly handler: Handler,
		private readonly tls?: { key: string; cert: string },
	) {}

	async start(port: number): Promise<number> {
		const server = this.tls ? https.createServer({ key: this.tls.key, cert: this.tls.cert }) : http.createServer();
		// Keep-alive sockets are tracked so stop() can cut them like a dead process would.
		server.on('connection', (s: Socket) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		server.on('request', (req, res) => this.handler(req, res, false));
		// Expect: 100-continue arrives here; the handler decides whether to send 100 or answer at once.
		server.on('checkContinue', (req, res) => this.handler(req, res, true));
		server.on('checkExpectation', (req, res) => this.handler(req, res, true));
		server.on('clientError', (_err, socket) => socket.destroy());
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, this.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.port = (server.address() as { port: number }).port;
		return this.port;
	}

	get running(): boolean {
		return this.server !== undefined;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		for (const s of this.sockets) s.destroy();
		this.sockets.clear();
		await closed;
	}
}

export function sendJson(res: http.ServerResponse, status: number, body: string, close = false): void {
	if (res.writableEnded || res.destroyed) return;
	const headers: http.OutgoingHttpHeaders = {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(body),
	};
	if (close) headers.Connection = 'close';
	res.writeHead(status, headers);
	res.end(body);
}

/** Basic auth → [user, password], or undefined when absent / malformed. */
export function basicAuth(header: string | undefined): [string, string] | undefined {
	if (!header) return undefined;
	const m = /^Basic\s+(\S+)$/i.exec(header.trim());
	if (!m) return undefined;
	const text = Buffer.from(m[1], 'base64').toString('utf8');
	const i = text.indexOf(':');
	if (i < 0) return undefined;
	return [text.slice(0, i), text.slice(i + 1)];
}

/** Lower-case header map with single string values. */
export function flatHeaders(req: http.IncomingMessage): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(req.headers)) {
		if (v === undefined) continue;
		out[k] = Array.isArray(v) ? v.join(',') : v;
	}
	return out;
}
