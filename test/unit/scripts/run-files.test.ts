// scripts/lib/run-files.mjs, the scheduler `npm test` runs every file with: files behind --gate wait
// for their flag file (n8n's install) while the others run, then take the free slots; files of one
// --apart group never overlap. A gated file starting early would fail on a missing n8n; two queue-mode
// files side by side starve each other's workers; an install that failed must fail the run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'run-files-'));
const journal = path.join(dir, 'journal');
const flag = path.join(dir, 'n8n-installed');

/** A test file that notes when it starts and ends in the journal, and takes `ms`. */
function testFile(name: string, ms: number): string {
	const file = path.join(dir, `${name}.test.mjs`);
	writeFileSync(
		file,
		`import { appendFileSync } from 'node:fs';
import { test } from 'node:test';
test('${name}', async () => {
	appendFileSync(${JSON.stringify(journal)}, \`start ${name} \${Date.now()}\\n\`);
	await new Promise((resolve) => setTimeout(resolve, ${ms}));
	appendFileSync(${JSON.stringify(journal)}, \`end ${name} \${Date.now()}\\n\`);
});
`,
	);
	return file;
}

/** Whether every file of `names` has noted its start in the journal. */
function started(names: readonly string[]): boolean {
	let text = '';
	try {
		text = readFileSync(journal, 'utf8');
	} catch {
		return false;
	}
	return names.every((name) => text.includes(`start ${name} `));
}

/**
 * Runs the scheduler; the flag file gets `flagText` once the files `flagAfterStarts` names have started
 * (at once when none), or after 20 s if they never do. Waiting for their start, not for a fixed time, keeps
 * the test's meaning on a loaded machine: with a fixed 1.5 s the ungated files' node processes sometimes
 * started after the flag (load 19), and the test failed though the scheduler was right.
 */
async function runFiles(args: string[], flagAfterStarts: readonly string[], flagText: string): Promise<{ code: number; stdout: string; flagAt: number }> {
	rmSync(journal, { force: true });
	rmSync(flag, { force: true });
	let flagAt = 0;
	const since = Date.now();
	const timer = setInterval(() => {
		if (flagAt !== 0 || (!started(flagAfterStarts) && Date.now() - since < 20_000)) return;
		flagAt = Date.now();
		writeFileSync(flag, flagText);
	}, 25);
	try {
		// Without the variable `node --test` sets for this file: run-files' own runner would report to ours.
		// Without RECORD_TEST_DURATIONS (`RECORD_TEST_DURATIONS=1 npm test`): these temporary files' times
		// went into scripts/lib/test-durations.json.
		const { NODE_TEST_CONTEXT: _ours, RECORD_TEST_DURATIONS: _record, ...env } = process.env;
		const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/lib/run-files.mjs', ...args], { cwd: ROOT, env });
		return { code: 0, stdout, flagAt };
	} catch (error) {
		const failed = error as { code: number; stdout: string };
		return { code: failed.code, stdout: failed.stdout, flagAt };
	} finally {
		clearInterval(timer);
	}
}

function events(): Map<string, { start: number; end: number }> {
	const seen = new Map<string, { start: number; end: number }>();
	for (const line of readFileSync(journal, 'utf8').trim().split('\n')) {
		const [what, name, at] = line.split(' ');
		const entry = seen.get(name) ?? { start: 0, end: 0 };
		entry[what as 'start' | 'end'] = Number(at);
		seen.set(name, entry);
	}
	return seen;
}

describe('run-files: --gate, --apart and --at-most', { timeout: 60_000 }, () => {
	after(() => rmSync(dir, { recursive: true, force: true }));
	const plain = testFile('plain', 300);
	const early = testFile('early', 300);
	const gatedA = testFile('gated-a', 600);
	const gatedB = testFile('gated-b', 600);
	const gate = `gated-.\\.test\\.mjs$=${flag}`;

	it('gated files start once the flag says 0, before the shorter ungated ones still waiting; one --apart group never overlaps', async () => {
		const run = await runFiles(['--concurrency', '2', '--apart', 'gated-', '--gate', gate, plain, early, gatedA, gatedB], ['plain', 'early'], '0\n');
		assert.equal(run.code, 0, run.stdout);
		const seen = events();
		assert.deepEqual([...seen.keys()].sort(), ['early', 'gated-a', 'gated-b', 'plain']);
		const a = seen.get('gated-a')!;
		const b = seen.get('gated-b')!;
		assert.ok(Math.min(a.start, b.start) >= run.flagAt, 'a gated file started before its flag');
		assert.ok(a.end <= b.start || b.end <= a.start, 'two files of one --apart group ran side by side');
		assert.ok(seen.get('plain')!.start < run.flagAt && seen.get('early')!.start < run.flagAt, 'the ungated files waited for the gate');
	});

	it('--at-most 2: never three files of the group at once, and a file outside it takes the third slot beside two of them', async () => {
		const heavy = [testFile('heavy-a', 600), testFile('heavy-b', 600), testFile('heavy-c', 600)];
		const light = testFile('light', 300);
		const run = await runFiles(['--concurrency', '3', '--at-most', '2=heavy-', ...heavy, light], [], '0\n');
		assert.equal(run.code, 0, run.stdout);
		const seen = events();
		const spans = ['heavy-a', 'heavy-b', 'heavy-c'].map((name) => seen.get(name)!);
		const overlap = (x: { start: number; end: number }, y: { start: number; end: number }) => x.start < y.end && y.start < x.end;
		assert.ok(!(overlap(spans[0], spans[1]) && overlap(spans[0], spans[2]) && overlap(spans[1], spans[2])), 'three files of an --at-most 2 group ran at once');
		assert.ok(spans.filter((span) => overlap(span, seen.get('light')!)).length === 2, 'the file outside the group did not run beside two of it');
	});

	it('a flag saying other than 0 fails the gated files unrun, and the run; the others run', async () => {
		const run = await runFiles(['--concurrency', '2', '--gate', gate, plain, gatedA], ['plain'], '1\n');
		assert.equal(run.code, 1);
		assert.deepEqual([...events().keys()], ['plain']);
		assert.match(run.stdout, new RegExp(`failed: ${gatedA.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
	});
});
