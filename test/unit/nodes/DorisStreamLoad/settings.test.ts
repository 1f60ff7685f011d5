import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INode } from 'n8n-workflow';

import { readSettings } from '../../../../nodes/DorisStreamLoad/settings';

const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' } as INode;

function ctx(params: Record<string, unknown>) {
	return {
		getNode: () => node,
		getNodeParameter: ((name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback)) as never,
	};
}

describe('Doris Stream Load settings', () => {
	it('defaults: 50000 rows / 50 MB / 10 s / 1 s idle, JSON, label prefix n8n, 5 retries', () => {
		const s = readSettings(ctx({ table: 'orders' }));
		assert.equal(s.table, 'orders');
		assert.equal(s.database, '');
		assert.deepEqual(s.batch, { maxRows: 50_000, maxBytes: 50 * 1024 * 1024, maxIntervalMs: 10_000, maxBufferedBytes: 100 * 1024 * 1024, maxInFlight: 1, maxIdleMs: 1000 });
		assert.equal(s.load.format, 'json');
		assert.equal(s.load.timeoutSeconds, 600);
		assert.equal(s.labelPrefix, 'n8n');
		assert.equal(s.retry.maxRetries, 5);
		assert.equal(s.deletes, 'auto');
		assert.equal(s.loadImmediately, false);
		assert.equal(s.load.strictMode, true, 'whole-row loads are strict unless the option says otherwise');
	});

	it('strict mode: always on; Strict Mode off is refused naming the setting and the rule; whether it was set is kept for Partial Update', () => {
		assert.throws(() => readSettings(ctx({ table: 't', options: { strictMode: false } })), /Strict Mode off is refused: Doris then loads NULL in place of a value its column cannot take, counting nothing/);
		const partial = { partialUpdate: 'fixed', columns: 'id, v' };
		assert.throws(() => readSettings(ctx({ table: 't', options: { ...partial, strictMode: false } })), /Strict Mode off is refused/);
		const unset = readSettings(ctx({ table: 't', options: partial }));
		assert.equal(unset.load.strictMode, true);
		assert.equal(unset.strictModeSet, false);
		const set = readSettings(ctx({ table: 't', options: { ...partial, strictMode: true } }));
		assert.equal(set.load.strictMode, true);
		assert.equal(set.strictModeSet, true);
		assert.equal(readSettings(ctx({ table: 't', options: { strictMode: null } })).strictModeSet, false, 'null reads as unset');
	});

	it('reads every option into load options', () => {
		const s = readSettings(
			ctx({
				database: 'db',
				table: 't',
				format: 'csv',
				csvColumns: 'id, name,ts',
				batchRows: 10,
				batchMb: 0.5,
				batchIntervalSeconds: 2.5,
				options: {
					compression: 'gz',
					groupCommit: 'off',
					deletes: 'always',
					strictMode: true,
					maxFilterRatio: 0.2,
					partialColumns: true,
					sequenceColumn: 'ts',
					timezone: 'UTC',
					timeoutSeconds: 30,
					maxRetries: 2,
					retryBackoffMs: 50,
					maxInFlight: 2,
					maxBufferedMb: 3,
					beUrls: 'http://be1:8040, https://be2:8443/',
					labelPrefix: 'etl:orders',
					loadImmediately: true,
					batchIdleMs: 0,
				},
			}),
		);
		assert.deepEqual(s.load, {
			format: 'csv',
			columns: ['id', 'name', 'ts'],
			jsonpaths: undefined,
			maxFilterRatio: 0.2,
			strictMode: true,
			timeoutSeconds: 30,
			compress: 'gz',
			partialUpdate: 'fixed',
			deleteSign: true,
			sequenceColumn: 'ts',
			timezone: 'UTC',
		});
		assert.deepEqual(s.batch, { maxRows: 10, maxBytes: 524288, maxIntervalMs: 2500, maxBufferedBytes: 3 * 1024 * 1024, maxInFlight: 2, maxIdleMs: undefined });
		assert.deepEqual(s.beUrls, ['http://be1:8040', 'https://be2:8443']);
		assert.equal(s.retry.initialDelayMs, 50);
		assert.equal(s.labelPrefix, 'etl:orders');
		assert.equal(s.loadImmediately, true);
	});

	it('errors name the parameter and the value', () => {
		assert.throws(() => readSettings(ctx({ table: '' })), /Table is empty/);
		assert.throws(() => readSettings(ctx({ table: 't', format: 'csv' })), /CSV Columns is empty/);
		assert.throws(() => readSettings(ctx({ table: 't', batchRows: 0 })), /Batch Max Rows must be a number greater than 0, not 0/);
		assert.throws(() => readSettings(ctx({ table: 't', options: { labelPrefix: 'my.prefix' } })), /Label prefix "my\.prefix"/);
		assert.throws(() => readSettings(ctx({ table: 't', options: { beUrls: 'http://u:p@be:8040' } })), /must not carry credentials/);
		assert.throws(() => readSettings(ctx({ table: 't', options: { maxFilterRatio: 3 } })), /Max Filter Ratio 3/);
		// Doris answers an async_mode load once its rows are in a write-ahead log, before they are committed:
		// the execution would finish, and its offsets commit, before its rows are in Doris.
		assert.throws(() => readSettings(ctx({ table: 't', options: { groupCommit: 'async_mode' } })), /Group Commit "async_mode" is refused: Doris answers .* before they are committed.*set Group Commit to Off/);
		// Under group commit Doris drops rows of no partition without counting them (2.1, 3.0; later ones count
		// them) and checks Max Filter Ratio only while a load holds at most 10,000 rows: rows would vanish while
		// the load succeeds (be/src/pipeline/exec/group_commit_block_sink_operator.cpp).
		assert.throws(
			() => readSettings(ctx({ table: 't', options: { groupCommit: 'sync_mode' } })),
			/Group Commit "sync_mode" is refused: .*no partition.*without counting them.*Max Filter Ratio.*10,000 rows.*set Group Commit to Off/,
		);
	});

	// FE StreamLoadPlanner.plan(): a partial update's column set is the `columns` header only; without
	// it every load fails. Flexible (Doris 3.1) takes the columns from each JSON row.
	it('Partial Update: fixed needs the column list, flexible refuses what Doris refuses with it', () => {
		const load = (options: Record<string, unknown>, format = 'json') => readSettings(ctx({ table: 't', format, csvColumns: 'id,v', options })).load;
		assert.equal(load({ partialUpdate: 'fixed', columns: 'id, status' }).partialUpdate, 'fixed');
		assert.equal(load({ partialUpdate: 'fixed' }, 'csv').partialUpdate, 'fixed', 'CSV Columns is the list');
		assert.equal(load({ partialColumns: true, columns: 'id' }).partialUpdate, 'fixed', 'the former boolean reads as fixed');
		assert.throws(() => load({ partialUpdate: 'fixed' }), /"Fixed Columns" needs Columns .* every key column included/);
		assert.throws(() => load({ partialColumns: true }), /"Fixed Columns" needs Columns/);
		assert.equal(load({ partialUpdate: 'flexible' }).partialUpdate, 'flexible');
		assert.throws(() => load({ partialUpdate: 'flexible' }, 'csv'), /reads JSON lines only/);
		assert.throws(() => load({ partialUpdate: 'flexible', columns: 'id' }), /leave Columns empty/);
		assert.throws(() => load({ partialUpdate: 'flexible', sequenceColumn: 'ts' }), /Sequence Column/);
		assert.equal(load({ partialUpdate: 'off' }).partialUpdate, undefined);
	});

	// Doris parses `columns` as SQL (COLUMNS (<header>), fe-core StreamLoadTask): an expression's own
	// commas and blanks belong to it. The former reader split on every comma and blank.
	it('Columns and CSV Columns keep expressions whole: commas and blanks inside them are not separators', () => {
		const json = readSettings(ctx({ table: 't', options: { columns: "id, dt = from_unixtime(ts, '%Y-%m-%d %H:%i:%s'), ts" } })).load;
		assert.deepEqual(json.columns, ['id', "dt = from_unixtime(ts, '%Y-%m-%d %H:%i:%s')", 'ts']);
		const csv = readSettings(ctx({ table: 't', format: 'csv', csvColumns: 'id, ts, day = to_date(ts)' })).load;
		assert.deepEqual(csv.columns, ['id', 'ts', 'day = to_date(ts)']);
		assert.deepEqual(readSettings(ctx({ table: 't', options: { columns: 'id name ts' } })).load.columns, ['id', 'name', 'ts'], 'plain names as before');
		assert.throws(() => readSettings(ctx({ table: 't', options: { columns: 'id, dt = f(ts' } })), /Columns "id, dt = f\(ts" is not a Doris column list: a "\)" is missing/);
	});

	it('Headers pass through, and a refused one fails the settings naming the header and the reason', () => {
		const headers = (header: Array<{ name?: string; value?: string }>, options: Record<string, unknown> = {}) =>
			readSettings(ctx({ table: 't', options: { headers: { header }, ...options } })).load.extraHeaders;
		assert.deepEqual(headers([{ name: ' where ', value: " status != 'test' " }, { name: 'partitions', value: 'p1,p2' }, {}]), {
			where: "status != 'test'",
			partitions: 'p1,p2',
		});
		assert.equal(headers([]), undefined);
		assert.throws(() => headers([{ name: 'two_phase_commit', value: 'true' }]), /"two_phase_commit" "true" is refused: .*pre-committed/);
		assert.throws(() => headers([{ name: 'label', value: 'x' }]), /"label" "x" is refused/);
		assert.throws(() => headers([{ value: 'x' }]), /Headers: the header with value "x" has no name/);
		assert.throws(() => headers([{ name: 'where', value: 'a=1' }, { name: 'Where', value: 'b=1' }]), /Headers: "Where" is given twice/);
		assert.deepEqual(headers([{ name: 'merge_type', value: 'delete' }], { deletes: 'never' }), { merge_type: 'delete' });
		assert.throws(() => headers([{ name: 'merge_type', value: 'DELETE' }]), /"merge_type" "DELETE" is refused with Deletes \(CDC\) "auto"/);
		// A path the node cannot follow could hide a field Doris leaves unread: refused when the settings are read.
		assert.throws(() => readSettings(ctx({ table: 't', options: { columns: 'a', jsonpaths: '["$.a.*"]' } })), /JSON Paths entry "\$\.a\.\*" is not a path this node can follow/);
		assert.throws(() => headers([{ name: 'json_root', value: 'payload' }]), /json_root header "payload" is not a path this node can follow/);
	});
});
