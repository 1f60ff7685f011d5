/**
 * How the runner starts each scenario and finds the process doing its work. Scenarios 1 and 2 are
 * forked workers (bench/worker.ts protocol); 3 and 4 are workflows activated in a running n8n.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ScenarioId } from './config';
import type { WorkerConfig, WorkerMessage } from './worker';

export interface ScenarioRun {
	/** The process whose CPU and RSS are measured (the worker, or the n8n main process). */
	pid: number;
	alive(): boolean;
	/** Stops the pipeline; returns its own flush durations when it measured them. */
	stop(): Promise<{ flushMs: number[] | null }>;
}

export type LaunchConfig = WorkerConfig;

export interface Scenario {
	id: ScenarioId;
	title: string;
	launch(cfg: LaunchConfig): Promise<ScenarioRun>;
}

/** Forks bench/<file> as a worker and waits until it consumes. */
export function forkWorker(file: string, cfg: WorkerConfig): Promise<ScenarioRun> {
	const child = fork(join(__dirname, file), [], {
		execArgv: [
			'--import',
			'tsx',
			'--disable-warning=TimeoutNegativeWarning',
			...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
			// BENCH_WORKER_HEAP_MB caps V8's old space: how small the pipeline's heap can be, not how big V8 lets it grow.
			...(process.env.BENCH_WORKER_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_WORKER_HEAP_MB}`] : []),
		],
		env: { ...process.env, BENCH_CONFIG: JSON.stringify(cfg) },
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	let exited = false;
	let stopped: ((flushMs: number[]) => void) | null = null;
	const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
	return new Promise((resolve, reject) => {
		child.on('message', (msg: WorkerMessage) => {
			if (msg.type === 'ready') {
				resolve({
					pid: child.pid ?? -1,
					alive: () => !exited,
					async stop() {
						const report = new Promise<number[]>((r) => (stopped = r));
						child.send({ type: 'stop' });
						const flushMs = await Promise.race([report, exit.then(() => [] as number[]), timeout(60_000, `${file} did not stop`)]);
						await Promise.race([exit, timeout(10_000, `${file} did not exit`)]);
						return { flushMs };
					},
				});
			} else if (msg.type === 'stopped') {
				stopped?.(msg.flushMs);
			} else {
				console.error(`[bench] ${file} failed: ${msg.message}`);
				reject(new Error(`${file}: ${msg.message.split('\n')[0]}`));
			}
		});
		void exit.then(() => reject(new Error(`${file} exited before it was ready`)));
	});
}

function timeout(ms: number, message: string): Promise<never> {
	return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}
