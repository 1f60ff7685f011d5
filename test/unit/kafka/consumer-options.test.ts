import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseTopics, redeliveryDelay, validateConsumerOptions } from '../../../src/kafka/consumer-options';
import { testConsumerOptions as options } from './sinker-internals';

describe('redeliveryDelay', () => {
	it('doubles from the initial delay and stops at the cap', () => {
		const backoff = { initialMs: 500, maxMs: 5_000 };
		assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => redeliveryDelay(n, backoff)), [500, 1_000, 2_000, 4_000, 5_000, 5_000]);
	});
});

describe('parseTopics', () => {
	it('splits a list on commas, spaces and newlines', () => {
		assert.deepEqual(parseTopics(' a, b\nc ', false), { names: ['a', 'b', 'c'] });
	});
	it('accepts a regular expression, with or without slashes', () => {
		const bare = parseTopics('^orders\\..*', true);
		assert.ok('pattern' in bare && bare.pattern.test('orders.eu'));
		const slashed = parseTopics('/^ORDERS/i', true);
		assert.ok('pattern' in slashed && slashed.pattern.test('orders'));
	});
	it('a pattern written with the flag g or y still matches every topic it matches: kafkajs tests each name with the same RegExp, which those flags make remember where it last matched', () => {
		const topics = ['dbserver1.inventory.orders', 'dbserver1.inventory.customers', 'dbserver1.inventory.products', 'other'];
		for (const written of ['/^dbserver1\\.inventory\\..*$/g', '/^dbserver1\\.inventory\\..*$/gi', '/dbserver1\\.inventory/y']) {
			const parsed = parseTopics(written, true);
			assert.ok('pattern' in parsed);
			// As kafkajs 2.2.4 consumer/index.js subscribe filters the cluster's topics, and matchingTopics does.
			assert.deepEqual(topics.filter((topic) => parsed.pattern.test(topic)), topics.slice(0, 3), written);
			assert.deepEqual(topics.filter((topic) => parsed.pattern.test(topic)), topics.slice(0, 3), `${written}, asked again`);
		}
		const caseless = parseTopics('/^ORDERS/gi', true);
		assert.ok('pattern' in caseless && caseless.pattern.flags === 'i');
	});
	it('names the bad topic or pattern', () => {
		assert.throws(() => parseTopics('good, bad topic!', false), /"topic!"/);
		assert.throws(() => parseTopics('(', true), /"\("/);
		assert.throws(() => parseTopics('  ', false), /at least one/);
	});
});

describe('validateConsumerOptions', () => {
	it('accepts the defaults', () => {
		validateConsumerOptions(options());
	});
	it('names the option and the value', () => {
		assert.throws(() => validateConsumerOptions(options({ executionsInFlight: 0 })), /Executions in Flight.*got 0/);
		assert.throws(() => validateConsumerOptions(options({ heartbeatIntervalMs: 30_000 })), /Heartbeat Interval \(30000 ms\)/);
		assert.throws(() => validateConsumerOptions(options({ stallReportMs: -1000 })), /Report Stalled Consumer After must be zero or more, got -1000/);
		assert.throws(() => validateConsumerOptions(options({ parser: { format: 'schemaRegistry', includeMetadata: false, tombstones: 'skip' } })), /Schema Registry URL/);
	});
	// Executions of one partition in flight together reach the Doris Stream Load node's shared batch in
	// either order, and a failed one is delivered again after later ones loaded: an upsert loaded after
	// the tombstone that followed it in the log brings the deleted row back without a word, and a delete
	// cannot carry a sequence value to put it right (delete_sequence). Only one execution per partition
	// at a time keeps the log's order into Doris.
	it('Tombstones "Delete the Row of Its Key" needs Keep Order per Partition', () => {
		const deletes = { format: 'json', includeMetadata: false, tombstones: 'delete' } as const;
		assert.throws(() => validateConsumerOptions(options({ parser: deletes })), /Tombstones "Delete the Row of Its Key" needs Keep Order per Partition/);
		assert.throws(() => validateConsumerOptions(options({ parser: deletes, executionsInFlight: 1 })), /Keep Order per Partition/);
		validateConsumerOptions(options({ parser: deletes, keepPartitionOrder: true }));
		validateConsumerOptions(options({ parser: { ...deletes, tombstones: 'emit' } }));
	});
	it('Tombstone Key Column for Plain Keys is checked on activation, naming the setting, the value and the rule', () => {
		const deletes = { format: 'json', includeMetadata: false, tombstones: 'delete' } as const;
		validateConsumerOptions(options({ parser: { ...deletes, tombstoneKeyColumn: 'id' }, keepPartitionOrder: true }));
		assert.throws(() => validateConsumerOptions(options({ parser: { ...deletes, tombstones: 'skip', tombstoneKeyColumn: 'id' } })), /Tombstone Key Column for Plain Keys "id": .*applies only with Tombstones/);
		assert.throws(() => validateConsumerOptions(options({ parser: { ...deletes, tombstoneKeyColumn: 'a.b' }, keepPartitionOrder: true })), /Tombstone Key Column for Plain Keys "a\.b": a dot/);
	});
});
