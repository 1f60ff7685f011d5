// Two source tables that Table From gives the same Doris table name (`dbserver1.shop.users` and
// `dbserver1.crm.users` under Table From "Kafka Topic" with the node's database) load into one table,
// where rows with the same key overwrite each other: the node says so, once per table and source.
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD } from '../../../../src/common/item-contract';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { mapItemsToTargets, type TargetMapping } from '../../../../src/doris/schema/map-targets';
import { closePackedWorkers } from '../../../../src/doris/schema/packed-worker-pool';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../../src/doris/schema/row-mapper';
import { forgetTableSources, sourceOfRow } from '../../../../src/doris/schema/table-sources';
import type { TargetRules } from '../../../../src/doris/schema/target';
import { pack } from './packed-support';

const users = manualSchema('d', 'users', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'name', type: 'STRING' },
]);

async function warningsOf(rules: TargetRules, items: Array<{ json: Record<string, unknown> }>): Promise<{ warnings: string[]; rows: number }> {
	const warnings: string[] = [];
	const mapping: TargetMapping = {
		rules,
		parameters: () => ({ database: 'd', table: 'users' }),
		tagTargets: true,
		mapperFor: async () => new RowMapper(users, DEFAULT_ROW_MAPPER_OPTIONS),
	};
	const routed = await mapItemsToTargets(items, mapping, { labels: { workflow: 'wf-sources', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false, warn: (m) => warnings.push(m) });
	const rows = routed.rows.reduce((n, r) => n + ((r.json[PACKED_ROWS_FIELD] as { count?: number } | undefined)?.count ?? 1), 0);
	return { warnings, rows };
}

const fromTopic: TargetRules = { database: { kind: 'parameter' }, table: { kind: 'topic' } };
const fromSource: TargetRules = { database: { kind: 'parameter' }, table: { kind: 'debezium' } };

function message(topic: string, id: number): { json: Record<string, unknown> } {
	return { json: { id, name: `n${id}`, [KAFKA_METADATA_FIELD]: { topic, partition: 0, offset: String(id) } } };
}

describe('one Doris table fed by two source tables of the same name', () => {
	beforeEach(forgetTableSources);
	after(closePackedWorkers);

	it('Table From "Kafka Topic": rows of dbserver1.shop.users and dbserver1.crm.users still load, and a warning names both sources and the fix, once', async () => {
		const first = await warningsOf(fromTopic, [message('dbserver1.shop.users', 1), message('dbserver1.crm.users', 2), message('dbserver1.crm.users', 3)]);
		assert.equal(first.rows, 3);
		assert.equal(first.warnings.length, 1, first.warnings.join('\n'));
		assert.match(first.warnings[0], /d\.users/);
		assert.match(first.warnings[0], /dbserver1\.shop/);
		assert.match(first.warnings[0], /dbserver1\.crm/);
		assert.match(first.warnings[0], /overwrite/);
		assert.match(first.warnings[0], /Database From/);
		// The same pair again, in a later execution: said once per process.
		assert.deepEqual((await warningsOf(fromTopic, [message('dbserver1.crm.users', 4), message('dbserver1.shop.users', 5)])).warnings, []);
		// A third source is news.
		assert.equal((await warningsOf(fromTopic, [message('dbserver2.shop.users', 6)])).warnings.length, 1);
	});

	it('one source, many executions and partitions: no warning', async () => {
		for (let i = 0; i < 3; i++) assert.deepEqual((await warningsOf(fromTopic, [message('dbserver1.shop.users', i), message('dbserver1.shop.users', i + 10)])).warnings, []);
	});

	it('packed lines of two topics in one item', async () => {
		const packed = pack(['{"id":1,"name":"a"}', '{"id":2,"name":"b"}'], [
			{ topic: 'dbserver1.shop.users', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 },
			{ topic: 'dbserver1.crm.users', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 },
		]);
		const result = await warningsOf(fromTopic, [{ json: { [PACKED_ROWS_FIELD]: packed } }]);
		assert.equal(result.rows, 2);
		assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
	});

	it('Table From "Debezium Source": source.db tells the sources apart', async () => {
		const change = (db: string, id: number) => ({ json: { op: 'c', before: null, after: { id, name: 'x' }, source: { name: 'dbserver1', db, table: 'users' } } });
		const result = await warningsOf(fromSource, [change('shop', 1), change('crm', 2)]);
		assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
		assert.match(result.warnings[0], /dbserver1\.shop/);
		assert.match(result.warnings[0], /dbserver1\.crm/);
	});

	it('merges the user named (Topic → Table Map, the node\'s own table, a field) are not warned about', async () => {
		const map: TargetRules = { database: { kind: 'parameter' }, table: { kind: 'topicMap', map: new Map([['dbserver1.shop.users', 'users'], ['dbserver1.crm.users', 'users']]) } };
		assert.deepEqual((await warningsOf(map, [message('dbserver1.shop.users', 1), message('dbserver1.crm.users', 2)])).warnings, []);
		const fixed: TargetRules = { database: { kind: 'parameter' }, table: { kind: 'parameter' } };
		assert.deepEqual((await warningsOf(fixed, [message('dbserver1.shop.users', 1), message('dbserver1.crm.users', 2)])).warnings, []);
	});

	it('the source of a row: the topic without its table segment, or Debezium\'s connector name, database and schema', () => {
		assert.equal(sourceOfRow(fromTopic, {}, 'dbserver1.shop.users'), 'dbserver1.shop');
		assert.equal(sourceOfRow(fromTopic, {}, 'users'), '');
		assert.equal(sourceOfRow(fromSource, { source: { name: 'pg', db: 'app', schema: 'public', table: 'users' } }, undefined), 'pg.app.public');
		assert.equal(sourceOfRow(fromSource, { payload: { source: { name: 'pg', db: 'app', table: 'users' } } }, undefined), 'pg.app');
		assert.equal(sourceOfRow({ database: { kind: 'parameter' }, table: { kind: 'field', path: ['t'] } }, { t: 'users' }, 'a.b.c'), undefined);
	});
});
