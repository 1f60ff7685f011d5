/**
 * Import for its effect: starts the metrics server when the environment enables it
 * (DORIS_SINKER_METRICS / DORIS_SINKER_METRICS_PORT, see ./server-settings.ts) as soon as n8n loads
 * one of the sinker's node files, i.e. at n8n start-up, before any workflow is active. Without it
 * the port would open only with the first active sinker workflow, and Kubernetes probes on
 * /healthz and /readyz would kill an n8n pod that has none yet.
 *
 * Every node file may import it: the server is one per process, and a failure (port taken, typo in
 * a variable) is reported on stderr once and never thrown into n8n's loader.
 */
import { ensureMetricsServerFromEnv } from './server';

let started = false;

export function autostartMetricsServer(env: Record<string, string | undefined> = process.env): void {
	if (started) return;
	started = true;
	void ensureMetricsServerFromEnv(
		{
			// n8n's logger is not reachable at module load; its stdout is the container log anyway.
			// eslint-disable-next-line no-console -- no n8n logger exists yet (see above).
			info: (message) => console.log(`[doris-sinker] ${message}`),
			// eslint-disable-next-line no-console -- no n8n logger exists yet (see above).
			warn: (message) => console.warn(`[doris-sinker] ${message}`),
		},
		env,
	);
}

autostartMetricsServer();
