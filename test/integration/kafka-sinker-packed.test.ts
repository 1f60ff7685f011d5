// Output "One Item per Batch" against the real broker: a partition of mixed messages (valid and
// invalid JSON text, a tombstone, a non-UTF-8 value, pretty-printed JSON, big integers) next to a
// partition of plain rows. Each successful execution = packed items and the ordinary items for the
// misfits, in offset order (a misfit ends the packed item before it); over the successful executions
// every offset is delivered exactly once; a failed execution
// is redelivered whole; offsets are committed only after the executions holding them succeeded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../src/common/item-contract';
import type { SinkExecution } from '../../src/kafka/consumer-options';
import { parseJsonExact, type JsonObject } from '../../src/common/exact-json';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, registerAvroRecord, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

let topic: string;

const NON_UTF8 = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff]);
const PRETTY = '{\n  "id": 5,\n  "big": 98765432109876543210\n}';
/** Partition 0, in offset order. */
const MIXED: Array<string | Buffer | null> = [
	'{"id":1,"big":123456789012345678901234}',
	'{"id":',
	null,
	NON_UTF8,
	PRETTY,
	'{"id":6,"min":-9223372036854775808,"max":18446744073709551615}',
	'{"id":7,"s":"héllo ✓"}',
];
const PLAIN = 200;
const plain = (i: number) => `{"i":${i},"name":"row ${i}"}`;

const broker = useKafkaAdmin({
	setup: async () => {
		topic = await broker.topic(2);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages: MIXED.map((value, i) => ({ value, key: `m${i}`, partition: 0 })) });
		await producer.send({ topic, messages: Array.from({ length: PLAIN }, (_, i) => ({ value: plain(i), partition: 1 })) });
		await producer.disconnect();
	},
});

interface Delivered {
	/** offset → the line's text, or "item" for an ordinary item. */
	byOffset: Map<string, string>;
	items: JsonObject[];
	packedItems: number;
}

/** What the successful executions delivered, checking each one's shape on the way. */
function delivered(executions: SinkExecution[], succeeded: Set<SinkExecution>, partition: number, fromTopic = topic): Delivered {
	const out: Delivered = { byOffset: new Map(), items: [], packedItems: 0 };
	const add = (offset: string, what: string) => {
		assert.ok(!out.byOffset.has(offset), `offset ${partition}:${offset} delivered twice`);
		out.byOffset.set(offset, what);
	};
	for (const execution of executions) {
		if (execution.partition !== partition || !succeeded.has(execution)) continue;
		const first = BigInt(execution.firstOffset);
		const last = BigInt(execution.lastOffset);
		/** The last offset of the item before: the execution's items are in offset order. */
		let before = first - 1n;
		let previousPacked = false;
		for (const item of execution.items) {
			const packed = item.json[PACKED_ROWS_FIELD] as unknown as PackedRows | undefined;
			if (packed === undefined) {
				const offset = (item.json[KAFKA_METADATA_FIELD] as { offset: string }).offset;
				assert.ok(BigInt(offset) > before && BigInt(offset) <= last, `item at ${offset} in offset order`);
				before = BigInt(offset);
				previousPacked = false;
				add(offset, 'item');
				out.items.push(item.json);
				continue;
			}
			assert.ok(!previousPacked, 'only an ordinary item ends a packed item');
			previousPacked = true;
			assert.ok(BigInt(packed.sources[0].firstOffset) > before, 'the packed item in offset order');
			before = BigInt(packed.sources[packed.sources.length - 1].lastOffset);
			out.packedItems++;
			const lines = packed.jsonLines.split('\n');
			assert.equal(lines.pop(), '');
			assert.equal(lines.length, packed.count);
			assert.equal(packed.sources.reduce((n, s) => n + s.lines, 0), packed.count);
			let k = 0;
			for (const source of packed.sources) {
				assert.equal(source.topic, fromTopic);
				assert.equal(source.partition, partition);
				assert.equal(BigInt(source.lastOffset) - BigInt(source.firstOffset) + 1n, BigInt(source.lines), 'runs are exact');
				assert.ok(BigInt(source.firstOffset) >= first && BigInt(source.lastOffset) <= last, 'sources lie inside the execution');
				for (let j = 0; j < source.lines; j++) add((BigInt(source.firstOffset) + BigInt(j)).toString(), lines[k++]);
			}
		}
	}
	return out;
}

/** Every message of partition 0 where it must be: a line with its exact text, an item, or skipped. */
function assertMixed(d: Delivered, tombstones: 'emit' | 'skip'): void {
	const expectLine = (offset: number) => assert.equal(d.byOffset.get(String(offset)), MIXED[offset] as string);
	for (const offset of [0, 1, 5, 6]) expectLine(offset);
	for (const offset of [3, 4]) assert.equal(d.byOffset.get(String(offset)), 'item');
	assert.equal(d.byOffset.get('2'), tombstones === 'emit' ? 'item' : undefined);
	assert.equal(d.byOffset.size, tombstones === 'emit' ? 7 : 6);
	const kinds = d.items.map((j) => (j[PARSE_ERROR_FIELD] as { kind?: string; rawEncoding?: string } | undefined) ?? { kind: 'ok' });
	assert.deepEqual(kinds.map((k) => k.kind).sort(), (tombstones === 'emit' ? ['json', 'ok', 'tombstone'] : ['json', 'ok']).sort());
	assert.equal(kinds.find((k) => k.kind === 'json')?.rawEncoding, 'base64');
	const pretty = d.items.find((j) => j.id === 5);
	assert.equal(pretty?.big, '98765432109876543210', 'the pretty-printed value is parsed as per message, big integer exact');
}

function assertPlain(d: Delivered): void {
	assert.equal(d.byOffset.size, PLAIN);
	for (let i = 0; i < PLAIN; i++) assert.equal(d.byOffset.get(String(i)), plain(i));
	assert.equal(d.items.length, 0);
}

/** FakeN8n that also remembers which executions succeeded. */
function recorder(decide: (e: SinkExecution) => Promise<boolean>) {
	const succeeded = new Set<SinkExecution>();
	const n8n = new FakeN8n(async (execution) => {
		const ok = await decide(execution);
		if (ok) succeeded.add(execution);
		return ok ? { ok: true } : { ok: false, reason: 'test failure' };
	});
	return { n8n, succeeded };
}

describe('sinker consumer: One Item per Batch', () => {
	it('tombstones emitted; the first execution of the mixed partition fails once: redelivered whole, nothing lost or doubled', async () => {
		const group = uniqueName('packed-emit');
		const { n8n, succeeded } = recorder(async (e) => !(e.partition === 0 && e.attempt === 0));
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, { parser: { format: 'json', includeMetadata: true, tombstones: 'emit', output: 'batch' } }),
			n8n.run,
		);
		try {
			await waitFor('both partitions committed to their end', async () => {
				const c = await committedOffsets(broker.admin, group, topic);
				return c.get(0) === BigInt(MIXED.length) && c.get(1) === BigInt(PLAIN);
			});
			const failed = n8n.executions.filter((e) => !succeeded.has(e));
			assert.ok(failed.length >= 1 && failed.every((e) => e.partition === 0 && e.attempt === 0));
			assert.equal(failed[0].firstOffset, '0');
			assertMixed(delivered(n8n.executions, succeeded, 0), 'emit');
			assertPlain(delivered(n8n.executions, succeeded, 1));
			assert.equal(consumer.stats.redeliveries, 1);
			// Only the non-UTF-8 value, once per delivery: "{"id":" travels as a line (the Doris Schema node counts it).
			const deliveriesOf3 = n8n.executions.filter((e) => e.partition === 0 && BigInt(e.firstOffset) <= 3n && BigInt(e.lastOffset) >= 3n);
			assert.equal(consumer.stats.parseErrors, deliveriesOf3.length);
		} finally {
			await consumer.close();
		}
	});

	it('tombstones skipped, small executions: a held execution holds its partition\'s commit until it succeeds', async () => {
		const group = uniqueName('packed-skip');
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const { n8n, succeeded } = recorder(async (e) => {
			if (e.partition === 1 && e.firstOffset === '0') await gate;
			return true;
		});
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, { maxRecordsPerExecution: 3, parser: { format: 'json', includeMetadata: true, tombstones: 'skip', output: 'batch' } }),
			n8n.run,
		);
		try {
			await waitFor('every other execution finished', () => {
				const p1 = [...succeeded].filter((e) => e.partition === 1);
				return p1.some((e) => e.lastOffset === String(PLAIN - 1)) && [...succeeded].some((e) => e.partition === 0 && e.lastOffset === '6');
			});
			await waitFor('partition 0 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(MIXED.length));
			const held = await committedOffsets(broker.admin, group, topic);
			assert.ok((held.get(1) ?? -1n) < 0n, `partition 1 must not be committed while its first execution runs (got ${held.get(1)})`);
			release();
			await waitFor('partition 1 committed after the held execution', async () => (await committedOffsets(broker.admin, group, topic)).get(1) === BigInt(PLAIN));
			const executions = n8n.executions;
			assert.ok(executions.filter((e) => e.partition === 1).length >= Math.ceil(PLAIN / 3));
			for (const e of executions) {
				const packed = e.items.filter((i) => i.json[PACKED_ROWS_FIELD] !== undefined);
				assert.ok(packed.length <= 1);
				assert.ok(e.items.length <= e.messages, 'never more items than messages');
			}
			assertMixed(delivered(executions, succeeded, 0), 'skip');
			assertPlain(delivered(executions, succeeded, 1));
			assert.equal(consumer.stats.tombstonesSkipped, 1);
			assert.equal(consumer.stats.redeliveries, 0);
		} finally {
			release();
			await consumer.close();
		}
	});
});

describe('sinker consumer: One Item per Batch, Schema Registry', () => {
	it('decoded records are lines of the per-message item json; undecodable values and tombstones stay items', async (t) => {
		const reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registryTopic = await broker.topic(1);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const avroId = await registerAvroRecord(registry, 'Line', 'sinker.packed', [{ name: 'id', type: 'long' }, { name: 'note', type: 'string' }, { name: 'raw', type: 'bytes' }], 'packed');
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({
			topic: registryTopic,
			messages: [
				{ value: await registry.encode(avroId, { id: 1, note: 'two\nlines', raw: Buffer.from([1, 2, 3]) }) },
				{ value: '{"not":"wire format"}' },
				{ value: null },
				{ value: await registry.encode(avroId, { id: 2, note: 'é', raw: Buffer.alloc(0) }) },
			],
		});
		await producer.disconnect();
		const group = uniqueName('packed-registry');
		const { n8n, succeeded } = recorder(async () => true);
		const consumer = await SinkerConsumer.start(
			testOptions(registryTopic, group, {
				parser: {
					format: 'schemaRegistry',
					includeMetadata: true,
					tombstones: 'emit',
					output: 'batch',
					schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }),
				},
			}),
			n8n.run,
		);
		try {
			await waitFor('offset 4 committed', async () => (await committedOffsets(broker.admin, group, registryTopic)).get(0) === 4n);
			const d = delivered(n8n.executions, succeeded, 0, registryTopic);
			assert.deepEqual(parseJsonExact(d.byOffset.get('0') as string), { id: 1, note: 'two\nlines', raw: 'AQID' });
			assert.deepEqual(parseJsonExact(d.byOffset.get('3') as string), { id: 2, note: 'é', raw: '' });
			assert.equal(d.byOffset.get('1'), 'item');
			assert.equal(d.byOffset.get('2'), 'item');
			assert.deepEqual(
				d.items.map((j) => (j[PARSE_ERROR_FIELD] as { kind: string }).kind),
				['schema_registry', 'tombstone'],
			);
		} finally {
			await consumer.close();
		}
	});
});
