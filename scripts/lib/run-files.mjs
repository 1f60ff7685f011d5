// Runs test files N at a time, slowest first, each in its own process (node:test's run(), one file per
// call), and prints each file's spec report whole once it ends, then the time per file.
//   node --import tsx scripts/lib/run-files.mjs [--concurrency N] [--apart REGEX]… [--at-most N=REGEX]…
//                                               [--gate REGEX=FILE] [--trace-schedule] FILE…
// Why not `node --test --test-concurrency=N`: it sorts its files by path, so a slow file that sorts
// last runs alone at the end; started first, it runs beside the short ones instead. "Slowest" is
// scripts/lib/test-durations.json (seconds per file, as `npm test` measured them); a file it does not
// list goes first, as if slow. Files matching one --apart REGEX never run at the same time as each
// other (the ones that start several n8n processes: two of them on two cores starve each other's
// timers); --apart may be given once per such group. --at-most N=REGEX lets at most N files matching REGEX
// run at once (--apart REGEX is --at-most 1=REGEX). Files matching --gate's REGEX wait until FILE
// exists (npm test: n8n's install, running in the background, writes its exit code there when done),
// while the others take the slots; then they are the slowest waiting and go next. A FILE saying other
// than 0 fails them unrun. One run for both kinds keeps both cores busy: run one after the other, the
// files that start n8n waited for the last file without n8n, and that file ran beside nothing.
// RECORD_TEST_DURATIONS=1 writes this run's times into test-durations.json (`RECORD_TEST_DURATIONS=1
// npm test`, then commit it), for files added or grown since. Exits 1 when a test failed.
// --trace-schedule prints `[run-files] schedule {"running":[…],"waiting":[…]}` after every round of
// starting files: until a running file ends or the gate opens, nothing else starts. Its unit test waits
// for these lines instead of a wall-clock window (under load its test files' processes started later than
// any window allowed for, and the test failed though the scheduler was right).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

import { formatFileDurations } from './file-durations.mjs';

const args = process.argv.slice(2);
let concurrency = 1;
const apartGroups = [];
let gate;
let traceSchedule = false;
for (;;) {
	if (args[0] === '--trace-schedule') {
		traceSchedule = true;
		args.shift();
		continue;
	}
	if (args[0] === '--concurrency') concurrency = Number(args[1]);
	else if (args[0] === '--apart') apartGroups.push({ files: new RegExp(args[1]), most: 1 });
	else if (args[0] === '--at-most') {
		const at = args[1].indexOf('=');
		const most = Number(args[1].slice(0, at));
		if (at < 1 || !Number.isInteger(most) || most < 1) throw new Error(`--at-most takes N=REGEX with N a whole number ≥ 1, got ${args[1]}`);
		apartGroups.push({ files: new RegExp(args[1].slice(at + 1)), most });
	}
	else if (args[0] === '--gate') {
		const at = args[1].lastIndexOf('=');
		if (at < 1) throw new Error(`--gate takes REGEX=FILE, got ${args[1]}`);
		gate = { files: new RegExp(args[1].slice(0, at)), flag: args[1].slice(at + 1), open: false, failed: false };
	} else break;
	args.splice(0, 2);
}
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a whole number ≥ 1, got ${concurrency}`);

const durationsFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-durations.json');
const seconds = JSON.parse(readFileSync(durationsFile, 'utf8'));
const expected = (file) => seconds[file] ?? Infinity;
// Files of equal (or unknown) duration keep their path order.
const waiting = [...args].sort((a, b) => expected(b) - expected(a) || a.localeCompare(b));

// The runner's own totals ("ℹ tests 4", "ℹ pass 4", …), printed per call: one total for all files instead.
const TOTALS = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /;
const totals = { tests: 0, pass: 0, fail: 0, skipped: 0, todo: 0 };
const timed = [];
const failedFiles = [];

async function runFile(file) {
	const began = Date.now();
	let failed = false;
	const events = run({ files: [file] });
	async function* counted(source) {
		for await (const event of source) {
			const { data } = event;
			if (event.type === 'test:diagnostic' && data.nesting === 0 && TOTALS.test(data.message)) continue;
			// The file itself ends with a test:complete only: failed when its process did (e.g. did not load).
			if (event.type === 'test:complete' && data.nesting === 0 && data.name === file && !data.details.passed) failed = true;
			if ((event.type === 'test:pass' || event.type === 'test:fail') && data.details?.type !== 'suite') {
				if (event.type === 'test:fail' && !data.todo) failed = true;
				totals.tests += 1;
				if (data.skip) totals.skipped += 1;
				else if (data.todo) totals.todo += 1;
				else totals[event.type === 'test:pass' ? 'pass' : 'fail'] += 1;
			}
			yield event;
		}
	}
	const report = [];
	for await (const chunk of Readable.from(counted(events)).compose(new spec())) report.push(chunk);
	process.stdout.write(report.join(''));
	timed.push({ name: file, ms: Date.now() - began, failed });
	if (failed) failedFiles.push(file);
}

const running = new Set();
const gated = (file) => gate !== undefined && gate.files.test(file);
/** The slowest waiting file that may start now: each of its --apart / --at-most groups below its limit, its gate open. */
function next() {
	const full = (group) => [...running].filter((other) => group.files.test(other)).length >= group.most;
	const at = waiting.findIndex((file) => !(gated(file) && !gate.open) && !apartGroups.some((group) => group.files.test(file) && full(group)));
	return at < 0 ? undefined : waiting.splice(at, 1)[0];
}

const began = Date.now();
await new Promise((resolve) => {
	let poll;
	const fill = () => {
		while (running.size < concurrency) {
			const file = next();
			if (file === undefined) break;
			running.add(file);
			runFile(file).finally(() => {
				running.delete(file);
				fill();
			});
		}
		if (traceSchedule) process.stdout.write(`[run-files] schedule ${JSON.stringify({ running: [...running], waiting })}\n`);
		if (running.size === 0 && waiting.length === 0) {
			clearInterval(poll);
			resolve();
		}
	};
	if (gate !== undefined && waiting.some(gated)) {
		const look = () => {
			if (gate.open || !existsSync(gate.flag)) return;
			const code = readFileSync(gate.flag, 'utf8').trim();
			if (code === '') return; // being written
			gate.open = true;
			clearInterval(poll);
			process.stdout.write(`\n[run-files] ${gate.flag} says ${code} after ${((Date.now() - began) / 1000).toFixed(1)} s: ${code === '0' ? 'starting' : 'failing'} the files matching ${gate.files}\n`);
			if (code !== '0') {
				for (const file of waiting.filter(gated)) {
					waiting.splice(waiting.indexOf(file), 1);
					timed.push({ name: file, ms: 0, failed: true });
					failedFiles.push(file);
				}
			}
			fill();
		};
		poll = setInterval(look, 500);
		look();
	}
	fill();
});

process.stdout.write(formatFileDurations(timed));
const line = Object.entries(totals).map(([name, count]) => `${name} ${count}`).join(', ');
process.stdout.write(`\n${timed.length} files in ${((Date.now() - began) / 1000).toFixed(1)} s, ${concurrency} at a time: ${line}\n`);
if (failedFiles.length > 0) process.stdout.write(`failed: ${failedFiles.join(' ')}\n`);
process.exitCode = failedFiles.length > 0 ? 1 : 0;
if (process.env.RECORD_TEST_DURATIONS === '1') {
	// Re-read: the other phase of the same npm test may have recorded its files meanwhile.
	const recorded = { ...JSON.parse(readFileSync(durationsFile, 'utf8')), ...Object.fromEntries(timed.map((f) => [f.name, Math.round(f.ms / 100) / 10])) };
	const sorted = Object.fromEntries(Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b)));
	writeFileSync(durationsFile, `${JSON.stringify(sorted, null, '\t')}\n`);
}
