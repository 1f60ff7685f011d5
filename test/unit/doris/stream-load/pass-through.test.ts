// Stream Load headers a user adds go to Doris as they are, except those that would break "an execution
// finishes exactly when Doris holds its rows", each refused naming the header and the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { buildLoadHeaders } from '../../../../src/doris/stream-load/headers';
import type { LoadOptions } from '../../../../src/doris/stream-load/options';

const json: LoadOptions = { format: 'json' };
const headersOf = (extraHeaders: Record<string, string>, options: LoadOptions = json) => buildLoadHeaders({ ...options, extraHeaders }, 'lbl_1');

describe('pass-through Stream Load headers', () => {
	it('sends where, json_root, partitions, merge_type with delete and others as given (names in lower case)', () => {
		const h = headersOf({ Where: "status != 'test' AND level = 'ERROR'", json_root: '$.payload', partitions: 'p202401, p202402', exec_mem_limit: '4294967296' });
		assert.equal(h.where, "status != 'test' AND level = 'ERROR'");
		assert.equal(h.json_root, '$.payload');
		assert.equal(h.partitions, 'p202401, p202402');
		assert.equal(h.exec_mem_limit, '4294967296');
		assert.equal(h.label, 'lbl_1', 'the label stays the node\'s');
		const merge = headersOf({ merge_type: 'merge', delete: 'op = 1' });
		assert.equal(merge.merge_type, 'MERGE');
		assert.equal(merge.delete, 'op = 1');
	});

	it('a columns entry holding commas reaches Doris whole', () => {
		const h = buildLoadHeaders({ format: 'json', columns: ['id', "dt = from_unixtime(ts, '%Y-%m-%d')"], deleteSign: true }, 'l');
		assert.equal(h.columns, "id,dt = from_unixtime(ts, '%Y-%m-%d'),__DORIS_DELETE_SIGN__");
		const listed = buildLoadHeaders({ format: 'json', columns: ['id', '`__DORIS_DELETE_SIGN__`'], deleteSign: true }, 'l');
		assert.equal(listed.columns, 'id,`__DORIS_DELETE_SIGN__`', 'a delete sign listed (quoted) is not added twice');
	});

	it('refuses the headers that would break the guarantees, naming the header and the reason', () => {
		const refused: Array<[string, string, RegExp]> = [
			['label', 'mine', /Label Prefix.*retry from loading twice/],
			['Authorization', 'Basic eA==', /credential/],
			['expect', '', /100-continue/],
			['group_commit', 'async_mode', /Doris chooses the label.*Group Commit option, which refuses it/],
			['two_phase_commit', 'true', /pre-committed/],
			['txn_id', '12', /two-phase commit/],
			['format', 'csv', /misread/],
			['read_json_by_line', 'false', /one JSON object per line/],
			['skip_lines', '1', /rows dropped without an error/],
			['fuzzy_parse', 'true', /wrong columns/],
			['columns', 'a', /Columns option/],
			['jsonpaths', '["$.a"]', /JSON Paths option/],
			['hidden_columns', '__DORIS_DELETE_SIGN__', /Deletes \(CDC\)/],
			['partial_columns', 'true', /Partial Update/],
			['function_column.sequence_col', 'ts', /Sequence Column/],
			['timeout', '5', /Timeout option/],
			['compress_type', 'gz', /Compression/],
		];
		for (const [name, value, reason] of refused) {
			assert.throws(
				() => headersOf({ [name]: value }),
				(error: Error) => error.message.startsWith(`Stream Load header "${name}" ${name === 'Authorization' ? '(value not shown)' : JSON.stringify(value)} is refused: `) && reason.test(error.message),
				name,
			);
		}
	});

	it('refuses headers that contradict the load or that Doris would refuse for every batch', () => {
		assert.throws(() => headersOf({ json_root: '$.a' }, { format: 'csv', columns: ['a'] }), /"json_root" "\$\.a" is refused: it applies to the JSON format only/);
		assert.throws(() => headersOf({ merge_type: 'UPSERT' }), /"merge_type" "UPSERT" is refused: it must be APPEND, DELETE or MERGE/);
		assert.throws(() => headersOf({ merge_type: 'MERGE' }), /merge_type MERGE goes with a delete condition/);
		assert.throws(() => headersOf({ delete: 'op = 1' }), /"delete" "op = 1" is refused: merge_type MERGE goes with/);
		assert.throws(() => headersOf({ merge_type: 'DELETE' }, { format: 'json', deleteSign: true }), /Deletes \(CDC\) option already decides/);
		assert.throws(() => headersOf({ where: ' ' }), /"where" " " is refused: it is empty/);
		assert.throws(() => headersOf({ where: 'a = 1', WHERE: 'b = 2' }), /"WHERE" is given twice/);
		assert.throws(() => headersOf({ where: "a = '1'\r\nlabel: x" }), /control character/);
	});

	it('refuses a header whose effect the node does not know or would hide, naming the header, its value and why', () => {
		const refused: Array<[string, string, RegExp]> = [
			['negative', 'true', /SUM column.*multiplied by -1/],
			['temporary_partitions', 'tp1', /temporary partitions.*queries do not see/],
			['num_as_string', 'true', /every JSON number as text/],
			['empty_field_as_null', 'true', /empty.*NULL/],
			['sql', 'insert into t select * from http_stream("format" = "json")', /http_stream/],
			['x-tenant', 'a', /not a Stream Load header this node knows the effect of.*Headers it passes: where, partitions/],
			['skip_record_to_audit_log_table', 'true', /not a Stream Load header this node knows the effect of/],
		];
		for (const [name, value, reason] of refused) {
			assert.throws(
				() => headersOf({ [name]: value }),
				(error: Error) => error.message.startsWith(`Stream Load header "${name}" ${JSON.stringify(value)} is refused: `) && reason.test(error.message),
				name,
			);
		}
	});

	it('passes the headers whose effect the node knows and keeps visible', () => {
		const passed = {
			where: 'v > 0',
			partitions: 'p1',
			json_root: '$.payload',
			exec_mem_limit: '4294967296',
			send_batch_parallelism: '2',
			load_to_single_tablet: 'true',
			memtable_on_sink_node: 'true',
			load_stream_per_node: '2',
			enable_profile: 'true',
			comment: 'from n8n',
			compute_group: 'cg1',
			cloud_cluster: 'cg1',
			partial_update_new_key_behavior: 'ERROR',
		};
		const h = headersOf(passed);
		for (const [name, value] of Object.entries(passed)) assert.equal(h[name], value, name);
	});
});
