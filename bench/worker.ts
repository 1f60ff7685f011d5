/**
 * The child-process side of the in-process scenarios (1 raw floor, 2 core pipeline). The runner
 * forks the scenario file with its config in BENCH_CONFIG, so each run gets a fresh process whose
 * CPU time and peak RSS belong to the pipeline alone (the Doris test server stays in the runner).
 *
 * Protocol over the IPC channel: child → {type:'ready'} once consuming; runner → {type:'stop'};
 * child → {type:'stopped', flushMs} and exits.
 */

export interface DorisTarget {
	feUrl: string;
	beUrl: string;
	user: string;
	password: string;
	db: string;
	table: string;
	/** MySQL-protocol port of the FE (schema reads). */
	queryPort: number;
}

export interface WorkerConfig {
	topic: string;
	groupId: string;
	brokers: string[];
	doris: DorisTarget;
	/** Rows per Stream Load. */
	batchRows: number;
	/** A non-empty batch is flushed at least this often. */
	flushMs: number;
	/** Executions in flight (the trigger's window); scenario 1 has no executions and ignores it. */
	inFlight: number;
	/** Records per execution (the trigger's max records per execution). */
	execRows: number;
}

export interface RunningWorker {
	/** Stops consuming, flushes what is buffered, closes connections. */
	stop(): Promise<void>;
	/** Duration of each flush (first byte sent → Doris answered), in ms. */
	flushMs(): number[];
}

export type WorkerMessage = { type: 'ready' } | { type: 'stopped'; flushMs: number[] } | { type: 'error'; message: string };

export function basicAuth(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Runs `start` as a benchmark worker when this process was forked by the runner. */
export function runWorker(start: (cfg: WorkerConfig) => Promise<RunningWorker>): void {
	const send = (msg: WorkerMessage): void => {
		process.send?.(msg);
	};
	const raw = process.env.BENCH_CONFIG;
	if (raw === undefined || process.send === undefined) {
		console.error('this file is a benchmark worker: run it through bench/run.ts (npm run bench)');
		process.exit(2);
	}
	const fail = (err: unknown): void => {
		send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
		process.exit(1);
	};
	const cfg = JSON.parse(raw) as WorkerConfig;
	start(cfg).then((worker) => {
		process.on('message', (msg: { type?: string }) => {
			if (msg.type !== 'stop') return;
			worker.stop().then(() => {
				// Exit once the report is out: a lingering kafkajs timer must not keep the run waiting.
				process.send?.({ type: 'stopped', flushMs: worker.flushMs() } satisfies WorkerMessage, () => process.exit(0));
			}, fail);
		});
		send({ type: 'ready' });
	}, fail);
}
