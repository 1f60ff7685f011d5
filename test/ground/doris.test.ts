// The Doris test server's HTTP face: FE redirect and checks, BE statuses, labels, formats, faults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { basic, jsonLines, request, streamLoad } from './doris/testing';

let doris: DorisTestServer;
let n = 0;
const label = (): string => `t_${process.pid}_${++n}`;

before(async () => {
	doris = await startDorisTestServer({ password: 'pw' });
	await doris.sql('CREATE DATABASE d');
	await doris.sql(`CREATE TABLE d.ev (
		id BIGINT NOT NULL, name VARCHAR(8) NULL, amount DECIMAL(10, 2), ts DATETIME(3), ok BOOLEAN, tags ARRAY<STRING>, doc JSON
	) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
});
after(() => doris.close());

const load = (body: string | Buffer, headers: Record<string, string> = {}, table = 'ev') =>
	streamLoad(doris.feUrl, 'd', table, body, { format: 'json', read_json_by_line: 'true', ...headers }, ['root', 'pw']);

describe('FE', () => {
	it('redirects with 307 to the BE, credentials in the userinfo and a trailing ?', async () => {
		const r = await request(`${doris.feUrl}/api/d/ev/_stream_load`, 'PUT', { Expect: '100-continue', Authorization: basic('root', 'pw') }, '{}');
		assert.equal(r.status, 307);
		const port = new URL(doris.beUrl).port;
		assert.equal(r.headers.location, `http://root:pw@127.0.0.1:${port}/api/d/ev/_stream_load?`);
	});

	it('answers bad auth with HTTP 200 and ResponseEntityBuilder.unauthorized', async () => {
		const r = await request(`${doris.feUrl}/api/d/ev/_stream_load`, 'PUT', { Expect: '100-continue', Authorization: basic('root', 'nope') }, '{}');
		assert.equal(r.status, 200);
		const body = JSON.parse(r.text) as Record<string, unknown>;
		assert.deepEqual(Object.keys(body), ['msg', 'code', 'data', 'count']);
		assert.equal(body.msg, 'Unauthorized');
		assert.equal(body.code, 401);
	});

	it('checks the group_commit header before the password, as LoadAction.streamLoad does', async () => {
		const r = await request(`${doris.feUrl}/api/d/ev/_stream_load`, 'PUT', { Expect: '100-continue', Authorization: basic('root', 'nope'), group_commit: 'later' }, '{}');
		assert.equal(r.status, 200);
		assert.deepEqual(JSON.parse(r.text), { status: 'FAILED', msg: 'Header `group_commit` can only be `sync_mode`, `async_mode` or `off_mode`.' });
	});

	it('refuses a load without Expect: 100-continue (RestBaseResult, HTTP 200)', async () => {
		const r = await request(`${doris.feUrl}/api/d/ev/_stream_load`, 'PUT', { Authorization: basic('root', 'pw') }, '{"id":1}');
		assert.equal(r.status, 200);
		assert.deepEqual(JSON.parse(r.text), { status: 'FAILED', msg: 'There is no 100-continue header' });
	});

	it('answers get_load_state like GetStreamLoadState: PREPARE while running, VISIBLE after, ABORTED after a failure, UNKNOWN otherwise', async () => {
		const state = async (lbl: string, db = 'd', password = 'pw') => {
			const r = await request(`${doris.feUrl}/api/${db}/get_load_state?label=${encodeURIComponent(lbl)}`, 'GET', { Authorization: basic('root', password) });
			assert.equal(r.status, 200);
			return JSON.parse(r.text) as Record<string, unknown>;
		};
		const running = label();
		doris.faults.labelRunning(1, 400);
		const loading = load(jsonLines([{ id: 900 }]), { label: running });
		let seen: Record<string, unknown> = {};
		for (let i = 0; i < 50 && seen.data !== 'PREPARE'; i++) {
			seen = await state(running);
			if (seen.data !== 'PREPARE') await new Promise((r) => setTimeout(r, 10));
		}
		assert.deepEqual(seen, { msg: 'success', code: 0, data: 'PREPARE', count: 0 });
		assert.equal((await loading).json.Status, 'Success');
		assert.deepEqual(await state(running), { msg: 'success', code: 0, data: 'VISIBLE', count: 0 });

		const failed = label();
		doris.faults.fail(1, '[INTERNAL_ERROR]injected');
		assert.equal((await load(jsonLines([{ id: 901 }]), { label: failed })).json.Status, 'Fail');
		assert.equal((await state(failed)).data, 'ABORTED');
		assert.equal((await state('never_used')).data, 'UNKNOWN');

		assert.deepEqual(await state(''), { msg: 'Bad Request', code: 400, data: 'No label selected', count: 0 });
		assert.deepEqual(await state('x', 'nodb'), { msg: 'Error', code: 1, data: 'unknown databases, dbName=nodb', count: 0 });
		const denied = await state('x', 'd', 'nope');
		assert.equal(denied.code, 401);
		assert.equal(denied.msg, 'Unauthorized');
	});

	it('serves /api/health like HealthAction', async () => {
		const r = await request(`${doris.feUrl}/api/health`, 'GET', {});
		assert.deepEqual(JSON.parse(r.text), { msg: 'success', code: 0, data: { total_backend_num: 1, online_backend_num: 1 }, count: 0 });
	});
});

describe('BE', () => {
	it('loads JSON lines and answers with Doris keys in order', async () => {
		const { json, answer } = await load(jsonLines([{ id: 1, name: 'a', amount: '12.345', ts: '2024-01-02 03:04:05.123456', ok: true, tags: ['x'], doc: { k: 1 } }, { id: 2 }]), { label: label() });
		assert.equal(answer.status, 200);
		assert.ok(answer.text.endsWith('}\n') && answer.text.includes('\n    "TxnId"'), 'pretty printed with a newline');
		assert.deepEqual(Object.keys(json), ['TxnId', 'Label', 'Comment', 'TwoPhaseCommit', 'Status', 'Message', 'NumberTotalRows', 'NumberLoadedRows', 'NumberFilteredRows', 'NumberUnselectedRows', 'LoadBytes', 'LoadTimeMs', 'BeginTxnTimeMs', 'StreamLoadPutTimeMs', 'ReadDataTimeMs', 'WriteDataTimeMs', 'CommitAndPublishTimeMs']);
		assert.equal(json.Status, 'Success');
		assert.equal(json.TwoPhaseCommit, 'false');
		assert.equal(json.NumberLoadedRows, 2);
		const rows = doris.tableRows('d', 'ev').filter((r) => r.id === 1);
		assert.deepEqual(rows, [{ id: 1, name: 'a', amount: '12.35', ts: '2024-01-02 03:04:05.123', ok: 1, tags: '["x"]', doc: '{"k":1}' }]);
	});

	it('answers Label Already Exists with ExistingJobStatus FINISHED on reuse, and frees a failed label', async () => {
		const l = label();
		assert.equal((await load(jsonLines([{ id: 10 }]), { label: l })).json.Status, 'Success');
		const again = (await load(jsonLines([{ id: 10 }]), { label: l })).json;
		assert.equal(again.Status, 'Label Already Exists');
		assert.equal(again.ExistingJobStatus, 'FINISHED');
		assert.match(again.Message, new RegExp(`Label \\[${l}\\] has already been used, relate to txn \\[\\d+\\]`));
		const failed = label();
		assert.equal((await load(jsonLines([{ id: null }]), { label: failed })).json.Status, 'Fail');
		assert.equal((await load(jsonLines([{ id: 11 }]), { label: failed })).json.Status, 'Success');
	});

	it('rejects group_commit together with a label', async () => {
		const { json } = await load(jsonLines([{ id: 1 }]), { label: label(), group_commit: 'async_mode' });
		assert.equal(json.Status, 'Fail');
		assert.match(json.Message, /label and group_commit can't be set at the same time/);
		const gc = (await load(jsonLines([{ id: 12 }]), { group_commit: 'sync_mode' })).json;
		assert.equal(gc.Status, 'Success');
		assert.equal(gc.GroupCommit, true);
		assert.equal(gc.TwoPhaseCommit, undefined);
		assert.match(gc.Label, /^group_commit_/);
	});

	it('fails on too many filtered rows and serves the rejected rows at ErrorURL', async () => {
		const body = jsonLines([{ id: 20, name: 'ok' }, { id: 21, name: 'much too long' }, { id: null }, { id: 'abc' }]);
		const { json } = await load(body, { label: label(), max_filter_ratio: '0.5' });
		assert.equal(json.Status, 'Fail');
		assert.equal(json.Message, '[DATA_QUALITY_ERROR]too many filtered rows');
		assert.equal(json.NumberTotalRows, 4);
		assert.equal(json.NumberFilteredRows, 3);
		assert.ok(json.ErrorURL?.startsWith(`${doris.beUrl}/api/_load_error_log?file=`));
		const log = (await request(json.ErrorURL!, 'GET', {})).text;
		assert.match(log, /too long than schema/);
		assert.match(log, /column\(id\) values is null while columns is not nullable/);
		assert.equal(log.trim().split('\n').length, 3);
		assert.equal(doris.tableRows('d', 'ev').filter((r) => r.id === 20).length, 0, 'nothing loaded');
		const tolerant = (await load(body, { label: label(), max_filter_ratio: '0.8' })).json;
		assert.equal(tolerant.Status, 'Success');
		assert.equal(tolerant.NumberLoadedRows, 1);
		assert.ok(tolerant.ErrorURL);
	});

	it('strict_mode filters failed conversions that non-strict mode turns into NULL', async () => {
		await doris.sql('CREATE TABLE d.s (k INT NOT NULL, t TINYINT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		const body = jsonLines([{ k: 1, t: 'abc' }, { k: 2, t: 2000 }, { k: 3, t: '7' }, { k: 4, t: null }]);
		const loose = (await load(body, { label: label() }, 's')).json;
		assert.equal(loose.NumberLoadedRows, 4);
		assert.deepEqual(doris.tableRows('d', 's').map((r) => r.t), [null, null, 7, null]);
		const strict = (await load(body, { label: label(), strict_mode: 'true', max_filter_ratio: '1' }, 's')).json;
		assert.equal(strict.NumberLoadedRows, 2);
		assert.equal(strict.NumberFilteredRows, 2);
		const bad = (await load(body, { label: label(), strict_mode: 'yes' }, 's')).json;
		assert.equal(bad.Message, '[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type');
	});

	it('filters a JSON line with a lone surrogate escape, which simdjson refuses (JSON.parse takes it)', async () => {
		const body = `{"id":30,"name":"ok"}\n{"id":31,"name":"a\\ud800"}\n`;
		const { json } = await load(body, { label: label(), max_filter_ratio: '0.5' });
		assert.equal(json.NumberLoadedRows, 1);
		assert.equal(json.NumberFilteredRows, 1);
		const log = (await request(json.ErrorURL!, 'GET', {})).text;
		assert.match(log, /STRING_ERROR/);
		assert.deepEqual(doris.tableRows('d', 'ev').filter((r) => r.id === 31), []);
	});

	it('reads csv with a hex separator and columns, strip_outer_array json, gz and lz4 bodies', async () => {
		await doris.sql('CREATE TABLE d.c (k INT, v STRING) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		const csv = (await streamLoad(doris.feUrl, 'd', 'c', 'a\x011\nb\x01\\N\n', { column_separator: '\\x01', columns: 'v,k', label: label() }, ['root', 'pw'])).json;
		assert.equal(csv.NumberLoadedRows, 2, JSON.stringify(csv));
		const arr = (await streamLoad(doris.feUrl, 'd', 'c', JSON.stringify([{ k: 3, v: 'c' }]), { format: 'json', strip_outer_array: 'true', label: label() }, ['root', 'pw'])).json;
		assert.equal(arr.NumberLoadedRows, 1);
		const gz = (await load(gzipSync(jsonLines([{ k: 4, v: 'gz' }])), { compress_type: 'gz', label: label() }, 'c')).json;
		assert.equal(gz.NumberLoadedRows, 1);
		// A hand-made LZ4 frame: one compressed block "abcd" + match(offset 4, length 8) + literal "x".
		const block = Buffer.from([0x44, 0x61, 0x62, 0x63, 0x64, 0x04, 0x00, 0x10, 0x78]);
		const lit = (t: string): Buffer[] => [u32(Buffer.byteLength(t) | 0x80000000), Buffer.from(t)];
		const frame = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]), ...lit('5\t'), u32(block.length), block, ...lit('\n'), u32(0)]);
		const lz = (await streamLoad(doris.feUrl, 'd', 'c', frame, { compress_type: 'lz4', label: label() }, ['root', 'pw'])).json;
		assert.equal(lz.Status, 'Success', JSON.stringify(lz));
		const rows = doris.tableRows('d', 'c').map((r) => `${String(r.k)}:${String(r.v)}`);
		assert.deepEqual(rows, ['1:a', 'null:b', '3:c', '4:gz', '5:abcdabcdabcdx']);
	});

	it('csv as Doris reads it: a \\r before the \\n line delimiter ends the line, a byte-order mark before the first line is stripped', async () => {
		// new_plain_text_line_reader.h find_lf_crlf_line_sep (apache/doris#37687, #38099 on branch-2.1), csv_reader.cpp `_remove_bom`.
		await doris.sql('CREATE TABLE d.crlf (k INT, v STRING) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		const body = '\uFEFFbom\x011\nwindows\r\x012\nwindows\x013\r\nmid\rdle\x014\n';
		const answer = (await streamLoad(doris.feUrl, 'd', 'crlf', body, { column_separator: '\\x01', columns: 'v,k', label: label() }, ['root', 'pw'])).json;
		assert.equal(answer.NumberLoadedRows, 4, JSON.stringify(answer));
		assert.deepEqual(
			doris.tableRows('d', 'crlf').map((r) => `${String(r.k)}:${JSON.stringify(r.v)}`),
			['1:"bom"', '2:"windows\\r"', '3:"windows"', '4:"mid\\rdle"'],
		);
	});

	it('json lines as Doris reads them: a byte-order mark at the start of each line is skipped, elsewhere the line is filtered', async () => {
		// new_json_reader.cpp _simdjson_parse_json_doc: "trim BOM since simdjson does not handle UTF-8 Unicode (with BOM)".
		await doris.sql('CREATE TABLE d.bom (k INT, v STRING) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1');
		const body = '\uFEFF{"k":1,"v":"a"}\n{"k":2,"v":"b"}\n\uFEFF{"k":3,"v":"c"}\n {"k":4,"v":"d"}\uFEFF\n';
		const answer = (await streamLoad(doris.feUrl, 'd', 'bom', body, { format: 'json', read_json_by_line: 'true', max_filter_ratio: '0.5', label: label() }, ['root', 'pw'])).json;
		assert.equal(answer.NumberLoadedRows, 3, JSON.stringify(answer));
		assert.equal(answer.NumberFilteredRows, 1, JSON.stringify(answer));
		assert.deepEqual(doris.tableRows('d', 'bom').map((r) => `${String(r.k)}:${String(r.v)}`), ['1:a', '2:b', '3:c']);
	});

	it('reports an unknown table as Fail with the FE wording', async () => {
		const { json } = await streamLoad(doris.feUrl, 'd', 'nope', '{}', { format: 'json' }, ['root', 'pw']);
		assert.equal(json.Status, 'Fail');
		assert.match(json.Message, /unknown table, tableName=nope/);
	});
});

function u32(v: number): Buffer {
	const b = Buffer.alloc(4);
	b.writeUInt32LE(v >>> 0);
	return b;
}
