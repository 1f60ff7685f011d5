import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FILTERED_ROWS_LOG_LIMITS, reportDroppedRows } from '../../../src/batch/dropped-rows';
import type { LoadResult } from '../../../src/doris/stream-load/client';
import type { ErrorLogLimits } from '../../../src/doris/stream-load/error-log';

const loaded: LoadResult = { label: 'l1', status: 'Success', labelExisted: false, loadedRows: 3, filteredRows: 0, unselectedRows: 0, loadBytes: 30, loadTimeMs: 5, bytes: 30, attempts: 1 };
const reason = (column: string) => `Reason: column_name[${column}], the length of input string is too long. src line [{}]; `;

function recorder(errorLog: string[] = []) {
	const infos: string[] = [];
	const warnings: string[] = [];
	const reads: Array<ErrorLogLimits | undefined> = [];
	const client = {
		errorLog: async (_result: unknown, limits?: ErrorLogLimits) => {
			reads.push(limits);
			return errorLog;
		},
	};
	return { client, logger: { info: (m: string) => infos.push(m), warn: (m: string) => warnings.push(m) }, infos, warnings, reads };
}

describe('reportDroppedRows', () => {
	it('a load that dropped nothing: no error log read, nothing logged', async () => {
		const r = recorder();
		await reportDroppedRows(r.client, loaded, { format: 'json' }, 't', r.logger);
		assert.deepEqual([r.reads, r.infos, r.warnings], [[], [], []]);
	});

	it("filtered rows: reads the error log with the whole of what Doris keeps and logs each row's reason", async () => {
		const r = recorder([reason('a'), 'other line', reason('b')]);
		await reportDroppedRows(r.client, { ...loaded, filteredRows: 2 }, { format: 'json', maxFilterRatio: 0.5 }, 't', r.logger);
		assert.deepEqual(r.reads, [FILTERED_ROWS_LOG_LIMITS]);
		assert.equal(r.warnings.length, 1);
		assert.match(r.warnings[0], /^Doris filtered 2 row\(s\) of load l1 into table "t" \(Max Filter Ratio allows it\): they are not in Doris\. Reasons: column_name\[a\], the length of input string is too long \| column_name\[b\]/);
	});

	it('more rows filtered than the error log names: says how many are only counted; an unreadable log says so', async () => {
		const r = recorder([reason('a')]);
		await reportDroppedRows(r.client, { ...loaded, filteredRows: 80 }, { format: 'json' }, 't', r.logger);
		assert.match(r.warnings[0], /Reasons of the 1 its error log names \(.*the other 79 are only counted\): column_name\[a\]/);
		const empty = recorder([]);
		await reportDroppedRows(empty.client, { ...loaded, filteredRows: 1 }, { format: 'json' }, 't', empty.logger);
		assert.match(empty.warnings[0], /they are not in Doris\. Its error log could not be read\.$/);
	});

	it('a strict partial update before 3.1 whose filtered rows left no error log: says they are rows whose key is new (was: "could not be read"; review session 17)', async () => {
		const r = recorder([]);
		await reportDroppedRows(r.client, { ...loaded, filteredRows: 3 }, { format: 'json', maxFilterRatio: 0.5, partialUpdate: 'fixed', strictMode: true }, 't', r.logger);
		assert.match(r.warnings[0], /they are not in Doris\. Doris wrote no error log for them: in a partial update in strict mode before Doris 3\.1 these are rows whose key is not stored yet/);
	});

	it('rows a where header left out: logged with the header (its name in any case)', async () => {
		const r = recorder();
		await reportDroppedRows(r.client, { ...loaded, unselectedRows: 2 }, { format: 'json', extraHeaders: { ' Where ': 'id > 2' } }, 't', r.logger);
		assert.deepEqual(r.infos, ['Doris left out 2 row(s) of load l1 into table "t" by its where header (id > 2): they are not in Doris, as that header says.']);
		assert.deepEqual(r.warnings, []);
	});

	it('a load found committed under its label: says dropped rows cannot be counted only when Max Filter Ratio or a where header could drop them', async () => {
		const found = { ...loaded, labelExisted: true };
		const plain = recorder();
		await reportDroppedRows(plain.client, found, { format: 'json' }, 't', plain.logger);
		assert.deepEqual(plain.warnings, []);
		const ratio = recorder();
		await reportDroppedRows(ratio.client, found, { format: 'json', maxFilterRatio: 0.1 }, 't', ratio.logger);
		assert.match(ratio.warnings[0], /may have filtered rows \(Max Filter Ratio 0\.1\), which cannot be counted or logged now/);
		const where = recorder();
		await reportDroppedRows(where.client, found, { format: 'json', extraHeaders: { where: 'id > 2' } }, 't', where.logger);
		assert.match(where.warnings[0], /\(Max Filter Ratio 0\) or left rows out by its where header \(id > 2\), which cannot be counted/);
	});
});
