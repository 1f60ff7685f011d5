/**
 * The metrics server's settings from the environment of the n8n process, so one deployment switch
 * covers every workflow in it (the server is per process, not per node):
 *
 *   DORIS_SINKER_METRICS=true          serve /metrics, /healthz, /readyz (default port 9090)
 *   DORIS_SINKER_METRICS_PORT=9090     the port; setting it also enables the server
 *   DORIS_SINKER_METRICS_HOST=0.0.0.0  the address to bind (default 127.0.0.1: local scrapes only)
 *   DORIS_SINKER_PROFILING=true        also serve /debug/pprof/* (answered to loopback clients only)
 */

export const DEFAULT_METRICS_PORT = 9090;
export const DEFAULT_METRICS_HOST = '127.0.0.1';
export const DEFAULT_MAX_PROFILE_SECONDS = 120;

export interface MetricsServerOptions {
	/** TCP port; 0 picks a free one (tests). Default 9090. */
	port?: number;
	/** Address to bind. Default 127.0.0.1; use 0.0.0.0 in a pod so Prometheus can scrape it. */
	host?: string;
	/** Serve /debug/pprof/profile and /debug/pprof/heap (to loopback clients only). Default off. */
	profiling?: boolean;
	/** Upper bound for ?seconds= of a CPU profile. Default 120. */
	maxProfileSeconds?: number;
}

export interface MetricsEnvSettings extends Required<Pick<MetricsServerOptions, 'port' | 'host' | 'profiling'>> {
	enabled: boolean;
}

type Env = Record<string, string | undefined>;

function parseFlag(env: Env, name: string): boolean | undefined {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return undefined;
	const value = raw.trim().toLowerCase();
	if (['1', 'true', 'yes', 'on'].includes(value)) return true;
	if (['0', 'false', 'no', 'off'].includes(value)) return false;
	throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

export function parsePort(value: unknown, field: string): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
		throw new Error(`${field} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`);
	}
	return n;
}

/** Reads the DORIS_SINKER_METRICS* variables; throws on a malformed value, naming it. */
export function metricsSettingsFromEnv(env: Env = process.env): MetricsEnvSettings {
	const flag = parseFlag(env, 'DORIS_SINKER_METRICS');
	const rawPort = env.DORIS_SINKER_METRICS_PORT;
	const hasPort = rawPort !== undefined && rawPort.trim() !== '';
	const port = hasPort ? parsePort(rawPort, 'DORIS_SINKER_METRICS_PORT') : DEFAULT_METRICS_PORT;
	const rawHost = env.DORIS_SINKER_METRICS_HOST;
	const host = rawHost !== undefined && rawHost.trim() !== '' ? rawHost.trim() : DEFAULT_METRICS_HOST;
	return {
		// An explicit DORIS_SINKER_METRICS=false wins over a port left in a shared manifest.
		enabled: flag ?? hasPort,
		port,
		host,
		profiling: parseFlag(env, 'DORIS_SINKER_PROFILING') ?? false,
	};
}
