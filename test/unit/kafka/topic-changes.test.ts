/**
 * What the topic following (following-consumer.ts) makes of the cluster's topics: a deleted topic
 * leaves the subscription, a listed topic created again comes back into it, a pattern's new topic
 * restarts the consumer only while the New Topics Check runs; and which errors say "a topic is gone".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';

import { isUnknownTopicError, subscribedTopics, topicChange, topicNames } from '../../../src/kafka/topic-changes';

/** kafkajs builds its protocol errors from the broker's error code entry (its typings say Error). */
function protocolError(entry: { type: string; code: number; retriable: boolean; message: string }): KafkaJSProtocolError {
	return new KafkaJSProtocolError(entry as unknown as Error);
}


const list = { names: ['keep', 'gone'] };
const pattern = { pattern: /^db\./ };

describe('topicChange: a topic list', () => {
	it('a listed topic deleted leaves the subscription and is missing; the list order is kept', () => {
		const change = topicChange(list, new Set(['keep', 'gone']), ['other', 'keep'], true);
		assert.deepEqual([...change.now], ['keep']);
		assert.deepEqual(change.deleted, ['gone']);
		assert.deepEqual(change.added, []);
		assert.deepEqual(change.missing, ['gone']);
	});
	it('a listed topic created again comes back, with the New Topics Check at 0 too: the list names it', () => {
		for (const followNew of [true, false]) {
			const change = topicChange(list, new Set(['keep']), ['gone', 'keep'], followNew);
			assert.deepEqual([...change.now], ['keep', 'gone']);
			assert.deepEqual(change.added, ['gone']);
			assert.deepEqual(change.deleted, []);
		}
	});
	it('every listed topic gone: nothing to subscribe', () => {
		const change = topicChange(list, new Set(['keep', 'gone']), ['other'], true);
		assert.equal(change.now.size, 0);
		assert.deepEqual(change.deleted, ['keep', 'gone']);
		assert.deepEqual(change.missing, ['keep', 'gone']);
	});
	it('unchanged: nothing added, nothing deleted', () => {
		const change = topicChange(list, new Set(['keep', 'gone']), ['gone', 'keep', 'other'], true);
		assert.deepEqual([change.added, change.deleted, change.missing], [[], [], []]);
	});
});

describe('topicChange: a pattern', () => {
	it('a new matching topic is added while the check runs, not with the check at 0; internal topics never', () => {
		assert.deepEqual(topicChange(pattern, new Set(['db.a']), ['db.a', 'db.b', '__consumer_offsets', 'x'], true).added, ['db.b']);
		const off = topicChange(pattern, new Set(['db.a']), ['db.a', 'db.b'], false);
		assert.deepEqual(off.added, []);
		// A restart for another reason subscribes the pattern again: kafkajs then takes every match.
		assert.deepEqual([...off.now], ['db.a', 'db.b']);
	});
	it('a matching topic deleted is deleted with the check at 0 too; a pattern has nothing missing', () => {
		for (const followNew of [true, false]) {
			const change = topicChange(pattern, new Set(['db.a', 'db.b']), ['db.a'], followNew);
			assert.deepEqual(change.deleted, ['db.b']);
			assert.deepEqual(change.missing, []);
		}
	});
	it('subscribedTopics tests every name with the pattern (no g flag state across names)', () => {
		assert.deepEqual([...subscribedTopics({ pattern: /^db\./ }, ['db.a', 'db.b', 'db.c'])], ['db.a', 'db.b', 'db.c']);
	});
});

describe('isUnknownTopicError', () => {
	const unknown = () => protocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true, message: 'This server does not host this topic-partition' });
	it('kafkajs protocol error, bare or as the cause of its retries, or of the trigger\'s explained error', () => {
		assert.equal(isUnknownTopicError(unknown()), true);
		const retried = new KafkaJSNumberOfRetriesExceeded(unknown(), { retryCount: 5, retryTime: 300 });
		assert.equal(isUnknownTopicError(retried), true);
		assert.equal(isUnknownTopicError(new Error('Kafka topic not found', { cause: retried })), true);
	});
	it('anything else is not', () => {
		assert.equal(isUnknownTopicError(protocolError({ type: 'NOT_COORDINATOR', code: 16, retriable: true, message: 'x' })), false);
		assert.equal(isUnknownTopicError(new Error('This server does not host this topic-partition')), false);
		assert.equal(isUnknownTopicError(undefined), false);
		assert.equal(isUnknownTopicError('UNKNOWN_TOPIC_OR_PARTITION'), false);
	});
});

describe('topicNames', () => {
	it('quotes and joins', () => {
		assert.equal(topicNames(['a']), '"a"');
		assert.equal(topicNames(['a', 'b']), '"a" and "b"');
		assert.equal(topicNames(['a', 'b', 'c']), '"a", "b" and "c"');
	});
});
