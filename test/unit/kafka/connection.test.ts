// The Kafka credential's broker list (src/kafka/connection.ts) and how Kafka errors are explained
// to the user (src/kafka/client.ts): pure functions the broker suites only reached indirectly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { explainKafkaError } from '../../../src/kafka/client';
import { parseBrokers } from '../../../src/kafka/connection';

describe('parseBrokers', () => {
	it('host:port entries, IPv6 in brackets, split on commas and blanks', () => {
		assert.deepEqual(parseBrokers(' kafka-1:9092,kafka-2:9093\n[::1]:9094 '), ['kafka-1:9092', 'kafka-2:9093', '[::1]:9094']);
	});

	it('names the bad entry', () => {
		assert.throws(() => parseBrokers(''), /at least one host:port is required/);
		assert.throws(() => parseBrokers('kafka-1'), /Kafka broker "kafka-1" is not host:port/);
		assert.throws(() => parseBrokers('PLAINTEXT://kafka:9092'), /Kafka broker "PLAINTEXT:\/\/kafka:9092" is not host:port/);
	});
});

describe('explainKafkaError', () => {
	const connection = { brokers: ['k1:9094'], sasl: { mechanism: 'plain' as const, username: 'sinker', password: 'Secret-pw-1' } };
	const explain = (message: string, name = 'KafkaJSError') => explainKafkaError(Object.assign(new Error(message), { name }), connection);

	it('says what to check for each kind of failure, naming the brokers and the user, never the password', () => {
		const login = explain('SASL PLAIN authentication failed: Authentication failed', 'KafkaJSSASLAuthenticationError');
		assert.equal(login.message, 'Kafka refused the login for user "sinker" (plain) at k1:9094: check the username, password and SASL mechanism');
		assert.doesNotMatch(login.message, /Secret-pw-1/);
		assert.match(explain('connect ECONNREFUSED 127.0.0.1:9094', 'KafkaJSConnectionError').message, /^Cannot reach the Kafka brokers k1:9094: connect ECONNREFUSED/);
		assert.match(explain('self-signed certificate in certificate chain').message, /^TLS handshake with Kafka brokers k1:9094 failed/);
		assert.match(explain('This server does not host this topic-partition').message, /^Kafka topic not found at k1:9094/);
		assert.match(explain('Group authorization failed').message, /^Kafka denied the consumer group/);
		assert.match(explain('Topic authorization failed').message, /^Kafka denied access to the topic/);
		assert.equal(explain('something else').message, 'Kafka error: something else');
	});

	it('keeps the original error as the cause, under one name', () => {
		const original = new Error('boom');
		const explained = explainKafkaError(original, { brokers: ['k:1'] });
		assert.equal(explained.name, 'KafkaSinkerError');
		assert.equal(explained.cause, original);
		assert.equal(explainKafkaError('text thrown', { brokers: ['k:1'] }).message, 'Kafka error: text thrown');
	});
});
