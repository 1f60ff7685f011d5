/**
 * What a kafkajs consumer crash means for the sinker consumer (consumer-crash.ts): ignored while closing,
 * a deleted topic told, activation failed only by a crash kafkajs will not restart, after the start a
 * restarted one counted by the stall watch and one that is not restarted handed to n8n as fatal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KafkaJSProtocolError } from 'kafkajs';

import { onConsumerCrash, type CrashContext } from '../../../src/kafka/consumer-crash';

function context(flags: { closing?: boolean; started?: boolean }) {
	const seen: string[] = [];
	const ctx: CrashContext = {
		options: {
			groupId: 'g',
			connection: { brokers: ['127.0.0.1:9092'], clientId: 'x' },
			onUnknownTopic: () => seen.push('unknown topic'),
			onFatalError: (error) => seen.push(`fatal: ${error.message}`),
		},
		logger: { debug() {}, info() {}, warn: (m: string) => seen.push(`warn: ${m}`), error: (m: string) => seen.push(`error: ${m}`) },
		isClosing: () => flags.closing === true,
		isStarted: () => flags.started === true,
		join: () => ({ fail: (error: Error) => seen.push(`join failed: ${error.message}`) }),
		restarting: (error) => seen.push(`restarting: ${error.message}`),
	};
	return { ctx, seen };
}

const boom = new Error('boom');

describe('onConsumerCrash', () => {
	it('nothing while closing', () => {
		const { ctx, seen } = context({ closing: true, started: true });
		onConsumerCrash({ error: boom, restart: false }, ctx);
		assert.deepEqual(seen, []);
	});

	it('before the first join: a restarted crash leaves the join waiting, one not restarted fails it', () => {
		const { ctx, seen } = context({});
		onConsumerCrash({ error: boom, restart: true }, ctx);
		assert.deepEqual(seen, []);
		onConsumerCrash({ error: boom, restart: false }, ctx);
		assert.deepEqual(seen, ['join failed: boom']);
	});

	it('after it: a restarted crash is logged and counted by the stall watch; one not restarted is fatal', () => {
		const { ctx, seen } = context({ started: true });
		onConsumerCrash({ error: boom, restart: true }, ctx);
		onConsumerCrash({ error: boom, restart: false }, ctx);
		assert.equal(seen.length, 4);
		assert.equal(seen[0], 'warn: Kafka consumer crashed; kafkajs restarts it');
		assert.match(seen[1], /^restarting: .*boom/);
		assert.equal(seen[2], 'error: Kafka consumer crashed and will not restart');
		assert.match(seen[3], /^fatal: .*boom/);
	});

	it('a deleted subscribed topic is told, before and after the start', () => {
		const unknown = new KafkaJSProtocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true, message: 'This server does not host this topic-partition' } as unknown as Error);
		for (const started of [false, true]) {
			const { ctx, seen } = context({ started });
			onConsumerCrash({ error: unknown, restart: true }, ctx);
			assert.equal(seen[0], 'unknown topic');
		}
	});
});
