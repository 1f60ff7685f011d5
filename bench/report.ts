/** Writes a benchmark's figures as bench/results/<date>-<size>.json and a markdown table beside it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { PitfallFigures } from './builtin-pitfalls';
import type { BenchOptions, ScenarioId } from './config';
import { PARTITIONS } from './dataset';
import { median } from './measure';

export interface RunFigures {
	rows: number;
	seconds: number;
	rowsPerSec: number;
	mbPerSec: number;
	cpuSecPerMillionRows: number;
	/** CPU of the runner meanwhile: almost all of it the Doris test server parsing and storing rows. */
	dorisCpuSecPerMillionRows: number;
	/** CPU of n8n's PostgreSQL server meanwhile (null: n8n on SQLite, or no n8n in the scenario). */
	databaseCpuSecPerMillionRows: number | null;
	peakRssMb: number;
	/**
	 * RSS when consuming started: for n8n its idle footprint, which no node setting changes. In a
	 * scenario's median, the first pass's (warm-up included).
	 */
	startRssMb: number;
	loads: number;
	/** Flush → acknowledged, as the pipeline measured it (null when it does not say). */
	flushP50Ms: number | null;
	flushP99Ms: number | null;
	/** Time between consecutive loads becoming visible in Doris. */
	commitGapP50Ms: number;
	commitGapP99Ms: number;
}

/**
 * The median run; peak RSS is the highest of every pass (the warm-up's too: the same process), its
 * start the first pass's, which for n8n is its idle footprint (a later run starts with what the
 * previous one left in the heap, and growth over that would understate it).
 */
export function medianOf(runs: RunFigures[], warmup: RunFigures | null): RunFigures {
	const pick = (f: (r: RunFigures) => number | null): number | null => {
		const values = runs.map(f).filter((v): v is number => v !== null);
		return values.length === 0 ? null : median(values);
	};
	// The throughput median decides which run's time the MB/s and rows/s come from.
	const mid = [...runs].sort((a, b) => a.rowsPerSec - b.rowsPerSec)[Math.floor((runs.length - 1) / 2)];
	return {
		...mid,
		cpuSecPerMillionRows: pick((r) => r.cpuSecPerMillionRows) ?? NaN,
		dorisCpuSecPerMillionRows: pick((r) => r.dorisCpuSecPerMillionRows) ?? NaN,
		databaseCpuSecPerMillionRows: pick((r) => r.databaseCpuSecPerMillionRows),
		peakRssMb: Math.max(...[warmup, ...runs].map((r) => r?.peakRssMb ?? 0)),
		startRssMb: (warmup ?? runs[0]).startRssMb,
		flushP50Ms: pick((r) => r.flushP50Ms),
		flushP99Ms: pick((r) => r.flushP99Ms),
	};
}

export interface LatencyFigures {
	/** Events per second actually produced during the phase. */
	rate: number;
	rows: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	flushP50Ms: number | null;
	flushP99Ms: number | null;
}

export interface ScenarioResult {
	title: string;
	rows: number;
	runs: RunFigures[];
	median: RunFigures;
	latency: LatencyFigures | null;
}

export interface ScalingCell {
	batchRows: number;
	inFlight: number;
	rowsPerSec: number;
	peakRssMb: number;
}

export interface Machine {
	cores: number;
	cpuModel: string;
	node: string;
	memGb: number;
	platform: string;
}

export interface BenchResults {
	date: string;
	machine: Machine;
	options: BenchOptions;
	dataset: { topic: string; size: number; bytes: number };
	results: Partial<Record<ScenarioId, ScenarioResult>>;
	scaling: { scenario: ScenarioId; size: number; cells: ScalingCell[] } | null;
	/** What the builtin-batch workflow loads and commits without its fixes (null: not run). */
	pitfalls: PitfallFigures[] | null;
	notes: string[];
}

export function machine(): Machine {
	const list = cpus();
	return {
		cores: list.length,
		cpuModel: list[0]?.model ?? 'unknown',
		node: process.version,
		memGb: Math.round(totalmem() / 2 ** 30),
		platform: `${process.platform} ${process.arch}`,
	};
}

function ratio(results: BenchResults['results'], a: ScenarioId, b: ScenarioId): number | null {
	const x = results[a]?.median.rowsPerSec;
	const y = results[b]?.median.rowsPerSec;
	return x === undefined || y === undefined ? null : x / y;
}

export function ratios(results: BenchResults['results']): Record<string, number | null> {
	return {
		'n8n / raw (3/1)': ratio(results, 'n8n', 'raw'),
		'n8n / builtin (3/4)': ratio(results, 'n8n', 'builtin'),
		'n8n packed / raw (3/1)': ratio(results, 'packed', 'raw'),
		'n8n packed / builtin (3/4)': ratio(results, 'packed', 'builtin'),
		'n8n / builtin-batch': ratio(results, 'n8n', 'builtin-batch'),
		'n8n packed / builtin-batch': ratio(results, 'packed', 'builtin-batch'),
		'builtin-batch / raw': ratio(results, 'builtin-batch', 'raw'),
		'core / raw (2/1)': ratio(results, 'core', 'raw'),
	};
}

const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function markdown(r: BenchResults): string {
	const o = r.options;
	const out: string[] = [
		`# Benchmark ${r.date.slice(0, 10)}: ${r.dataset.size.toLocaleString('en-US')} events${o.quick ? ' (quick run, not final)' : ''}`,
		'',
		`Machine: ${r.machine.cores} cores (${r.machine.cpuModel}), ${r.machine.memGb} GB, Node ${r.machine.node}, ${r.machine.platform}.`,
		`Data set: \`${r.dataset.topic}\`, ${PARTITIONS} partitions, ${fmt(r.dataset.bytes / r.dataset.size)} bytes per event on average.`,
		`Settings: batch ${fmt(o.batchRows)} rows, flush every ${fmt(o.flushMs)} ms, ${o.inFlight} executions of ≤ ${fmt(o.execRows)} records in flight (scenarios core and n8n); median of ${o.runs} run(s).`,
		'',
		"| Scenario | rows | rows/s | MB/s | e2e p50 / p99 (ms) | flush p50 / p99 (ms) | load gap p50 / p99 (ms) | peak RSS (+ over start) (MB) | CPU s / M rows | Doris test server CPU s / M rows | n8n's PostgreSQL CPU s / M rows |",
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const [id, res] of Object.entries(r.results)) {
		const m = res.median;
		const l = res.latency;
		out.push(
			`| ${id}: ${res.title} | ${fmt(res.rows)} | ${fmt(m.rowsPerSec)} | ${fmt(m.mbPerSec, 1)} | ${l ? `${fmt(l.p50Ms)} / ${fmt(l.p99Ms)} @ ${fmt(l.rate)}/s` : '–'} | ${fmt(m.flushP50Ms)} / ${fmt(m.flushP99Ms)} | ${fmt(m.commitGapP50Ms)} / ${fmt(m.commitGapP99Ms)} | ${fmt(m.peakRssMb)} (+${fmt(m.peakRssMb - m.startRssMb)}) | ${fmt(m.cpuSecPerMillionRows, 1)} | ${fmt(m.dorisCpuSecPerMillionRows, 1)} | ${fmt(m.databaseCpuSecPerMillionRows, 1)} |`,
		);
	}
	out.push('', '| Ratio | value |', '|---|---:|');
	for (const [name, value] of Object.entries(ratios(r.results))) out.push(`| ${name} | ${value === null ? '–' : `${fmt(value, 2)}×`} |`);
	if (r.scaling !== null) {
		const s = r.scaling;
		const inFlights = [...new Set(s.cells.map((c) => c.inFlight))];
		out.push('', `Scaling (scenario ${s.scenario}, ${fmt(s.size)} events, ${fmt(o.execRows)} records per execution, rows/s, one run per cell):`, '', `| batch rows | ${inFlights.map((n) => `${n} in flight`).join(' | ')} |`, `|---:|${inFlights.map(() => '---:').join('|')}|`);
		for (const batch of [...new Set(s.cells.map((c) => c.batchRows))]) {
			out.push(`| ${fmt(batch)} | ${inFlights.map((n) => fmt(s.cells.find((c) => c.batchRows === batch && c.inFlight === n)?.rowsPerSec)).join(' | ')} |`);
		}
	}
	if (r.pitfalls !== null) {
		out.push(
			'',
			`Pitfalls (scenario builtin-batch without its fixes, ${fmt(r.pitfalls[0]?.events)} events): what was committed against what arrived.`,
			'',
			'| Variant | messages committed | rows in Doris | Stream Loads (Status: count) | Doris said |',
			'|---|---:|---:|---|---|',
		);
		for (const p of r.pitfalls) {
			const loads = Object.entries(p.loads).map(([status, n]) => `${status}: ${n}`).join(', ');
			out.push(`| ${p.variant}: ${p.description} | ${fmt(p.committed)} / ${fmt(p.events)} | ${fmt(p.rowsInDoris)} | ${loads || '–'} | ${(p.message ?? '–').replace(/\|/g, '\\|').slice(0, 200)} |`);
		}
	}
	out.push(
		'',
		'How to read it: rows/s and MB/s (JSON bytes as produced) over the window from the consumer group turning Stable to the last row visible in the Doris test server;',
		'e2e latency from a separate live phase (events produced at the stated rate while the pipeline runs; produce time → visible);',
		'flush = one Stream Load from send to answer, as the pipeline timed it; load gap = time between consecutive loads becoming visible;',
		'peak RSS (VmHWM, reset when consuming starts, summed over the process and its children such as the n8n task runner; in brackets its growth over the RSS when the first pass of the scenario (warm-up included) started consuming, which for n8n is its idle footprint) and CPU are those of the process doing the work (worker or n8n with its children), not of Kafka or the Doris test server;',
		'the Doris test server runs in the benchmark runner and competes for the same cores: its CPU per million rows is the second last column;',
		"n8n's PostgreSQL (--n8n-db postgres) stores what n8n on SQLite stores in its own process: its server's CPU is the last column (– on SQLite).",
	);
	if (r.notes.length > 0) out.push('', 'Notes:', ...r.notes.map((n) => `- ${n}`));
	return `${out.join('\n')}\n`;
}

export function writeResults(r: BenchResults, dir = join(__dirname, 'results')): string[] {
	mkdirSync(dir, { recursive: true });
	const base = join(dir, `${r.date.slice(0, 10)}-${r.dataset.size}${r.options.quick ? '-quick' : ''}${r.options.label !== null ? `-${r.options.label}` : ''}`);
	writeFileSync(`${base}.json`, `${JSON.stringify({ ...r, ratios: ratios(r.results) }, null, '\t')}\n`);
	writeFileSync(`${base}.md`, markdown(r));
	return [`${base}.json`, `${base}.md`];
}
