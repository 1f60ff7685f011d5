/**
 * Readiness probes for the metrics server's /readyz: each running part of the sinker (a trigger's
 * consumer group, a Stream Load node's Doris connection) registers a check, and /readyz answers 200
 * only while every registered check passes. Probes live per process, like the registry.
 *
 * A process with no probes is ready: an n8n instance with no sinker workflow active has nothing to
 * wait for, and failing its readiness would take the editor out of the Service for no reason.
 */

/** `true`/`false`, or a verdict with a short reason shown in /readyz (never a secret). */
export type ReadinessResult = boolean | { ok: boolean; detail?: string };

/** Called on every /readyz; should answer from state it already has or with a short bounded check. */
export type ReadinessProbe = (signal: AbortSignal) => ReadinessResult | Promise<ReadinessResult>;

export interface ReadinessCheck {
	ok: boolean;
	detail?: string;
}

export interface ReadinessReport {
	ready: boolean;
	checks: Record<string, ReadinessCheck>;
}

interface Registration {
	probe: ReadinessProbe;
}

const probes = new Map<string, Registration>();

/**
 * Registers (or replaces) the probe called `name` and returns the function that removes it. Use a
 * name unique to the owner, e.g. `kafka:<workflow id>:<node name>`, and call the remover from the
 * node's close path so a deactivated workflow stops holding readiness down.
 */
export function registerReadinessProbe(name: string, probe: ReadinessProbe): () => void {
	if (typeof name !== 'string' || name.trim() === '') {
		throw new TypeError(`registerReadinessProbe: name must be a non-empty string, got ${JSON.stringify(name)}`);
	}
	const registration: Registration = { probe };
	probes.set(name, registration);
	return () => {
		// A later registration under the same name (the workflow re-activated) must survive the
		// earlier owner's late teardown.
		if (probes.get(name) === registration) probes.delete(name);
	};
}

/** Names of the probes registered now (for logs and tests). */
export function readinessProbeNames(): string[] {
	return [...probes.keys()].sort();
}

function normalise(result: ReadinessResult): ReadinessCheck {
	if (typeof result === 'boolean') return { ok: result };
	if (result !== null && typeof result === 'object' && typeof result.ok === 'boolean') {
		return result.detail === undefined ? { ok: result.ok } : { ok: result.ok, detail: String(result.detail) };
	}
	return { ok: false, detail: `probe returned ${JSON.stringify(result)}, expected a boolean or {ok}` };
}

async function runProbe(probe: ReadinessProbe, timeoutMs: number): Promise<ReadinessCheck> {
	const controller = new AbortController();
	let timer: NodeJS.Timeout | undefined;
	const timedOut = new Promise<ReadinessCheck>((resolve) => {
		timer = setTimeout(() => {
			controller.abort();
			resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` });
		}, timeoutMs);
	});
	try {
		const answered = Promise.resolve()
			.then(() => probe(controller.signal))
			.then(normalise, (error: unknown) => ({
				ok: false,
				detail: error instanceof Error ? error.message : String(error),
			}));
		return await Promise.race([answered, timedOut]);
	} finally {
		clearTimeout(timer);
	}
}

/** Runs every probe concurrently, each bounded by `timeoutMs`, so /readyz answers in bounded time. */
export async function checkReadiness(timeoutMs = 2000): Promise<ReadinessReport> {
	const entries = [...probes.entries()];
	const results = await Promise.all(entries.map(([, r]) => runProbe(r.probe, timeoutMs)));
	const checks: Record<string, ReadinessCheck> = {};
	entries.forEach(([name], i) => {
		checks[name] = results[i];
	});
	return { ready: results.every((r) => r.ok), checks };
}
