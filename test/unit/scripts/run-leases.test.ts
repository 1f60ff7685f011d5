/**
 * scripts/lib/run-leases.sh: services several test runs share (the queue-mode Redis and PostgreSQL, the
 * same ports from every worktree) are stopped by the last run done, never under another run. Before,
 * scripts/test.sh stopped them at its end whenever it had started them, while a run in another worktree
 * that had found them running still used them (two helpers' queue-mode tests failed so). Run here with
 * services that are a state file, runs that are sleeping processes, and a lease folder of the test's own.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const lib = join(__dirname, '..', '..', '..', 'scripts', 'lib', 'run-leases.sh');
const temps: string[] = [];
const runs: ChildProcess[] = [];
after(() => {
	for (const r of runs) r.kill('SIGKILL');
	for (const t of temps) {
		// The services' stand-in daemons (see world).
		const daemons = join(t, 'daemons');
		if (existsSync(daemons)) for (const pid of readFileSync(daemons, 'utf8').trim().split('\n')) spawnSync('kill', ['-9', pid]);
		rmSync(t, { recursive: true, force: true });
	}
});

/**
 * A lease folder and services whose state is a file, started with a daemon of their own (a process that
 * outlives the start, its stdio on /dev/null, as redis-server --daemonize and pg_ctl start leave theirs);
 * `up`: running before any run (started by hand). `before`: shell run first (e.g. a lock the caller holds).
 */
function world(up = false) {
	const dir = mkdtempSync(join(tmpdir(), 'run-leases-'));
	temps.push(dir);
	const state = join(dir, 'up');
	const calls = join(dir, 'calls');
	if (up) writeFileSync(state, '');
	const lease = (command: 'lease_acquire' | 'lease_release', pid: number, before = '') => {
		const script = [
			before,
			`LEASE_DIR='${join(dir, 'leases')}'`,
			'log() { echo "$*" >&2; }',
			`services_up() { [ -f '${state}' ]; }`,
			`services_start() { touch '${state}'; echo start >> '${calls}'; sleep 600 </dev/null >/dev/null 2>&1 & echo $! >> '${join(dir, 'daemons')}'; }`,
			`services_stop() { rm -f '${state}'; echo stop >> '${calls}'; }`,
			`source '${lib}'`,
			`${command} ${pid}`,
		].join('\n');
		// Bounded: a lease call waiting for a lock nobody will free fails here instead of hanging the suite.
		const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000 });
		assert.equal(r.status, 0, `${command} ${pid}: ${r.error?.message ?? ''} ${r.stderr}`);
		return r.stderr;
	};
	return {
		dir,
		acquire: (pid: number, before?: string) => lease('lease_acquire', pid, before),
		release: (pid: number) => lease('lease_release', pid),
		calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []),
		up: () => existsSync(state),
	};
}

/** A test run: a process that lives until killed. */
function run(): number {
	const child = spawn('sleep', ['600'], { stdio: 'ignore' });
	runs.push(child);
	return child.pid as number;
}
function end(pid: number): Promise<void> {
	const child = runs.find((r) => r.pid === pid) as ChildProcess;
	return new Promise((resolve) => {
		child.once('exit', () => resolve());
		child.kill('SIGKILL');
	});
}

describe('scripts/lib/run-leases.sh', () => {
	it('two runs: the first starts them, the second uses them; the first done leaves them to the second, the last done stops them', () => {
		const w = world();
		const [a, b] = [run(), run()];
		w.acquire(a);
		assert.match(w.acquire(b), new RegExp(`already running, used by the runs of pid ${a}`));
		assert.deepEqual(w.calls(), ['start']);
		assert.match(w.release(a), new RegExp(`left running: the runs of pid ${b} still use them`));
		assert.ok(w.up(), 'still running for the second run');
		w.release(b);
		assert.deepEqual(w.calls(), ['start', 'stop']);
		assert.ok(!w.up());
	});

	it('a run killed without releasing holds nothing: the next run that is done stops them', async () => {
		const w = world();
		const [a, b] = [run(), run()];
		w.acquire(a);
		w.acquire(b);
		await end(a);
		w.release(b);
		assert.deepEqual(w.calls(), ['start', 'stop']);
	});

	it('services that ran before any run (started by hand) are left running', () => {
		const w = world(true);
		const a = run();
		w.acquire(a);
		w.release(a);
		assert.deepEqual(w.calls(), []);
		assert.ok(w.up());
	});

	it('a lease whose pid now belongs to another process (another start time) is no lease', () => {
		const w = world();
		const [a, b] = [run(), run()];
		w.acquire(a);
		w.acquire(b);
		writeFileSync(join(w.dir, 'leases', String(a)), '1\n'); // as if a had ended and its pid were reused
		w.release(b);
		assert.deepEqual(w.calls(), ['start', 'stop']);
	});

	it('the services started hold none of the caller\'s descriptors: the lease lock and a lock the run held are free once acquire returns', () => {
		// Started with them open, the daemons held the lease lock (the next acquire waited forever: a queue-mode
		// test hung so) and the heavy.lock of a run under flock, past that run.
		const w = world();
		const held = join(w.dir, 'heavy.lock');
		w.acquire(run(), `exec 3>'${held}'; flock 3`);
		assert.equal(spawnSync('flock', ['-n', held, 'true']).status, 0, 'the run\'s lock is free once the run is gone');
		w.acquire(run());
		assert.deepEqual(w.calls(), ['start']);
	});

	it('started again for a run that comes after the last one stopped them', () => {
		const w = world();
		const a = run();
		w.acquire(a);
		w.release(a);
		const b = run();
		w.acquire(b);
		assert.deepEqual(w.calls(), ['start', 'stop', 'start']);
		w.release(b);
	});
});
