// HLL / BITMAP / QUANTILE_STATE / AGG_STATE columns take no value from a JSON row: a Stream Load into
// their table needs a Columns expression for them, or Doris refuses every load (fe-core Load.initColumns
// makes every column a field of the data when no `columns` header is sent, and FileLoadScanNode
// refuses a field for an HLL column or a BITMAP_UNION / QUANTILE_UNION one). Named at activation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { opaqueColumnProblems } from '../../../../src/doris/schema/opaque-columns';
import type { ColumnSchema, DorisType, TableSchema } from '../../../../src/doris/schema/types';

function column(name: string, type: DorisType, fields: Partial<ColumnSchema> = {}): ColumnSchema {
	return { name, type, typeText: type.kind === 'opaque' ? type.name : 'BIGINT', nullable: false, hasDefault: false, defaultValue: null, isKey: false, aggregation: 'NONE', autoIncrement: false, ...fields };
}

const table = (...extra: ColumnSchema[]): TableSchema => ({
	database: 'demo',
	table: 'visits',
	columns: [column('day', { kind: 'integer', name: 'BIGINT' }, { isKey: true, aggregation: '' }), ...extra],
	keyModel: 'AGGREGATE',
	keyColumns: ['day'],
	sequenceColumn: null,
	hasSequenceType: false,
	source: 'auto',
	readAt: 0,
});
const hll = column('uv', { kind: 'opaque', name: 'HLL' }, { aggregation: 'HLL_UNION' });
const bitmap = column('users', { kind: 'opaque', name: 'BITMAP' }, { aggregation: 'BITMAP_UNION' });
const quantile = column('latency', { kind: 'opaque', name: 'QUANTILE_STATE' }, { aggregation: 'QUANTILE_UNION' });

describe('opaqueColumnProblems', () => {
	it('without Columns, names each such column, its type, and the expression to add', () => {
		const problems = opaqueColumnProblems(table(hll, bitmap, quantile), { columns: [] });
		assert.equal(problems.length, 3);
		assert.match(problems[0], /column "uv" \(HLL\) takes no value from a JSON row.*no Columns.*refuses every load into the table/);
		assert.match(problems[0], /uv = hll_hash\(<field>\)/);
		assert.match(problems[1], /column "users" \(BITMAP\).*users = to_bitmap\(<field>\)/);
		assert.match(problems[2], /column "latency" \(QUANTILE_STATE\).*latency = to_quantile_state\(<field>, 2048\)/);
	});

	it('with an expression for each, or with a table that has none, there is nothing to say', () => {
		assert.deepEqual(opaqueColumnProblems(table(hll, bitmap), { columns: ['day', 'user_id', 'uv = hll_hash(user_id)', 'USERS=to_bitmap(user_id)'] }), []);
		assert.deepEqual(opaqueColumnProblems(table(), { columns: [] }), []);
	});

	it('a column listed in Columns as a plain field (no expression) is refused the same way', () => {
		const [problem] = opaqueColumnProblems(table(hll), { columns: ['day', 'uv'] });
		assert.match(problem, /column "uv" \(HLL\).*listed in Columns without an expression/);
	});

	it('left out of a Columns list: BITMAP is filled empty by Doris; HLL only by 3.0+ (refused, with uv = hll_empty() as the fix); a NOT NULL QUANTILE_STATE without default is refused', () => {
		assert.deepEqual(opaqueColumnProblems(table(bitmap), { columns: ['day'] }), []);
		const [left] = opaqueColumnProblems(table(hll), { columns: ['day'] });
		assert.match(left, /column "uv" \(HLL\).*left out of Columns.*apache\/doris PR #34447.*uv = hll_empty\(\)/);
		const [problem] = opaqueColumnProblems(table(quantile), { columns: ['day'] });
		assert.match(problem, /column "latency" \(QUANTILE_STATE\).*left out of Columns.*no default value/);
		assert.deepEqual(opaqueColumnProblems(table({ ...quantile, nullable: true }), { columns: ['day'] }), []);
	});

	it('a partial update keeps what it does not list, so it is not checked here', () => {
		assert.deepEqual(opaqueColumnProblems(table(hll), { columns: [], partialUpdate: true }), []);
	});
});
