// Message shapes and logins against the real broker: malformed JSON, binary and null values, a 5 MB
// message; headers without a value; SASL/PLAIN with the right and a wrong password; an unreachable broker.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { metrics } from '../../src/metrics/metrics';
import { kafkaBrokers, kafkaSaslBrokers, sinkerUser } from '../ground/kafka/env';
import { produceHeadersWithJavaClient } from '../ground/kafka/java-client';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

async function parseErrorCount(topic: string): Promise<number> {
	const metric = await metrics.jsonParseErrors.get();
	return metric.values.filter((v) => v.labels.topic === topic).reduce((sum, v) => sum + v.value, 0);
}

describe('sinker consumer: message shapes', () => {
	it('malformed JSON, binary, null values and a 5 MB message: one item each (tombstone skipped), counted, stream goes on', async () => {
		const big = JSON.stringify({ blob: 'y'.repeat(5 * 1024 * 1024) });
		// The broker's default message.max.bytes is ~1 MB; the topic raises it for itself.
		const topic = await broker.topic(1, { 'max.message.bytes': String(8 * 1024 * 1024) });
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({
			topic,
			messages: [
				{ value: '{"id":1,"big":123456789012345678901234}' },
				{ value: '{"id":' },
				{ value: Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff]) },
				{ value: null, key: 'deleted-row' },
				{ value: '"just a string"' },
			],
		});
		await producer.send({ topic, messages: [{ value: big }] });
		await producer.send({ topic, messages: [{ value: '{"id":7}' }] });
		await producer.disconnect();
		const group = uniqueName('shapes');
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, { parser: { format: 'json', includeMetadata: true, tombstones: 'skip' } }),
			n8n.run,
		);
		try {
			await waitFor('offset 7 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 7n);
			const items = n8n.executions.flatMap((e) => e.items.map((i) => i.json));
			assert.equal(items.length, 6, 'every message but the skipped tombstone became an item');
			assert.equal(items[0].big, '123456789012345678901234');
			assert.deepEqual(
				items.map((j) => (j[PARSE_ERROR_FIELD] as { kind?: string } | undefined)?.kind ?? 'ok'),
				['ok', 'json', 'json', 'not_object', 'ok', 'ok'],
			);
			assert.equal((items[2][PARSE_ERROR_FIELD] as { rawEncoding: string }).rawEncoding, 'base64');
			assert.equal((items[4].blob as string).length, 5 * 1024 * 1024);
			assert.equal((items[5][KAFKA_METADATA_FIELD] as { offset: string }).offset, '6');
			assert.equal(consumer.stats.parseErrors, 3);
			assert.equal(consumer.stats.tombstonesSkipped, 1);
			assert.equal(await parseErrorCount(topic), 3);
		} finally {
			await consumer.close();
		}
	});
});

describe('sinker consumer: headers', () => {
	it('a header with a null value (single or repeated) is null in _kafka and Add Kafka Fields; the stream goes on', async () => {
		const topic = await broker.topic(1);
		// Kafka allows a header without a value (Java: headers().add("marker", null)); kafkajs' producer cannot send one.
		await produceHeadersWithJavaClient(kafkaBrokers, topic, [
			{ value: '{"id":1}', headers: [['marker', null], ['tenant', 'acme']] },
			{ value: '{"id":', headers: [['marker', null]] },
			{ value: '{"id":3}', headers: [['trace', 'a'], ['trace', null], ['trace', 'b']] },
		]);
		const group = uniqueName('null-headers');
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, {
				parser: {
					format: 'json',
					includeMetadata: true,
					tombstones: 'skip',
					kafkaFields: [
						{ source: 'header', header: 'marker', name: 'marker' },
						{ source: 'headers', name: 'all_headers' },
					],
				},
			}),
			n8n.run,
		);
		try {
			await waitFor('offset 3 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 3n);
			const items = n8n.executions.flatMap((e) => e.items.map((i) => i.json));
			assert.equal(items.length, 3);
			assert.equal(items[0].marker, null);
			assert.deepEqual(items[0].all_headers, { marker: null, tenant: 'acme' });
			assert.deepEqual((items[0][KAFKA_METADATA_FIELD] as { headers: unknown }).headers, { marker: null, tenant: 'acme' });
			assert.equal((items[1][PARSE_ERROR_FIELD] as { kind: string }).kind, 'json');
			assert.deepEqual((items[1][KAFKA_METADATA_FIELD] as { headers: unknown }).headers, { marker: null });
			// A repeated header is its values joined by commas; one without a value is empty there.
			assert.deepEqual(items[2].all_headers, { trace: 'a,,b' });
		} finally {
			await consumer.close();
		}
	});
});

describe('sinker consumer: logins', () => {
	let topic: string;
	before(async () => {
		topic = await broker.topic(1);
	});

	it('SASL/PLAIN with the right password joins', async () => {
		const consumer = await SinkerConsumer.start(
			testOptions(topic, uniqueName('sasl'), {
				connection: { brokers: kafkaSaslBrokers, clientId: 'sinker-sasl', sasl: { mechanism: 'plain', ...sinkerUser } },
			}),
			new FakeN8n().run,
		);
		assert.deepEqual(consumer.assigned().get(topic), [0]);
		await consumer.close();
	});

	it('a wrong password fails start with a clear message that does not contain the password', async () => {
		const password = 'not-the-password-123';
		await assert.rejects(
			SinkerConsumer.start(
				testOptions(topic, uniqueName('sasl-bad'), {
					connection: { brokers: kafkaSaslBrokers, clientId: 'sinker-sasl', sasl: { mechanism: 'plain', username: sinkerUser.username, password } },
				}),
				new FakeN8n().run,
			),
			(error: Error) => {
				assert.match(error.message, /refused the login for user "sinker" \(plain\)/);
				assert.ok(!error.message.includes(password) && !String((error.cause as Error)?.message).includes(password));
				return true;
			},
		);
	});

	it('an unreachable broker fails start naming the broker', async () => {
		await assert.rejects(
			SinkerConsumer.start(
				testOptions(topic, uniqueName('nobroker'), { connection: { brokers: ['127.0.0.1:1'], clientId: 'sinker-none' } }),
				new FakeN8n().run,
			),
			/Cannot reach the Kafka brokers 127\.0\.0\.1:1/,
		);
	});

	it('a topic that does not exist fails start naming it', async () => {
		await assert.rejects(
			SinkerConsumer.start(testOptions('no-such-topic-' + uniqueName('x'), uniqueName('notopic')), new FakeN8n().run),
			/topic/i,
		);
	});
});
