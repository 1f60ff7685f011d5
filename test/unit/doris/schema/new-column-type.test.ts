// Schema evolution types a new column by every row of the execution that carries its field: the
// widest of their types (column-types.ts widerColumnType), whatever order the rows come in and
// whichever thread maps them.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { PACKED_ROWS_FIELD } from '../../../../src/common/item-contract';
import type { ColumnSpec } from '../../../../src/doris/schema/column-types';
import { widerColumnType } from '../../../../src/doris/schema/column-types';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { mapItemsToTargets, type TargetMapping } from '../../../../src/doris/schema/map-targets';
import { closePackedWorkers } from '../../../../src/doris/schema/packed-worker-pool';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { pack } from './packed-support';

const before = manualSchema('d', 'events', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'v', type: 'STRING' },
]);
const options = { ...DEFAULT_ROW_MAPPER_OPTIONS, evolve: true };

/** The columns schema evolution asks for when the items are mapped; the rows then map with them added. */
async function asked(items: Array<{ json: Record<string, unknown> }>, workerThreads = 0): Promise<{ columns: ColumnSpec[]; rows: number; invalid: number }> {
	let columns: ColumnSpec[] = [];
	const mapping: TargetMapping = {
		rules: { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
		parameters: () => ({ database: 'd', table: 'events' }),
		tagTargets: false,
		mapperFor: async () => new RowMapper(before, options),
		addColumns: async (_target, wanted) => {
			columns = wanted;
			return new RowMapper(manualSchema('d', 'events', [...before.columns.map((c) => ({ name: c.name, type: c.typeText, nullable: c.nullable })), ...wanted.map((c) => ({ name: c.name, type: c.type }))]), options);
		},
	};
	const routed = await mapItemsToTargets(items, mapping, { labels: { workflow: 'wf-new-column', node: 'Doris Schema' }, workerThreads, continueOnFail: false });
	const lines = routed.rows.reduce((n, r) => n + ((r.json[PACKED_ROWS_FIELD] as { count?: number } | undefined)?.count ?? 1), 0);
	return { columns, rows: lines, invalid: routed.invalid.length };
}

function permutations<T>(xs: T[]): T[][] {
	if (xs.length <= 1) return [xs];
	return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('schema evolution: the type of a new column', () => {
	after(closePackedWorkers);

	it('the widest over every row carrying the field, in any order: 1, 1.5, "abc", true make STRING and all four load', async () => {
		for (const values of permutations<unknown>([1, 1.5, 'abc', true])) {
			const r = await asked(values.map((x, i) => ({ json: { id: i, x } })));
			assert.deepEqual(r, { columns: [{ name: 'x', type: 'STRING', nullable: true }], rows: 4, invalid: 0 }, JSON.stringify(values));
		}
	});

	it('numbers: 1 and 2.5 make DOUBLE; whole numbers stay BIGINT; a null carries no type', async () => {
		assert.deepEqual((await asked([{ json: { id: 1, x: 1 } }, { json: { id: 2, x: null } }, { json: { id: 3, x: 2.5 } }])).columns, [{ name: 'x', type: 'DOUBLE', nullable: true }]);
		assert.deepEqual((await asked([{ json: { id: 1, x: 1 } }, { json: { id: 2, x: -7 } }])).columns, [{ name: 'x', type: 'BIGINT', nullable: true }]);
	});

	it('packed lines, in this thread and in worker threads, give the same type whichever line or item comes first', async () => {
		const lines = ['{"id":1,"x":1}', '{"id":2,"x":1.5}', '{"id":3,"x":"abc"}', '{"id":4,"x":true}'];
		for (const order of permutations(lines)) {
			const items = [{ json: { [PACKED_ROWS_FIELD]: pack(order.slice(0, 2)) } }, { json: { [PACKED_ROWS_FIELD]: pack(order.slice(2)) } }] as Array<{ json: Record<string, unknown> }>;
			for (const threads of [0, 2]) {
				const r = await asked(items, threads);
				assert.deepEqual(r.columns, [{ name: 'x', type: 'STRING', nullable: true }], `${order.join(' ')} threads ${threads}`);
				assert.equal(r.rows, 4);
			}
		}
	});
});

describe('widerColumnType', () => {
	const cases: Array<[string, string, string]> = [
		['BIGINT', 'BIGINT', 'BIGINT'],
		['TINYINT', 'INT', 'INT'],
		['BIGINT', 'LARGEINT', 'LARGEINT'],
		['BIGINT', 'DOUBLE', 'DOUBLE'],
		['INT', 'FLOAT', 'DOUBLE'],
		['FLOAT', 'DOUBLE', 'DOUBLE'],
		['LARGEINT', 'DOUBLE', 'STRING'],
		['DECIMAL(10, 2)', 'DECIMAL(12, 4)', 'DECIMAL(12, 4)'],
		['DECIMAL(10, 2)', 'DECIMAL(5, 5)', 'DECIMAL(13, 5)'],
		['DECIMAL(10, 2)', 'INT', 'DECIMAL(12, 2)'],
		['DECIMAL(20, 10)', 'BIGINT', 'DECIMAL(29, 10)'],
		['DECIMAL(30, 20)', 'BIGINT', 'STRING'],
		['DECIMAL(10, 2)', 'DOUBLE', 'STRING'],
		['BOOLEAN', 'BOOLEAN', 'BOOLEAN'],
		['BOOLEAN', 'BIGINT', 'STRING'],
		['VARCHAR(36)', 'VARCHAR(400)', 'VARCHAR(400)'],
		['VARCHAR(36)', 'BIGINT', 'STRING'],
		['STRING', 'DOUBLE', 'STRING'],
		['DATE', 'DATETIME(3)', 'DATETIME(3)'],
		['DATETIME(3)', 'DATETIME(6)', 'DATETIME(6)'],
		['DATE', 'BIGINT', 'STRING'],
		['DATE', 'DATETIME', 'DATETIME'],
		['JSON', 'STRING', 'JSON'],
		['JSON', 'BIGINT', 'JSON'],
		['ARRAY<INT>', 'ARRAY<INT>', 'ARRAY<INT>'],
		['ARRAY<INT>', 'ARRAY<STRING>', 'JSON'],
		['ARRAY<INT>', 'BIGINT', 'JSON'],
	];
	for (const [a, b, wider] of cases) {
		it(`${a} and ${b}: ${wider}`, () => {
			assert.equal(widerColumnType(a, b), wider);
			assert.equal(widerColumnType(b, a), wider);
		});
	}
});
