// Shared by the Schema Registry integration files (kafka-sinker-schema-registry.test.ts,
// kafka-sinker-json-schema.test.ts): a schema registered the way a converter registers it, and a
// Schema Registry trigger run over a topic on the real broker.
import type { Admin } from 'kafkajs';

import type { JsonObject } from '../../src/common/exact-json';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName } from './kafka-sinker-helpers';

/**
 * Registers a schema through the registry's REST API, as a converter does (the client library's
 * register() parses or compiles some schemas first and refuses them), and returns the wire-format
 * header of a value written with it: magic byte, schema id, and for Protobuf the message index 0.
 */
export async function registerOverRest(subject: string, body: Record<string, unknown>, headerBytes = 5): Promise<Buffer> {
	const answer = await fetch(`${schemaRegistryUrl}/subjects/${subject}/versions`, {
		method: 'POST',
		headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
		body: JSON.stringify(body),
	});
	const { id } = (await answer.json()) as { id: number };
	const header = Buffer.alloc(headerBytes);
	header.writeInt32BE(id, 1);
	return header;
}

/**
 * Runs a Schema Registry trigger (One Item per Message, no metadata) in a new group `<groupPrefix>-…`
 * over the first partition of `topic` until `messages` offsets are committed, then hands `check` every
 * item and the consumer, before the consumer closes (also when `check` throws).
 */
export async function consumeWithRegistry(
	admin: Admin,
	topic: string,
	messages: number,
	groupPrefix: string,
	check: (items: JsonObject[], consumer: SinkerConsumer) => void,
): Promise<void> {
	const group = uniqueName(groupPrefix);
	const n8n = new FakeN8n();
	const consumer = await SinkerConsumer.start(
		testOptions(topic, group, {
			parser: { format: 'schemaRegistry', includeMetadata: false, tombstones: 'skip', schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) },
		}),
		n8n.run,
	);
	try {
		await waitFor(`offset ${messages} committed`, async () => (await committedOffsets(admin, group, topic)).get(0) === BigInt(messages));
		check(n8n.executions.flatMap((e) => e.items.map((i) => i.json)), consumer);
	} finally {
		await consumer.close();
	}
}
