/**
 * On-demand V8 profiles, served at /debug/pprof as Go's pprof serves them: a CPU profile in
 * Chrome DevTools' `.cpuprofile` format and a `.heapsnapshot`, both taken through an in-process
 * `node:inspector` session (no --inspect flag, no debugger port opened).
 *
 * One capture at a time per process: two overlapping CPU profiles would share V8's single
 * profiler, and two heap snapshots would each stop the world and double the heap they describe.
 */
import { Session } from 'node:inspector/promises';

export class ProfilerBusyError extends Error {
	constructor(running: string) {
		super(`a ${running} is already being captured in this process; try again when it finishes`);
		this.name = 'ProfilerBusyError';
	}
}

let running: string | undefined;

async function exclusively<T>(what: string, work: () => Promise<T>): Promise<T> {
	if (running !== undefined) throw new ProfilerBusyError(running);
	running = what;
	try {
		return await work();
	} finally {
		running = undefined;
	}
}

/** True while a CPU profile or heap snapshot is being taken. */
export function profilerBusy(): boolean {
	return running !== undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		function done(): void {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done, { once: true });
	});
}

/**
 * Samples the CPU for `seconds` (or until `signal` aborts, e.g. the HTTP client went away) and
 * returns the profile as `.cpuprofile` JSON. The profile covers the whole process: n8n's own work
 * shows up beside the sinker's.
 */
export async function captureCpuProfile(seconds: number, signal: AbortSignal): Promise<string> {
	return exclusively('CPU profile', async () => {
		const session = new Session();
		session.connect();
		try {
			await session.post('Profiler.enable');
			// 1 ms sampling (V8's default is ~1 ms too); stated so a later default change does not
			// silently make 30 s profiles unreadably coarse or huge.
			await session.post('Profiler.setSamplingInterval', { interval: 1000 });
			await session.post('Profiler.start');
			await sleep(seconds * 1000, signal);
			const { profile } = await session.post('Profiler.stop');
			await session.post('Profiler.disable');
			return JSON.stringify(profile);
		} finally {
			session.disconnect();
		}
	});
}

/**
 * Takes a heap snapshot and hands it to `write` in chunks as V8 serialises it. The event loop is
 * blocked while V8 walks the heap (seconds on a large heap) and the snapshot needs memory of the
 * same order as the heap: take one when memory is the question, not routinely.
 */
export async function captureHeapSnapshot(write: (chunk: string) => void): Promise<void> {
	return exclusively('heap snapshot', async () => {
		const session = new Session();
		session.connect();
		try {
			session.on('HeapProfiler.addHeapSnapshotChunk', (message) => write(message.params.chunk));
			await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
		} finally {
			session.disconnect();
		}
	});
}
