/**
 * Test helper: a real Prometheus (Debian's package, scripts/install-prometheus.sh) on 127.0.0.1 at
 * PROMETHEUS_PORT (19090; another port lets a second checkout's suite run beside this one), with its
 * own temporary storage, scraping given targets every second. Nothing in its configuration
 * reaches past this machine: static loopback targets, no alertmanager, no remote write.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { waitFor } from '../support/wait-for';

export const PROMETHEUS_PORT = Number(process.env.PROMETHEUS_PORT || 19090);

export interface RunningPrometheus {
	url: string;
	query(expr: string): Promise<PromVector>;
	log(): string;
	stop(): Promise<void>;
}

export type PromVector = Array<{ metric: Record<string, string>; value: [number, string] }>;

export function requireBinary(name: string): string {
	const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
	if (found.status !== 0) throw new Error(`${name} is not installed: run scripts/install-prometheus.sh (Debian's prometheus package)`);
	return found.stdout.trim();
}


export async function startPrometheus(opts: { targets: string[]; ruleFiles?: string[] }): Promise<RunningPrometheus> {
	const bin = requireBinary('prometheus');
	const dir = mkdtempSync(join(tmpdir(), 'sinker-prometheus-'));
	const config = [
		'global:',
		'  scrape_interval: 1s',
		'  scrape_timeout: 1s',
		'  evaluation_interval: 1s',
		...(opts.ruleFiles?.length ? ['rule_files:', ...opts.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
		'scrape_configs:',
		'  - job_name: n8n',
		'    static_configs:',
		`      - targets: [${opts.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
		'',
	].join('\n');
	writeFileSync(join(dir, 'prometheus.yml'), config);
	let output = '';
	const child: ChildProcess = spawn(
		bin,
		[
			`--config.file=${join(dir, 'prometheus.yml')}`,
			`--storage.tsdb.path=${join(dir, 'data')}`,
			`--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
			'--storage.tsdb.retention.time=1h',
			'--log.level=warn',
		],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
	child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	let stopped = false;
	const url = `http://127.0.0.1:${PROMETHEUS_PORT}`;
	const stop = async (): Promise<void> => {
		if (!stopped) {
			stopped = true;
			if (child.exitCode === null) child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(killer);
		}
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await waitFor('Prometheus /-/ready', async () => {
			if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
			const res = await fetch(`${url}/-/ready`).catch(() => undefined);
			return res?.ok;
		}, { timeoutMs: 20_000, intervalMs: 200 });
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		url,
		log: () => output,
		stop,
		async query(expr: string): Promise<PromVector> {
			const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
			const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromVector } };
			if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr}: ${body.error ?? res.status}`);
			if (body.data.resultType !== 'vector') throw new Error(`query ${expr}: ${body.data.resultType}, expected a vector`);
			return body.data.result;
		},
	};
}
