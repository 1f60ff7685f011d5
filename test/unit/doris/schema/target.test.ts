import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { needsOnlyTopic, resolveTarget, topicMapOf, topicOfItem, type TargetRules } from '../../../../src/doris/schema/target';

const parameters = { database: 'demo', table: 'fixed' };
const debezium = { before: null, after: { id: 1 }, source: { db: 'inventory', table: 'customers' }, op: 'c' };
const withMeta = (topic: string) => ({ ...debezium, _kafka: { topic, partition: 0, offset: '1' } });

function rules(table: TargetRules['table'], database: TargetRules['database'] = { kind: 'parameter' }): TargetRules {
	return { table, database };
}

describe('resolveTarget: the table (and database) of one message', () => {
	it('the topic\'s last segment names the table, the one before it the database', () => {
		assert.deepEqual(resolveTarget(rules({ kind: 'topic' }), withMeta('dbserver1.inventory.orders'), topicOfItem(withMeta('dbserver1.inventory.orders')), parameters), { database: 'demo', table: 'orders' });
		assert.deepEqual(resolveTarget(rules({ kind: 'topic' }, { kind: 'topic' }), {}, 'dbserver1.inventory.orders', parameters), { database: 'inventory', table: 'orders' });
		assert.match((resolveTarget(rules({ kind: 'topic' }, { kind: 'topic' }), {}, 'orders', parameters) as { refused: string }).refused, /"orders" has no second-to-last segment/);
		assert.match((resolveTarget(rules({ kind: 'topic' }), { id: 1 }, undefined, parameters) as { refused: string }).refused, /Include Metadata/);
	});

	it('Debezium names both in its source block, with or without the schema wrapper', () => {
		const both = rules({ kind: 'debezium' }, { kind: 'debezium' });
		assert.deepEqual(resolveTarget(both, debezium, undefined, parameters), { database: 'inventory', table: 'customers' });
		assert.deepEqual(resolveTarget(both, { schema: { type: 'struct' }, payload: debezium }, undefined, parameters), { database: 'inventory', table: 'customers' });
		assert.equal((resolveTarget(both, { id: 1 }, undefined, parameters) as { refused: string }).refused, 'Table From "Debezium Source": the message has no source.table (no Debezium "source" block)');
	});

	it('a field, a topic map, or the node\'s own names', () => {
		assert.deepEqual(resolveTarget(rules({ kind: 'field', path: ['meta', 'table'] }), { meta: { table: ' t1 ' } }, undefined, parameters), { database: 'demo', table: 't1' });
		assert.equal((resolveTarget(rules({ kind: 'field', path: ['table'] }), { table: 5 }, undefined, parameters) as { refused: string }).refused, 'Table From "Field": field "table" is not a name (5)');
		const map = rules({ kind: 'topicMap', map: topicMapOf([{ topic: 'a.b', table: 'bee' }]) });
		assert.deepEqual(resolveTarget(map, {}, 'a.b', parameters), { database: 'demo', table: 'bee' });
		assert.equal((resolveTarget(map, {}, 'a.c', parameters) as { refused: string }).refused, 'Table From "Topic → Table Map": topic "a.c" is not in the map');
		assert.deepEqual(resolveTarget(rules({ kind: 'parameter' }), {}, undefined, parameters), parameters);
		assert.match((resolveTarget(rules({ kind: 'parameter' }), {}, undefined, { database: '', table: 't' }) as { refused: string }).refused, /No database/);
	});

	it('topic maps refuse an entry twice or half filled; only topic-based rules place packed runs without reading lines', () => {
		assert.throws(() => topicMapOf([{ topic: 'a', table: 'x' }, { topic: 'a', table: 'y' }]), /topic "a" is mapped twice/);
		assert.throws(() => topicMapOf([{ topic: 'a', table: '' }]), /needs both a topic and a table/);
		assert.equal(needsOnlyTopic(rules({ kind: 'topic' })), true);
		assert.equal(needsOnlyTopic(rules({ kind: 'debezium' })), false);
		assert.equal(needsOnlyTopic(rules({ kind: 'topic' }, { kind: 'field', path: ['db'] })), false);
	});
});
