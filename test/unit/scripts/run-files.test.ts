// scripts/lib/run-files.mjs, the scheduler `npm test` runs every file with: files behind --gate wait
// for their flag file (n8n's install) while the others run, then take the free slots; files of one
// --apart group never overlap. A gated file starting early would fail on a missing n8n; two queue-mode
// files side by side starve each other's workers; an install that failed must fail the run.
//
// No clock decides anything here. Each test file notes its start in a journal, then waits until this test
// releases it; the scheduler says after every round of starts what runs and what waits (--trace-schedule),
// and starts nothing more until a file ends or the gate opens. So once every file it names as running has
// noted its start, the run stands still, and this test acts (writes the flag, releases the running files)
// only then: the journal's order is the scheduler's order, whatever the machine's load. With fixed sleeps
// and a flag written on time (1.5 s, then "once started, 20 s at most"), processes started late under load
// (19, then 7) failed the test though the scheduler was right, and a broken --apart could pass it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'run-files-'));
const journal = path.join(dir, 'journal');
const flag = path.join(dir, 'n8n-installed');
const releaseFile = (name: string) => path.join(dir, `release-${name}`);
const SCHEDULE = '[run-files] schedule ';

/** A test file that notes its start in the journal, waits for its release file, then notes its end. */
function testFile(name: string): string {
	const file = path.join(dir, `${name}.test.mjs`);
	writeFileSync(
		file,
		`import { appendFileSync, existsSync } from 'node:fs';
import { test } from 'node:test';
test('${name}', async () => {
	appendFileSync(${JSON.stringify(journal)}, 'start ${name}\\n');
	await new Promise((resolve) => {
		const look = setInterval(() => existsSync(${JSON.stringify(releaseFile(name))}) && (clearInterval(look), resolve()), 10);
	});
	appendFileSync(${JSON.stringify(journal)}, 'end ${name}\\n');
});
`,
	);
	return file;
}

const nameOf = (file: string) => path.basename(file, '.test.mjs');

function journalLines(): string[] {
	return existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * Runs the scheduler with --trace-schedule. Whenever it stands still (its latest schedule's running files
 * have all noted their start), writes the flag with `flagText` (noting `flag` in the journal first) if not
 * written yet, else releases every running file. A scheduler that holds the ungated files back stands
 * still with none running, so the flag comes before their start and the journal shows it.
 */
async function runFiles(args: string[], flagText?: string): Promise<{ code: number; stdout: string }> {
	rmSync(journal, { force: true });
	rmSync(flag, { force: true });
	for (const name of ['plain', 'early', 'gated-a', 'gated-b', 'heavy-a', 'heavy-b', 'heavy-c', 'light']) rmSync(releaseFile(name), { force: true });
	// Without the variable `node --test` sets for this file: run-files' own runner would report to ours.
	// Without RECORD_TEST_DURATIONS (`RECORD_TEST_DURATIONS=1 npm test`): these temporary files' times
	// went into scripts/lib/test-durations.json.
	const { NODE_TEST_CONTEXT: _ours, RECORD_TEST_DURATIONS: _record, ...env } = process.env;
	const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/lib/run-files.mjs', '--trace-schedule', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
	let stdout = '';
	let actedOn = 0;
	let flagWritten = flagText === undefined;
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	const standStill = setInterval(() => {
		// Whole lines only: the last one may still be arriving.
		const lines = stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter((line) => line.startsWith(SCHEDULE));
		const schedules = lines.length;
		if (schedules === 0 || actedOn === schedules) return;
		const { running } = JSON.parse(lines[schedules - 1].slice(SCHEDULE.length)) as { running: string[] };
		const noted = journalLines();
		if (!running.every((file) => noted.includes(`start ${nameOf(file)}`))) return;
		actedOn = schedules;
		if (!flagWritten) {
			flagWritten = true;
			appendFileSync(journal, 'flag\n');
			writeFileSync(flag, flagText!);
			return;
		}
		for (const file of running) writeFileSync(releaseFile(nameOf(file)), '');
	}, 10);
	try {
		const code = await new Promise<number>((resolve, reject) => {
			child.on('error', reject);
			child.on('close', (exitCode) => resolve(exitCode ?? 1));
		});
		return { code, stdout };
	} finally {
		clearInterval(standStill);
	}
}

/** Each file's start and end as positions in the journal, and the flag's. */
function events(): { spans: Map<string, { start: number; end: number }>; flagAt: number } {
	const spans = new Map<string, { start: number; end: number }>();
	const lines = journalLines();
	lines.forEach((line, at) => {
		const [what, name] = line.split(' ');
		if (name === undefined) return;
		const span = spans.get(name) ?? { start: -1, end: -1 };
		span[what as 'start' | 'end'] = at;
		spans.set(name, span);
	});
	return { spans, flagAt: lines.indexOf('flag') };
}

const overlap = (x: { start: number; end: number }, y: { start: number; end: number }) => x.start < y.end && y.start < x.end;

describe('run-files: --gate, --apart and --at-most', { timeout: 60_000 }, () => {
	after(() => rmSync(dir, { recursive: true, force: true }));
	const plain = testFile('plain');
	const early = testFile('early');
	const gatedA = testFile('gated-a');
	const gatedB = testFile('gated-b');
	const gate = `gated-.\\.test\\.mjs$=${flag}`;

	it('gated files start once the flag says 0, before the shorter ungated ones still waiting; one --apart group never overlaps', async () => {
		const run = await runFiles(['--concurrency', '2', '--apart', 'gated-', '--gate', gate, plain, early, gatedA, gatedB], '0\n');
		assert.equal(run.code, 0, run.stdout);
		const { spans, flagAt } = events();
		assert.deepEqual([...spans.keys()].sort(), ['early', 'gated-a', 'gated-b', 'plain']);
		const a = spans.get('gated-a')!;
		const b = spans.get('gated-b')!;
		assert.ok(Math.min(a.start, b.start) > flagAt, 'a gated file started before its flag');
		assert.ok(!overlap(a, b), 'two files of one --apart group ran side by side');
		assert.ok(spans.get('plain')!.start < flagAt && spans.get('early')!.start < flagAt, 'the ungated files waited for the gate');
	});

	it('--at-most 2: never three files of the group at once, and a file outside it takes the third slot beside two of them', async () => {
		const heavy = [testFile('heavy-a'), testFile('heavy-b'), testFile('heavy-c')];
		const light = testFile('light');
		const run = await runFiles(['--concurrency', '3', '--at-most', '2=heavy-', ...heavy, light]);
		assert.equal(run.code, 0, run.stdout);
		const { spans } = events();
		const group = ['heavy-a', 'heavy-b', 'heavy-c'].map((name) => spans.get(name)!);
		assert.ok(!(overlap(group[0], group[1]) && overlap(group[0], group[2]) && overlap(group[1], group[2])), 'three files of an --at-most 2 group ran at once');
		assert.ok(group.filter((span) => overlap(span, spans.get('light')!)).length === 2, 'the file outside the group did not run beside two of it');
	});

	it('a flag saying other than 0 fails the gated files unrun, and the run; the others run', async () => {
		const run = await runFiles(['--concurrency', '2', '--gate', gate, plain, gatedA], '1\n');
		assert.equal(run.code, 1);
		assert.deepEqual([...events().spans.keys()], ['plain']);
		assert.match(run.stdout, new RegExp(`failed: ${gatedA.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
	});
});
