import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildLoadHeaders, checkHeader } from '../../../../src/doris/stream-load/headers';

describe('Stream Load headers', () => {
	it('maps options to Doris header names', () => {
		const h = buildLoadHeaders(
			{
				format: 'json',
				columns: ['id', 'name'],
				maxFilterRatio: 0.1,
				strictMode: true,
				timeoutSeconds: 120,
				compress: 'gz',
				partialUpdate: 'fixed',
				sequenceColumn: 'ts',
				timezone: 'UTC',
			},
			'lbl_1',
		);
		assert.deepEqual(h, {
			label: 'lbl_1',
			group_commit: 'off_mode',
			format: 'json',
			read_json_by_line: 'true',
			columns: 'id,name',
			max_filter_ratio: '0.1',
			strict_mode: 'true',
			timeout: '120',
			compress_type: 'gz',
			partial_columns: 'true',
			'function_column.sequence_col': 'ts',
			timezone: 'UTC',
		});
	});

	it('labels every load and opts out of group commit (refused: Doris would pick the label and can drop rows uncounted)', () => {
		// group_commit: off_mode on every load, so a table property group_commit_mode (Doris 4.1 / master,
		// apache/doris PR #61242) cannot turn a labelled load into group commit (review session 19, R3).
		for (const format of ['json', 'csv'] as const) {
			const h = buildLoadHeaders({ format }, 'lbl_1');
			assert.equal(h.label, 'lbl_1');
			assert.equal(h.group_commit, 'off_mode');
		}
		assert.throws(() => buildLoadHeaders({ format: 'json', extraHeaders: { group_commit: 'sync_mode' } }, 'lbl_1'), /"group_commit" "sync_mode" is refused: .*drops rows without counting them/);
		assert.throws(() => buildLoadHeaders({ format: 'json', extraHeaders: { group_commit: 'async_mode' } }, 'lbl_1'), /"group_commit" "async_mode" is refused/);
		// The user's own off_mode is what the node sends anyway: accepted, sent once.
		assert.equal(buildLoadHeaders({ format: 'json', extraHeaders: { Group_Commit: ' OFF_MODE ' } }, 'lbl_1').group_commit, 'off_mode');
	});

	it('loads the delete sign as a hidden column, or as a column when columns are given', () => {
		assert.equal(buildLoadHeaders({ format: 'json', deleteSign: true }, 'l').hidden_columns, '__DORIS_DELETE_SIGN__');
		const h = buildLoadHeaders({ format: 'json', deleteSign: true, columns: ['id'] }, 'l');
		assert.equal(h.hidden_columns, undefined);
		assert.equal(h.columns, 'id,__DORIS_DELETE_SIGN__');
	});

	it('fixed partial update sends partial_columns with the column list Doris takes the update set from', () => {
		const h = buildLoadHeaders({ format: 'json', partialUpdate: 'fixed', columns: ['id', 'status'], deleteSign: true }, 'l');
		assert.equal(h.partial_columns, 'true');
		assert.equal(h.columns, 'id,status,__DORIS_DELETE_SIGN__');
		// StreamLoadPlanner.plan(): without `columns` every partial update fails ("Partial update should
		// include all key columns"), so the client refuses it before sending.
		assert.throws(() => buildLoadHeaders({ format: 'json', partialUpdate: 'fixed' }, 'l'), /needs the list of columns to update/);
	});

	it('flexible partial update sends unique_key_update_mode, and refuses what the BE refuses with it', () => {
		const h = buildLoadHeaders({ format: 'json', partialUpdate: 'flexible', deleteSign: true }, 'l');
		assert.equal(h.unique_key_update_mode, 'UPDATE_FLEXIBLE_COLUMNS');
		assert.equal(h.partial_columns, undefined);
		assert.equal(h.hidden_columns, undefined, 'the BE refuses hidden_columns; the delete sign is read from each line');
		assert.equal(h.columns, undefined);
		assert.throws(() => buildLoadHeaders({ format: 'csv', partialUpdate: 'flexible' }, 'l'), /CSV/);
		assert.throws(() => buildLoadHeaders({ format: 'json', partialUpdate: 'flexible', columns: ['a'] }, 'l'), /column list/);
		assert.throws(() => buildLoadHeaders({ format: 'json', partialUpdate: 'flexible', jsonpaths: '["$.a"]' }, 'l'), /JSON paths/);
		assert.throws(() => buildLoadHeaders({ format: 'json', partialUpdate: 'flexible', sequenceColumn: 'ts' }, 'l'), /sequence column/);
		assert.throws(() => buildLoadHeaders({ format: 'json', partialUpdate: 'flexible', extraHeaders: { where: 'a>1' } }, 'l'), /"where"/);
	});

	it('partial_update_new_key_behavior goes with a partial update only, and a Headers entry of the user wins', () => {
		const h = buildLoadHeaders({ format: 'json', strictMode: true, partialUpdate: 'fixed', columns: ['id', 'v'], partialUpdateNewKeyBehavior: 'APPEND' }, 'l');
		assert.equal(h.partial_update_new_key_behavior, 'APPEND');
		assert.equal(h.strict_mode, 'true');
		assert.equal(buildLoadHeaders({ format: 'json', partialUpdate: 'flexible', partialUpdateNewKeyBehavior: 'APPEND' }, 'l').partial_update_new_key_behavior, 'APPEND');
		assert.equal(buildLoadHeaders({ format: 'json', partialUpdateNewKeyBehavior: 'APPEND' }, 'l').partial_update_new_key_behavior, undefined);
		assert.equal(buildLoadHeaders({ format: 'json', partialUpdate: 'fixed', columns: ['id'] }, 'l').partial_update_new_key_behavior, undefined, 'not for a release before 3.1');
		const chosen = buildLoadHeaders({ format: 'json', partialUpdate: 'fixed', columns: ['id'], partialUpdateNewKeyBehavior: 'APPEND', extraHeaders: { partial_update_new_key_behavior: 'ERROR' } }, 'l');
		assert.equal(chosen.partial_update_new_key_behavior, 'ERROR');
	});

	it('CSV sends its separators', () => {
		const h = buildLoadHeaders({ format: 'csv', columns: ['a', 'b'] }, 'l');
		assert.equal(h.format, 'csv');
		assert.equal(h.column_separator, '\\x01');
		assert.equal(h.line_delimiter, '\\n');
	});

	it('rejects header injection (CR/LF) naming the header', () => {
		assert.throws(() => buildLoadHeaders({ format: 'json', timezone: 'UTC\r\nX-Evil: 1' }, 'l'), /header "timezone" has a control character/);
		assert.throws(() => buildLoadHeaders({ format: 'json', sequenceColumn: 'a\nb' }, 'l'), /function_column\.sequence_col/);
		assert.throws(() => buildLoadHeaders({ format: 'json', extraHeaders: { where: 'a=1\r\n' } }, 'l'), /"where"/);
		assert.throws(() => checkHeader('bad name', 'x'), /not a valid HTTP header name/);
		assert.throws(() => buildLoadHeaders({ format: 'json', extraHeaders: { Authorization: 'x' } }, 'l'), /"Authorization" \(value not shown\) is refused/);
	});

	it('rejects bad labels and values', () => {
		assert.throws(() => buildLoadHeaders({ format: 'json' }, 'a.b'), /does not match/);
		assert.throws(() => buildLoadHeaders({ format: 'json', maxFilterRatio: 2 }, 'l'), /between 0 and 1/);
		assert.throws(() => buildLoadHeaders({ format: 'json', timeoutSeconds: 1.5 }, 'l'), /whole number/);
	});
});
