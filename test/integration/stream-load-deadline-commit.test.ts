/**
 * Rows with a deadline (the Kafka trigger's Keep Order per Partition) whose load Doris commits near it
 * (review session 19, R2). Doris does not stop a commit at the load's `timeout`: fe
 * DatabaseTransactionMgr.commitTransaction refuses only an ABORTED transaction, and a timed-out PREPARE
 * transaction is aborted only by the txn cleaner's sweep (every transaction_clean_interval_second);
 * a BE that has the body commits after its client left (stream_load.cpp free_handler_ctx only cancels
 * the body pipe). The batch layer gives the exchange up a margin before the deadline and asks
 * get_load_state until shortly before it (src/batch/load-deadline.ts); a load still PREPARE then is
 * cancelled by its label (POST /api/{db}/_cancel, src/doris/stream-load/cancel-label.ts), so it cannot
 * commit after the deadline.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { loadIntoDoris, type DorisTargetConfig } from '../../src/batch/doris-target';
import { DeadlineError } from '../../src/batch/load-deadline';
import type { StreamLoadLogger } from '../../src/doris/stream-load/client';
import { targetsIn, useDorisDatabase, type DorisDatabase } from './stream-load-support';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: from + i, v: `v${from + i}` }));

/**
 * A logger keeping errors and warnings, emptied for each test: the Stream Load client is shared per FE
 * set and keeps the logger of the target that made it, so the tests of one database share one.
 */
function capturing(): StreamLoadLogger & { errors: string[]; warnings: string[]; clear(): void } {
	const errors: string[] = [];
	const warnings: string[] = [];
	const clear = (): void => {
		errors.length = 0;
		warnings.length = 0;
	};
	return { errors, warnings, clear, info: () => undefined, warn: (message: string) => warnings.push(message), debug: () => undefined, error: (message: string) => errors.push(message) };
}

/** A target whose batch seals at once, logging into `logger`. */
function quickTarget(db: DorisDatabase, table: string, logger: StreamLoadLogger): DorisTargetConfig {
	return { ...targetsIn(db)(table, { batch: { maxRows: 1000, maxIntervalMs: 50 } }), logger };
}

/** Resolves once the test server's record of the load into `table` leaves `status` (the BE went on after the client left). */
async function untilLoadLeaves(db: DorisDatabase, table: string, status: string): Promise<void> {
	for (;;) {
		const load = db.server.loads.find((l) => l.table === table);
		if (load !== undefined && load.status !== status) return;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('Stream Load with a deadline, against a Doris that commits late (no txn cleaner sweep during the test)', () => {
	// No sweep in the test: what Doris does between two sweeps, 30 s apart by default.
	const db = useDorisDatabase({ sharedBatches: true, server: { labels: { cleanIntervalMs: 3_600_000 } } });
	const shared = capturing();

	it('a load committed before the deadline whose answer comes after it succeeds before the deadline, and its rows are in Doris once', async () => {
		const table = await db.newTable();
		const logger = shared;
		logger.clear();
		db.server.faults.hangAfterCommit(1, 8_000);
		const deadline = Date.now() + 3_000;
		const result = await loadIntoDoris(quickTarget(db, table, logger), rows(2), { deadline });
		assert.ok(Date.now() < deadline, 'settled before the deadline: the trigger does not redelivers the execution');
		assert.equal(result.rows, 2);
		assert.equal(result.batches[0].result.labelExisted, true, 'found committed by get_load_state, not by an answer');
		assert.deepEqual(db.server.tableRows('d', table).map((r) => r.id).sort(), [0, 1], 'each row once');
		assert.deepEqual(logger.errors, []);
	});

	it('a load still running (PREPARE) near the deadline is cancelled in Doris: DeadlineError, not loaded, and its late commit is refused', async () => {
		const table = await db.newTable();
		const logger = shared;
		logger.clear();
		db.server.faults.hangThenCommit(1, 4_000);
		await assert.rejects(loadIntoDoris(quickTarget(db, table, logger), rows(2), { deadline: Date.now() + 3_000 }), DeadlineError);
		const label = db.server.loads.find((l) => l.table === table)?.label ?? '';
		assert.deepEqual(logger.errors, [], 'aborted in Doris: it cannot load twice, nothing to warn of');
		assert.ok(label !== '' && logger.warnings.some((w) => w.includes(`label "${label}"`) && /cancelled in Doris \(not loaded\)/.test(w)), logger.warnings.join('\n'));
		// Before the cancel, Doris committed it after the deadline ("may still commit: its rows may load
		// twice"), and the trigger's redelivery loaded the rows again.
		await untilLoadLeaves(db, table, 'hang then commit');
		const load = db.server.loads.find((l) => l.table === table);
		assert.equal(load?.status, 'Fail');
		assert.match(String(load?.response?.Message), /is already aborted\. abort reason: user cancel/);
		assert.deepEqual(db.server.tableRows('d', table), []);
	});
});

describe('Stream Load with a deadline, against a Doris whose txn cleaner sweeps often', () => {
	const db = useDorisDatabase({ sharedBatches: true, server: { labels: { cleanIntervalMs: 200 } } });
	const shared = capturing();

	it('a load the txn cleaner aborted after its timeout: DeadlineError without the may-still-commit log, and its late commit is refused', async () => {
		const table = await db.newTable();
		const logger = shared;
		logger.clear();
		db.server.faults.hangThenCommit(1, 6_000);
		await assert.rejects(loadIntoDoris(quickTarget(db, table, logger), rows(2), { deadline: Date.now() + 4_500 }), DeadlineError);
		assert.deepEqual(logger.errors, [], 'get_load_state said ABORTED: it cannot commit any more');
		await untilLoadLeaves(db, table, 'hang then commit');
		const load = db.server.loads.find((l) => l.table === table);
		assert.equal(load?.status, 'Fail');
		assert.match(String(load?.response?.Message), /is already aborted\. abort reason: timeout by txn manager/);
		assert.deepEqual(db.server.tableRows('d', table), []);
	});
});

// Late review session 20, C1: decoupled (cloud) Doris answers success to every cancel
// (CloudGlobalTransactionMgr.abortTransaction by label never checks the meta-service's status); an early
// cloud build also answers get_load_state "Not supported". A load committed before the deadline whose answer
// never came was then counted not loaded ("cancelled"), and the redelivery loaded its rows a second time.
describe('Stream Load with a deadline, against an early decoupled (cloud) Doris', () => {
	const db = useDorisDatabase({ sharedBatches: true, server: { decoupled: { loadState: 'not_supported', existingJobStatus: 'empty' }, labels: { cleanIntervalMs: 3_600_000 } } });
	const shared = capturing();

	it('a load committed whose answer never comes: the cancel\'s "success" is not taken for an abort; DeadlineError with the may-still-commit log', async () => {
		const table = await db.newTable();
		const logger = shared;
		logger.clear();
		db.server.faults.hangAfterCommit(1, 8_000);
		await assert.rejects(loadIntoDoris(quickTarget(db, table, logger), rows(2), { deadline: Date.now() + 3_000 }), DeadlineError);
		const label = db.server.loads.find((l) => l.table === table)?.label ?? '';
		assert.equal(logger.errors.length, 1, logger.errors.join('\n'));
		assert.ok(label !== '' && logger.errors[0].includes(label), logger.errors[0]);
		assert.match(logger.errors[0], /may still commit/);
		assert.ok(!logger.warnings.some((w) => /cancelled in Doris/.test(w)), logger.warnings.join('\n'));
		assert.equal(db.server.tableRows('d', table).length, 2, 'it is in Doris: the error log is what tells of the copy the redelivery makes');
	});
});
