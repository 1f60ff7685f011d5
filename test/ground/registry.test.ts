// Proves @kafkajs/confluent-schema-registry 4.1.0 against the test ground's Apicurio Registry
// (scripts/registry.sh start) through its Confluent-compatible API: register an Avro schema, encode and
// decode (also through the Kafka broker), evolve the schema, and look ids up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka } from 'kafkajs';
import { schemaRegistryUrl } from './kafka/env';
import { plaintextConfig, uniqueName } from './kafka/helpers';

const TIMEOUT = 30_000;

/** avsc decodes into instances of a generated record class; compare their fields as a plain object. */
async function decodePlain(registry: SchemaRegistry, buffer: Buffer): Promise<Record<string, unknown>> {
	return { ...((await registry.decode(buffer)) as Record<string, unknown>) };
}

function orderSchema(name: string, withNote: boolean): string {
	const fields: object[] = [
		{ name: 'id', type: 'long' },
		{ name: 'customer', type: 'string' },
		{ name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
	];
	if (withNote) fields.push({ name: 'note', type: ['null', 'string'], default: null });
	return JSON.stringify({ type: 'record', name, namespace: 'ground.test', fields });
}

describe('Schema Registry (Apicurio ccompat) with @kafkajs/confluent-schema-registry', { timeout: 60_000 }, () => {
	const registry = new SchemaRegistry({ host: schemaRegistryUrl });
	const subject = `${uniqueName('ground-orders')}-value`;
	const recordName = `Order_${uniqueName('x').replace(/-/g, '_')}`;

	it('registers an Avro schema, encodes and decodes a message', { timeout: TIMEOUT }, async () => {
		const { id } = await registry.register(
			{ type: SchemaType.AVRO, schema: orderSchema(recordName, false) },
			{ subject },
		);
		assert.ok(Number.isInteger(id) && id > 0, `id ${id}`);

		const encoded = await registry.encode(id, { id: 7, customer: 'ada', amount: Buffer.from([0x04, 0xd2]) });
		// Confluent wire format: magic byte 0, then the schema id as a 4-byte big-endian integer.
		assert.equal(encoded[0], 0);
		assert.equal(encoded.readInt32BE(1), id);

		const decoded = (await registry.decode(encoded)) as { id: number; customer: string; amount: Buffer };
		assert.equal(decoded.id, 7);
		assert.equal(decoded.customer, 'ada');
		assert.deepEqual([...decoded.amount], [0x04, 0xd2]);

		assert.equal(await registry.getLatestSchemaId(subject), id);
		// Registering the same schema again returns the same id.
		const again = await registry.register({ type: SchemaType.AVRO, schema: orderSchema(recordName, false) }, { subject });
		assert.equal(again.id, id);
	});

	it('evolves the schema (new optional field); old messages still decode', { timeout: TIMEOUT }, async () => {
		const v1 = await registry.getLatestSchemaId(subject);
		const oldMessage = await registry.encode(v1, { id: 1, customer: 'old', amount: Buffer.from([0x01]) });

		const { id: v2 } = await registry.register({ type: SchemaType.AVRO, schema: orderSchema(recordName, true) }, { subject });
		assert.notEqual(v2, v1);
		assert.equal(await registry.getLatestSchemaId(subject), v2);

		const newMessage = await registry.encode(v2, { id: 2, customer: 'new', amount: Buffer.from([0x02]), note: 'hi' });
		assert.deepEqual(await decodePlain(registry, newMessage), { id: 2, customer: 'new', amount: Buffer.from([0x02]), note: 'hi' });
		assert.deepEqual(await decodePlain(registry, oldMessage), { id: 1, customer: 'old', amount: Buffer.from([0x01]) });
	});

	it('an encoded message survives a trip through the Kafka broker', { timeout: TIMEOUT }, async () => {
		const id = await registry.getLatestSchemaId(subject);
		const topic = uniqueName('ground-avro');
		const kafka = new Kafka(plaintextConfig());
		const producer = kafka.producer({ allowAutoTopicCreation: true });
		const consumer = kafka.consumer({ groupId: uniqueName('ground-avro-group') });
		const admin = kafka.admin();
		try {
			await producer.connect();
			await producer.send({
				topic,
				messages: [{ value: await registry.encode(id, { id: 3, customer: 'kafka', amount: Buffer.from([0x03]), note: null }) }],
			});
			await consumer.connect();
			await consumer.subscribe({ topic, fromBeginning: true });
			const value = await new Promise<Buffer>((resolve, reject) => {
				consumer
					.run({
						eachMessage: async ({ message }) => {
							if (message.value) resolve(message.value);
						},
					})
					.catch(reject);
			});
			assert.deepEqual(await decodePlain(registry, value), { id: 3, customer: 'kafka', amount: Buffer.from([0x03]), note: null });
		} finally {
			await consumer.disconnect();
			await producer.disconnect();
			await admin.connect();
			await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
			await admin.disconnect();
		}
	});

	it('decoding a message with an unknown schema id fails with a clear error', { timeout: TIMEOUT }, async () => {
		const bogus = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 0x02]);
		await assert.rejects(registry.decode(bogus), (error: Error) => {
			assert.match(`${error.name} ${error.message}`, /no content with id|not found|40403/i);
			return true;
		});
	});
});
