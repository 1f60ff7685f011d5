/**
 * kafkajs 2.2.4 retries a fetch that met a deleted topic for ~10 s before the consumer crashes; the
 * wrapper of ConsumerGroup.recoverFromFetch (unknown-topic-watch.ts) tells the member at the first one.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

import { KafkaJSProtocolError } from 'kafkajs';

import { MemberUnknownTopicWatch, watchKafkajsUnknownTopics } from '../../../src/kafka/unknown-topic-watch';

/** kafkajs builds its protocol errors from the broker's error code entry (its typings say Error). */
function protocolError(entry: { type: string; code: number; retriable: boolean; message: string }): KafkaJSProtocolError {
	return new KafkaJSProtocolError(entry as unknown as Error);
}


describe('the fetch that meets a deleted topic is told to its member at once (unknown-topic-watch.ts)', () => {
	it('kafkajs 2.2.4 recoverFromFetch: the member of the last join is told, before kafkajs refreshes; none after end', async () => {
		assert.equal(watchKafkajsUnknownTopics(), true);
		const ConsumerGroup = createRequire(__filename)('kafkajs/src/consumer/consumerGroup.js') as { prototype: { recoverFromFetch(error: unknown): Promise<void> } };
		const told: string[] = [];
		const watch = new MemberUnknownTopicWatch('g', () => told.push('told'));
		const group = (memberId: string) => ({
			groupId: 'g',
			memberId,
			logger: { debug: () => {}, warn: () => {} },
			cluster: { refreshMetadata: async () => told.push(`refresh by ${memberId}`) },
			joinAndSync: async () => {},
		});
		watch.joined('m1', false);
		watch.joined('m2', false);
		await ConsumerGroup.prototype.recoverFromFetch.call(group('m1'), unknown());
		await ConsumerGroup.prototype.recoverFromFetch.call(group('m2'), unknown());
		watch.end();
		await ConsumerGroup.prototype.recoverFromFetch.call(group('m2'), unknown());
		assert.deepEqual(told, ['refresh by m1', 'told', 'refresh by m2', 'refresh by m2']);
		watch.joined('m3', true);
		await ConsumerGroup.prototype.recoverFromFetch.call(group('m3'), unknown());
		assert.equal(told.filter((t) => t === 'told').length, 1, 'none joined while closing');
	});
	function unknown() {
		return protocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true, message: 'This server does not host this topic-partition' });
	}
});
