// One Item per Batch behind a Schema Registry: a packed item carries its lines' Connect schemas per run
// (packedRows.connectSchemas, sources[i].valueSchema / keySchema), and the Doris Schema node reads them
// where a per-message item has `_kafka.valueSchema` / `decodedKey`: Create Missing Tables takes declared
// types and the key's field names, Add New Columns the declared type. Before, a packed line's double 3.0
// (decoded as 3) made a BIGINT column whose later fractions went to Invalid for good, a date STRING, and
// the table needed Key Columns.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { JsonObject } from '../../../../src/common/exact-json';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../../src/common/item-contract';
import { readPackedRows } from '../../../../src/common/packed-rows';
import type { ColumnSpec } from '../../../../src/doris/schema/column-types';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { mapItemsToTargets, type TargetMapping } from '../../../../src/doris/schema/map-targets';
import { closePackedWorkers } from '../../../../src/doris/schema/packed-worker-pool';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { designTableFrom, type CreateOptions, type TableDesign } from '../../../../src/doris/schema/table-design';
import type { DorisTarget } from '../../../../src/doris/schema/target';

const ORDER: JsonObject = {
	type: 'struct',
	name: 'shop.Order',
	fields: [
		{ field: 'id', type: 'int64', optional: false },
		{ field: 'price', type: 'float64', optional: false },
		{ field: 'placed_on', type: 'int32', name: 'org.apache.kafka.connect.data.Date', optional: true },
	],
};
const ORDER_KEY: JsonObject = { type: 'struct', name: 'shop.OrderKey', fields: [{ field: 'id', type: 'int64', optional: false }] };
const STOCK: JsonObject = { type: 'struct', fields: [{ field: 'sku', type: 'string', optional: false }, { field: 'qty', type: 'int32', optional: false }, { field: 'weight', type: 'float32', optional: true }] };

/** A packed item as the trigger makes it with Message Format Schema Registry and Include Metadata. */
function packedItem(lines: Array<{ topic: string; line: Record<string, unknown>; value?: number; key?: number }>, connectSchemas: JsonObject[] | undefined): { json: Record<string, unknown> } {
	const sources: PackedRows['sources'] = [];
	lines.forEach(({ topic, value, key }, offset) => {
		const run: PackedRows['sources'][number] = { topic, partition: 0, firstOffset: String(offset), lastOffset: String(offset), lines: 1 };
		if (value !== undefined) run.valueSchema = value;
		if (key !== undefined) run.keySchema = key;
		sources.push(run);
	});
	const packed: PackedRows = { jsonLines: lines.map(({ line }) => `${JSON.stringify(line)}\n`).join(''), count: lines.length, sources };
	if (connectSchemas !== undefined) packed.connectSchemas = connectSchemas;
	return { json: { [PACKED_ROWS_FIELD]: packed as unknown as JsonObject } };
}

const columnsOf = (design: TableDesign) => [...design.keys, ...design.values].map((c) => `${c.name} ${c.type}${design.keys.includes(c) ? ' KEY' : ''}`).join(', ');

/** Maps `items` with Create Missing Tables: every table designed from its samples, as the node does. */
async function created(items: Array<{ json: Record<string, unknown> }>, byTopic: boolean, keyColumns: string[] = []): Promise<Map<string, string>> {
	const designs = new Map<string, string>();
	const options: CreateOptions = { cdc: false, sourcePath: '', keyColumns, properties: [] };
	const mapping: TargetMapping = {
		rules: byTopic ? { database: { kind: 'parameter' }, table: { kind: 'topic' } } : { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
		parameters: () => ({ database: 'd', table: 'orders' }),
		tagTargets: byTopic,
		mapperFor: async (target: DorisTarget, samples) => {
			const design = designTableFrom(target, samples(), options);
			if ('refused' in design) {
				designs.set(target.table, design.refused);
				return { refused: design.refused };
			}
			designs.set(target.table, columnsOf(design));
			return new RowMapper(manualSchema(target.database, target.table, [...design.keys, ...design.values].map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }))), DEFAULT_ROW_MAPPER_OPTIONS);
		},
	};
	await mapItemsToTargets(items, mapping, { labels: { workflow: 'wf-packed-registry', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false });
	return designs;
}

describe('Create Missing Tables from packed lines with their Connect schemas (packedRows.connectSchemas)', () => {
	const line = { id: 7, price: 3, placed_on: '2024-05-01' };

	it("a double 3.0 (decoded as 3) is DOUBLE, a date DATE, and the key is the key schema's fields, without Key Columns", async () => {
		const designs = await created([packedItem([{ topic: 'orders', line, value: 0, key: 1 }], [ORDER, ORDER_KEY])], false);
		assert.equal(designs.get('orders'), 'id BIGINT KEY, price DOUBLE, placed_on DATE');
	});

	it('a run without a key schema: Key Columns name the key, the types are still declared; without Key Columns the refusal says why', async () => {
		const item = () => packedItem([{ topic: 'orders', line, value: 0 }], [ORDER]);
		assert.equal((await created([item()], false, ['id'])).get('orders'), 'id BIGINT KEY, price DOUBLE, placed_on DATE');
		assert.match(String((await created([item()], false)).get('orders')), /its primary key is unknown \(a packed line \(One Item per Batch\) names its key only by a key schema from the Schema Registry, and its run has none/);
	});

	it('Map Rows to Tables: an item split by topic gives each table its own run\'s schema', async () => {
		const item = packedItem(
			[
				{ topic: 'orders', line, value: 0, key: 1 },
				{ topic: 'stock', line: { sku: 'a', qty: 2, weight: 1 }, value: 2 },
				{ topic: 'orders', line: { ...line, id: 8 }, value: 0, key: 1 },
			],
			[ORDER, ORDER_KEY, STOCK],
		);
		const designs = await created([item], true, []);
		assert.equal(designs.get('orders'), 'id BIGINT KEY, price DOUBLE, placed_on DATE');
		assert.match(String(designs.get('stock')), /its primary key is unknown/);
		assert.equal((await created([item], true, ['sku'])).get('stock'), 'sku VARCHAR(65533) KEY, qty INT, weight FLOAT');
	});

	it('a packed item without connectSchemas is designed from its values, as before', async () => {
		assert.equal((await created([packedItem([{ topic: 'orders', line }], undefined)], false, ['id'])).get('orders'), 'id BIGINT KEY, price BIGINT, placed_on STRING');
	});
});

describe('Add New Columns for packed lines with their Connect schemas', () => {
	after(closePackedWorkers);
	const table = manualSchema('d', 'orders', [{ name: 'id', type: 'BIGINT', nullable: false }]);
	const options = { ...DEFAULT_ROW_MAPPER_OPTIONS, evolve: true };

	async function asked(item: { json: Record<string, unknown> }, workerThreads: number): Promise<string[]> {
		let columns: ColumnSpec[] = [];
		const mapping: TargetMapping = {
			rules: { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
			parameters: () => ({ database: 'd', table: 'orders' }),
			tagTargets: false,
			mapperFor: async () => new RowMapper(table, options),
			addColumns: async (_target, wanted) => {
				columns = wanted;
				return new RowMapper(manualSchema('d', 'orders', [{ name: 'id', type: 'BIGINT', nullable: false }, ...wanted.map((c) => ({ name: c.name, type: c.type }))]), options);
			},
		};
		const routed = await mapItemsToTargets([item], mapping, { labels: { workflow: 'wf-packed-registry', node: 'Doris Schema' }, workerThreads, continueOnFail: false });
		assert.equal(routed.invalid.length, 0);
		return columns.map((c) => `${c.name} ${c.type}`);
	}

	it('a double 3.0 is added as DOUBLE and a date as DATE, in this thread and in a worker thread', async () => {
		for (const workers of [0, 1]) {
			// 1,200 lines: past PACKED_WORKER_MIN_LINES, so with a worker thread they are mapped there.
			const lines = Array.from({ length: 1200 }, (_, i) => ({ topic: 'orders', line: { id: i, price: 3, placed_on: '2024-05-01' }, value: 0 }));
			assert.deepEqual(await asked(packedItem(lines, [ORDER]), workers), ['price DOUBLE', 'placed_on DATE'], `workers ${workers}`);
		}
		assert.deepEqual(await asked(packedItem([{ topic: 'orders', line: { id: 1, price: 3, placed_on: '2024-05-01' } }], undefined), 0), ['price BIGINT', 'placed_on STRING'], 'without schemas: inferred');
	});
});

describe('packedRows.connectSchemas read from upstream', () => {
	it('a run naming a schema the item does not hold is refused, naming the field and the value', () => {
		const item = packedItem([{ topic: 'orders', line: { id: 1 }, value: 1 }], [ORDER]);
		const read = readPackedRows(item.json);
		assert.ok(read instanceof Error);
		assert.equal(read.message, 'packedRows.sources[0].valueSchema must be an index into packedRows.connectSchemas (1 schema(s)), not number 1');
		const notObject = readPackedRows({ [PACKED_ROWS_FIELD]: { jsonLines: '{}\n', count: 1, sources: [], connectSchemas: ['x'] } });
		assert.ok(notObject instanceof Error);
		assert.equal(notObject.message, 'packedRows.connectSchemas[0] must be a Kafka Connect schema (an object), not "x"');
	});
});
