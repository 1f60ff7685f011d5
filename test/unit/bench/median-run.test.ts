/**
 * A scenario's reported figures: the median run's, with peak RSS growth measured over the RSS before
 * the scenario's first pass (n8n's idle footprint), never over what an earlier pass left in the heap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseOptions } from '../../../bench/config';
import { medianOf, type RunFigures } from '../../../bench/report';

function run(rowsPerSec: number, cpu: number, startRssMb: number, peakRssMb: number): RunFigures {
	return {
		rows: 300_000,
		seconds: 300_000 / rowsPerSec,
		rowsPerSec,
		mbPerSec: 0,
		cpuSecPerMillionRows: cpu,
		dorisCpuSecPerMillionRows: 6,
		databaseCpuSecPerMillionRows: null,
		peakRssMb,
		startRssMb,
		loads: 6,
		flushP50Ms: null,
		flushP99Ms: null,
		commitGapP50Ms: 500,
		commitGapP99Ms: 900,
	};
}

describe('bench: a scenario median', () => {
	it('takes the start RSS of the first run, not the median of later runs that start with a fuller heap', () => {
		const m = medianOf([run(40_000, 15, 900, 1150), run(50_000, 13, 1050, 1120), run(45_000, 14, 1040, 1130)], null);
		assert.equal(m.rowsPerSec, 45_000);
		assert.equal(m.cpuSecPerMillionRows, 14);
		assert.equal(m.startRssMb, 900);
		assert.equal(m.peakRssMb - m.startRssMb, 250);
	});

	it('with a warm-up, measures growth over the RSS before the warm-up and counts its peak', () => {
		const warmup = run(30_000, 18, 880, 1200);
		const m = medianOf([run(50_000, 13, 1050, 1120), run(45_000, 14, 1040, 1130), run(47_000, 13.5, 1045, 1125)], warmup);
		assert.equal(m.cpuSecPerMillionRows, 13.5, 'the warm-up is not one of the measured runs');
		assert.equal(m.startRssMb, 880);
		assert.equal(m.peakRssMb, 1200);
	});

	it('--warmup is off unless asked for', () => {
		assert.equal(parseOptions([]).warmup, false);
		assert.equal(parseOptions(['--warmup', '--runs', '2']).warmup, true);
		assert.equal(parseOptions(['--warmup', '--runs', '2']).runs, 2);
	});

	it('--n8n-db: SQLite unless asked for; a PostgreSQL run is labelled so its results file does not replace the SQLite one', () => {
		assert.equal(parseOptions([], {}).n8nDb, 'sqlite');
		assert.equal(parseOptions([], {}).label, null);
		const pg = parseOptions(['--n8n-db', 'postgres'], {});
		assert.equal(pg.n8nDb, 'postgres');
		assert.equal(pg.label, 'n8n-postgres');
		assert.equal(parseOptions(['--label', 'mine'], { BENCH_N8N_DB: 'postgres' }).label, 'mine');
		assert.equal(parseOptions([], { BENCH_N8N_DB: 'postgres' }).n8nDb, 'postgres');
		assert.throws(() => parseOptions(['--n8n-db', 'mysql'], {}), /--n8n-db must be one of sqlite, postgres, got "mysql"/);
	});
});
