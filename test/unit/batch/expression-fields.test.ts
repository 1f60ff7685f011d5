// Which fields of the data a Stream Load Columns list's expressions read (src/batch/expression-fields.ts),
// and the refusal of a load none of whose rows carries one (a Doris Schema node dropped it: Doris would
// compute the column from NULL for every row).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { droppingSchemaNodeRan, expressionFields, refuseWithoutExpressionFields } from '../../../src/batch/expression-fields';
import { sortItemsForLoad } from '../../../src/batch/load-items';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import { manualSchema } from '../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../src/doris/schema/row-mapper';
import { splitColumns } from '../../../src/doris/stream-load/columns';
import { json } from './items-support';

describe('expressionFields', () => {
	it('the plain entries an expression reads, not function names, string literals or computed columns', () => {
		const entries = splitColumns("id, hits, user_id, `Ev`, note, uv = hll_hash(user_id), users = to_bitmap(USER_ID), d = concat(ev, 'note', \"id\"), n = hits + 1");
		assert.deepEqual(expressionFields(entries), [
			{ field: 'user_id', entry: 'uv = hll_hash(user_id)' },
			{ field: 'Ev', entry: "d = concat(ev, 'note', \"id\")" },
			{ field: 'hits', entry: 'n = hits + 1' },
		]);
		assert.deepEqual(expressionFields(splitColumns('id, v')), []);
		assert.deepEqual(expressionFields(splitColumns('id, uv = hll_empty()')), []);
	});
});

describe('refuseWithoutExpressionFields', () => {
	const fields = expressionFields(splitColumns('id, hits, user_id, uv = hll_hash(user_id)'));

	it('refuses every item of a load none of whose rows or lines carries the field, naming it, the entry and the Doris Schema setting', () => {
		// The row the Doris Schema node makes of {id, hits, user_id} for a table without a user_id column (Unknown Fields: Ignore).
		const schema = manualSchema('demo', 'visits', [
			{ name: 'id', type: 'INT', nullable: false },
			{ name: 'hits', type: 'BIGINT' },
		]);
		const mapped = new RowMapper(schema, DEFAULT_ROW_MAPPER_OPTIONS).map({ id: 1, hits: 1, user_id: 7 });
		assert.ok(mapped.ok);
		const items = [{ json: mapped.row }, { json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":2,"hits":1}\n', count: 1, sources: [] } } }];
		const sorted = refuseWithoutExpressionFields(items, sortItemsForLoad(items, json), fields);
		assert.deepEqual(sorted.loadable, []);
		assert.deepEqual(sorted.parts, []);
		assert.deepEqual(
			sorted.refused.map((r) => r.index),
			[0, 1],
		);
		assert.match(sorted.refused[0].message, /^Columns entry "uv = hll_hash\(user_id\)" reads the field "user_id", which no row of this load carries: Doris would compute uv from NULL for every row/);
		assert.match(sorted.refused[0].message, /Doris Schema node .*Unknown Fields: Ignore drops "user_id"/);
		assert.match(sorted.refused[1].message, /^packedRows: Columns entry/);
	});

	it('a load where some row or line carries it is left alone', () => {
		const items = [{ json: { id: 1, hits: 1 } }, { json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":2,"hits":1,"user_id":7}\n', count: 1, sources: [] } } }];
		const sorted = sortItemsForLoad(items, json);
		assert.equal(refuseWithoutExpressionFields(items, sorted, fields), sorted);
		const rows = [{ json: { id: 1, hits: 1, user_id: null } }];
		const plain = sortItemsForLoad(rows, json);
		assert.equal(refuseWithoutExpressionFields(rows, plain, fields), plain, 'an explicit null is the row saying so');
	});
	it('packed lines: only a top-level key counts, not a nested object\'s key, a key holding the name or a string value', () => {
		// Each line as a Doris Schema node writes it for a table whose props column is JSON; none has user_id at its top level.
		const packedItem = (jsonLines: string) => ({ json: { [PACKED_ROWS_FIELD]: { jsonLines, count: jsonLines.split('\n').filter((line) => line !== '').length, sources: [] } } });
		const lacking = [
			'{"id":1,"props":{"user_id":7}}\n',
			'{"id":2,"props":[{"user_id":7}]}\n',
			'{"id":3,"a\\"user_id":7}\n',
			`${JSON.stringify({ id: 4, note: '"user_id": x' })}\n`,
			'{"id":5,"note":"{\\"","props":{"user_id":7}}\n',
		];
		for (const line of lacking) {
			const items = [packedItem(line)];
			const sorted = refuseWithoutExpressionFields(items, sortItemsForLoad(items, json), fields);
			assert.deepEqual(sorted.refused.map((r) => r.index), [0], `refused: ${line}`);
		}
		const carrying = [
			'{"id":1,"props":{"user_id":7},"user_id":8}\n',
			'{"id":2,"note":"}}]]","user_id":null}\n',
			'{"id":3, "user_id" : 8}\n',
			'{"id":4,"props":{"user_id":7}}\n{"id":5,"user_id":8}\n',
			'{"user_id":8}',
		];
		for (const line of carrying) {
			const items = [packedItem(line)];
			const sorted = sortItemsForLoad(items, json);
			assert.equal(refuseWithoutExpressionFields(items, sorted, fields), sorted, `carried: ${line}`);
		}
	});
});

describe('droppingSchemaNodeRan', () => {
	const schema = (options: Record<string, unknown>, operation?: string) => ({ name: 'S', type: 'n8n-nodes-doris-sinker.dorisSchema', parameters: { options, ...(operation ? { operation } : {}) } });
	it('a Doris Schema node mapping rows with Unknown Fields Ignore (the default) that ran: true', () => {
		assert.equal(droppingSchemaNodeRan({ S: schema({}) }, ['S']), true);
		assert.equal(droppingSchemaNodeRan({ S: schema({ unknownFields: 'ignore' }) }, ['T', 'S']), true);
	});
	it('none ran, one that did not run, Unknown Fields Reject, Get Schema, another node of that name: false', () => {
		assert.equal(droppingSchemaNodeRan({ S: schema({}) }, []), false);
		assert.equal(droppingSchemaNodeRan({ S: schema({}) }, ['T']), false);
		assert.equal(droppingSchemaNodeRan({ S: schema({ unknownFields: 'reject' }) }, ['S']), false);
		assert.equal(droppingSchemaNodeRan({ S: schema({}, 'getSchema') }, ['S']), false);
		assert.equal(droppingSchemaNodeRan({ S: { name: 'S', type: 'n8n-nodes-base.code', parameters: {} } }, ['S']), false);
		assert.equal(droppingSchemaNodeRan({}, ['__proto__', 'constructor']), false);
	});
});
