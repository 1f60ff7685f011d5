/**
 * The sinker's HTTP endpoint, at most one per process (every workflow in an n8n process shares the
 * registry, so one port serves them all):
 *
 *   GET /metrics               prom-client text format (the registry of ./metrics.ts + process metrics)
 *   GET /healthz               200 while the process answers (liveness)
 *   GET /readyz                200 when every registered readiness probe passes, else 503 (JSON body)
 *   GET /debug/pprof/profile   ?seconds=N (default 30): a V8 .cpuprofile       } only when profiling
 *   GET /debug/pprof/heap      a V8 .heapsnapshot                             } is enabled, and only
 *                                                                             } to loopback clients
 *
 * Started by the nodes (`ensureMetricsServerFromEnv`, or `ensureMetricsServer` for a node option);
 * the first caller's options win and later calls get the same server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerProcessMetrics, registry } from './metrics';
import { captureCpuProfile, captureHeapSnapshot, ProfilerBusyError } from './profiling';
import { checkReadiness } from './readiness';
import {
	DEFAULT_MAX_PROFILE_SECONDS,
	DEFAULT_METRICS_HOST,
	DEFAULT_METRICS_PORT,
	metricsSettingsFromEnv,
	parsePort,
	type MetricsServerOptions,
} from './server-settings';

export type { MetricsServerOptions } from './server-settings';

export interface MetricsServerHandle {
	readonly url: string;
	readonly host: string;
	readonly port: number;
	readonly profiling: boolean;
	close(): Promise<void>;
}

/** The slice of n8n's logger (or any logger) the server reports through. */
export interface ServerLogger {
	info(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
}

const DEFAULT_PROFILE_SECONDS = 30;

let current: Promise<MetricsServerHandle> | undefined;

/** Loopback peers only: profiles expose process memory. */
export function isLoopback(address: string | undefined): boolean {
	if (address === undefined) return false;
	return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
	res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
	res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function parseSeconds(raw: string | null, max: number): number {
	if (raw === null || raw === '') return Math.min(DEFAULT_PROFILE_SECONDS, max);
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > max) {
		throw new RangeError(`seconds must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
	}
	return n;
}

async function serveCpuProfile(res: ServerResponse, url: URL, max: number): Promise<void> {
	let seconds: number;
	try {
		seconds = parseSeconds(url.searchParams.get('seconds'), max);
	} catch (error) {
		return sendJson(res, 400, { error: (error as Error).message });
	}
	// A client that hangs up (Ctrl-C on curl) ends the sampling early instead of holding the lock.
	const controller = new AbortController();
	res.on('close', () => controller.abort());
	const profile = await captureCpuProfile(seconds, controller.signal);
	if (res.destroyed) return;
	res.writeHead(200, {
		'Content-Type': 'application/json',
		'Content-Disposition': `attachment; filename="cpu-${process.pid}-${Date.now()}.cpuprofile"`,
		'Cache-Control': 'no-store',
	});
	res.end(profile);
}

async function serveHeapSnapshot(res: ServerResponse): Promise<void> {
	let started = false;
	await captureHeapSnapshot((chunk) => {
		if (!started) {
			started = true;
			res.writeHead(200, {
				'Content-Type': 'application/json',
				'Content-Disposition': `attachment; filename="heap-${process.pid}-${Date.now()}.heapsnapshot"`,
				'Cache-Control': 'no-store',
			});
		}
		res.write(chunk);
	});
	res.end();
}

function createHandler(profiling: boolean, maxProfileSeconds: number) {
	return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.setHeader('Allow', 'GET, HEAD');
			return sendJson(res, 405, { error: `method ${req.method} not allowed` });
		}
		switch (url.pathname) {
			case '/metrics':
				return send(res, 200, registry.contentType, await registry.metrics());
			case '/healthz':
				return sendJson(res, 200, { status: 'ok' });
			case '/readyz': {
				const report = await checkReadiness();
				return sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ok' : 'not ready', ...report });
			}
			case '/debug/pprof/profile':
			case '/debug/pprof/heap': {
				if (!profiling) return sendJson(res, 404, { error: 'profiling is disabled (set DORIS_SINKER_PROFILING=true)' });
				// Local-only even when the server listens on 0.0.0.0 for Prometheus: a profile reveals
				// data in memory (a heap snapshot holds credentials n8n decrypted). Reach it through
				// `kubectl port-forward`, which arrives from loopback inside the pod.
				if (!isLoopback(req.socket.remoteAddress)) {
					return sendJson(res, 403, { error: 'profiling endpoints answer loopback clients only' });
				}
				try {
					if (url.pathname === '/debug/pprof/heap') return await serveHeapSnapshot(res);
					return await serveCpuProfile(res, url, maxProfileSeconds);
				} catch (error) {
					if (error instanceof ProfilerBusyError) return sendJson(res, 409, { error: error.message });
					throw error;
				}
			}
			case '/':
				return send(res, 200, 'text/plain; charset=utf-8', 'doris-sinker: /metrics /healthz /readyz\n');
			default:
				return sendJson(res, 404, { error: `no route ${url.pathname}` });
		}
	};
}

async function start(options: MetricsServerOptions): Promise<MetricsServerHandle> {
	const env = metricsSettingsFromEnv();
	const port = parsePort(options.port ?? (env.enabled ? env.port : DEFAULT_METRICS_PORT), 'metrics port');
	const host = options.host ?? (env.host || DEFAULT_METRICS_HOST);
	const profiling = options.profiling ?? env.profiling;
	const maxProfileSeconds = options.maxProfileSeconds ?? DEFAULT_MAX_PROFILE_SECONDS;
	registerProcessMetrics();

	const handler = createHandler(profiling, maxProfileSeconds);
	const server: Server = createServer((req, res) => {
		handler(req, res).catch((error: unknown) => {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
		});
	});
	await new Promise<void>((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException): void => {
			reject(
				new Error(
					`metrics server could not listen on ${host}:${port}: ${error.code ?? error.message}` +
						(error.code === 'EADDRINUSE' ? ' (another process, or another n8n on this host, holds the port)' : ''),
				),
			);
		};
		server.once('error', onError);
		server.listen(port, host, () => {
			server.off('error', onError);
			resolve();
		});
	});
	// Serving metrics must never be what keeps an n8n process (or a test runner) from exiting.
	server.unref();
	const address = server.address() as AddressInfo;
	const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	return {
		url: `http://${urlHost}:${address.port}`,
		host: address.address,
		port: address.port,
		profiling,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				// Prometheus keeps its scrape connection alive; without this close() waits for it.
				server.closeAllConnections();
			}),
	};
}

/**
 * Starts the metrics server unless this process already has one, and returns it. Options not given
 * come from the DORIS_SINKER_METRICS* environment variables, then the defaults (127.0.0.1:9090,
 * profiling off). A failed start (port taken) rejects and leaves the way open for a later retry.
 */
export function ensureMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServerHandle> {
	if (current === undefined) {
		const starting = start(options);
		current = starting;
		starting.catch(() => {
			if (current === starting) current = undefined;
		});
	}
	return current;
}

/**
 * What the nodes call on activation: starts the server when the environment enables it, and never
 * throws (a taken port or a typo in a variable must not stop a workflow from consuming; it is
 * logged once per call as a warning instead).
 */
export async function ensureMetricsServerFromEnv(
	logger?: ServerLogger,
	env: Record<string, string | undefined> = process.env,
): Promise<MetricsServerHandle | undefined> {
	try {
		const settings = metricsSettingsFromEnv(env);
		if (!settings.enabled) return undefined;
		const first = current === undefined;
		const handle = await ensureMetricsServer({
			port: settings.port,
			host: settings.host,
			profiling: settings.profiling,
		});
		if (first) logger?.info(`Doris sinker metrics on ${handle.url}/metrics`, { profiling: handle.profiling });
		return handle;
	} catch (error) {
		logger?.warn(`Doris sinker metrics server not started: ${error instanceof Error ? error.message : String(error)}`);
		return undefined;
	}
}

/** Stops this process' metrics server, if any (tests; n8n itself just exits). */
export async function stopMetricsServer(): Promise<void> {
	const running = current;
	current = undefined;
	if (running === undefined) return;
	const handle = await running.catch(() => undefined);
	await handle?.close();
}
