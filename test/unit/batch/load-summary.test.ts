// The one summary item a Doris Stream Load execution returns (src/batch/load-summary.ts): the batches
// that held its rows, summed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DorisBatchResult } from '../../../src/batch/doris-target';
import { summariseLoad } from '../../../src/batch/load-summary';
import type { LoadResult } from '../../../src/doris/stream-load/client';

describe('summariseLoad', () => {
	const result = (label: string, extra: Partial<LoadResult> = {}): LoadResult => ({
		label,
		txnId: 7,
		status: 'Success',
		labelExisted: false,
		loadedRows: 3,
		filteredRows: 0,
		unselectedRows: 0,
		loadBytes: 30,
		loadTimeMs: 12,
		bytes: 30,
		attempts: 1,
		...extra,
	});

	it('sums the batches that held the execution’s rows; a batch found loaded counts all its rows', () => {
		const batches: DorisBatchResult = {
			rows: 5,
			batches: [
				{ batchId: 1, rows: 3, bytes: 30, executions: 2, result: result('a') },
				{ batchId: 2, rows: 4, bytes: 40, executions: 1, result: result('b', { labelExisted: true, loadedRows: 0, filteredRows: 1, unselectedRows: 2, loadTimeMs: 20, txnId: undefined, attempts: 2 }) },
			],
			rejected: [],
		};
		const summary = summariseLoad('db', 'tbl', batches, false);
		assert.deepEqual(
			{ ...summary, batches: undefined },
			{ database: 'db', table: 'tbl', rows: 5, status: 'Success', label: 'a', labels: ['a', 'b'], txnIds: [7, null], loadedRows: 7, filteredRows: 1, unselectedRows: 2, bytes: 70, loadTimeMs: 20, executionsServed: 2, flushedImmediately: false, rejectedRows: 0, batches: undefined },
		);
		assert.deepEqual(summary.batches[1], { label: 'b', txnId: null, status: 'Success', labelExisted: true, rows: 4, loadedRows: 4, filteredRows: 1, unselectedRows: 2, bytes: 40, sentBytes: 30, loadTimeMs: 20, attempts: 2, executionsServed: 1 });
	});

	it('a status other than Success is reported with every batch status', () => {
		const summary = summariseLoad('db', 'tbl', { rows: 1, batches: [{ batchId: 1, rows: 1, bytes: 1, executions: 1, result: result('a', { status: 'Publish Timeout' }) }], rejected: [] }, true);
		assert.equal(summary.status, 'Publish Timeout');
		assert.equal(summary.flushedImmediately, true);
	});
});
