// A Protobuf value whose wire header names a schema that lacks some of its fields (a producer that
// embeds a stale schema id), through the real broker and the real Schema Registry (Apicurio's
// Confluent-compatible API): protobufjs skips such fields, so the row loaded without their values
// and nothing said so. The message now takes the path of a message that does not decode: an item
// with `_parseError` (its reason naming the schema id, the message type and the field numbers) and
// `_kafka` (topic, partition, offset), in its place among the rows, its offset committed with its
// execution's and only once that execution succeeded, like a value without the magic byte beside it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import protobuf from 'protobufjs';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../src/common/item-contract';
import type { ExecutionOutcome } from '../../src/kafka/consumer-options';
import type { OutputMode } from '../../src/kafka/message-parser';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

/** What the registry holds: the producer's schema before it added `coupon` and `Address.zip`. */
const REGISTERED = 'syntax = "proto3";\npackage sinker.unknown;\nmessage Order { int64 id = 1; string item = 2; Address ship_to = 3; message Address { string city = 1; } }';
/** What the producer writes with, still embedding the id of REGISTERED. */
const WRITTEN = 'syntax = "proto3";\npackage sinker.unknown;\nmessage Order { int64 id = 1; string item = 2; Address ship_to = 3; string coupon = 4; message Address { string city = 1; string zip = 2; } }';

let registryUp = false;
let topic: string;
let values: Buffer[];

const broker = useKafkaAdmin({
	when: async () => (registryUp = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)),
	setup: async () => {
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const { id } = await registry.register({ type: SchemaType.PROTOBUF, schema: REGISTERED }, { subject: `${uniqueName('unknown-fields')}-value` });
		const order = protobuf.parse(WRITTEN).root.lookupType('sinker.unknown.Order');
		// As Confluent's serializers write a value: magic byte, schema id, message indexes [0] (one 0 byte), payload.
		const header = Buffer.from([0, 0, 0, 0, 0, 0]);
		header.writeInt32BE(id, 1);
		const wire = (value: Record<string, unknown>) => Buffer.concat([header, order.encode(order.fromObject(value)).finish()]);
		values = [
			wire({ id: 1, item: 'tea', shipTo: { city: 'Lyon' } }),
			wire({ id: 2, item: 'cake', coupon: 'SAVE10', shipTo: { city: 'Nice', zip: '06000' } }),
			// A value that does not decode today: no magic byte.
			Buffer.from('{"id":3}'),
			wire({ id: 4, item: 'jam' }),
		];
		topic = await broker.topic(1);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages: values.map((value) => ({ value })) });
		await producer.disconnect();
	},
});

interface Run {
	/** The items of the execution that succeeded for each offset, in offset order. */
	items: Array<Record<string, unknown>>;
	/** Offsets the trigger committed before the failed first execution was delivered again. */
	committedBeforeRedelivery: string[];
	redelivered: boolean;
}

/** The topic through the trigger with `output`; the first execution fails once (n8n saying no), the rest succeed. */
async function consume(output: OutputMode): Promise<Run> {
	const committedBeforeRedelivery: string[] = [];
	let redelivered = false;
	let failed = false;
	const delivered = new Map<string, Array<Record<string, unknown>>>();
	const n8n = new FakeN8n(async (execution): Promise<ExecutionOutcome> => {
		if (!failed) {
			failed = true;
			return { ok: false, reason: 'Doris said no' };
		}
		delivered.set(execution.firstOffset, execution.items.map((i) => i.json));
		return { ok: true };
	});
	const group = uniqueName(`unknown-fields-${output}`);
	const consumer = await SinkerConsumer.start(
		testOptions(topic, group, {
			parser: { format: 'schemaRegistry', includeMetadata: false, tombstones: 'skip', output, schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) },
			executionsInFlight: 1,
			observer: {
				onCommit: (_t, _p, offset) => {
					if (!redelivered) committedBeforeRedelivery.push(offset);
				},
				onRedeliver: () => {
					redelivered = true;
				},
			},
		}),
		n8n.run,
	);
	try {
		await waitFor(`offset ${values.length} committed`, async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(values.length));
	} finally {
		await consumer.close();
	}
	const items = [...delivered.entries()].sort(([a], [b]) => Number(a) - Number(b)).flatMap(([, json]) => json);
	return { items, committedBeforeRedelivery, redelivered };
}

function parseErrorOf(item: Record<string, unknown>): { kind: string; message: string; raw: string; rawEncoding: string } {
	return item[PARSE_ERROR_FIELD] as { kind: string; message: string; raw: string; rawEncoding: string };
}

/** The stale-id message's item and the no-magic-byte one's: the same path, each with its reason and position. */
function assertRefusedLikeUndecodable(items: Array<Record<string, unknown>>): void {
	const errors = items.filter((i) => i[PARSE_ERROR_FIELD] !== undefined);
	assert.deepEqual(
		errors.map((i) => i[KAFKA_METADATA_FIELD] as { topic: string; partition: number; offset: string }).map(({ topic, partition, offset }) => ({ topic, partition, offset })),
		[1, 2].map((offset) => ({ topic, partition: 0, offset: String(offset) })),
	);
	const [stale, noMagic] = errors.map(parseErrorOf);
	assert.equal(stale.kind, 'schema_registry');
	assert.equal(noMagic.kind, 'schema_registry');
	assert.match(
		stale.message,
		/^schema id \d+, message type sinker\.unknown\.Order: the value has field 2 \(wire type 2, length-delimited\) in shipTo \(sinker\.unknown\.Order\.Address\), field 4 \(wire type 2, length-delimited\), which the schema does not declare\. .*\(rule: no silent loss\)/,
	);
	// Its bytes, to replay once the producer's schema is registered (as text when they happen to be UTF-8).
	assert.equal(Buffer.from(stale.raw, stale.rawEncoding as BufferEncoding).equals(values[1]), true);
}

describe('Protobuf fields the schema id\'s schema does not declare, through the broker and the registry', () => {
	it('one item per message: the message is an error item in its place, never a row without those fields; its offset is committed only with its execution\'s success', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const run = await consume('message');
		assert.equal(run.redelivered, true);
		assert.deepEqual(run.committedBeforeRedelivery, [], 'nothing committed while the execution holding the messages had failed');
		assert.equal(run.items.length, 4);
		assert.deepEqual(run.items[0], { id: 1, item: 'tea', shipTo: { city: 'Lyon' } });
		assert.deepEqual(run.items[3], { id: 4, item: 'jam', shipTo: null });
		assert.equal(run.items.some((i) => i.id === 2), false, 'no row of the message with unknown fields');
		assertRefusedLikeUndecodable(run.items);
	});

	it('one item per batch: the message ends the packed rows before it and travels as its own error item', async (t) => {
		if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const run = await consume('batch');
		assert.deepEqual(run.committedBeforeRedelivery, []);
		const lines = run.items.filter((i) => i[PACKED_ROWS_FIELD] !== undefined).flatMap((i) => (i[PACKED_ROWS_FIELD] as PackedRows).jsonLines.trimEnd().split('\n'));
		assert.deepEqual(lines.map((line) => JSON.parse(line) as unknown), [
			{ id: 1, item: 'tea', shipTo: { city: 'Lyon' } },
			{ id: 4, item: 'jam', shipTo: null },
		]);
		assertRefusedLikeUndecodable(run.items);
	});
});
