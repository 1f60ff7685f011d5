// Add Kafka Fields in One Item per Batch against the real broker, through the Doris Schema node's
// routing: a malformed JSON value that starts with "{" is not spliced, so its dead letter (the
// invalid item) carries the produced bytes and the exact offset, as One Item per Message does, and
// every offset is committed. A well-formed value loads with its fields, also one that starts with a
// byte-order mark (Doris' JSON reader skips it); a value that is JSON but no object is an invalid item
// with its reason and its own text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows, type ParseErrorInfo } from '../../src/common/item-contract';
import { parseJsonExact, type JsonObject } from '../../src/common/exact-json';
import { packedLineOrigin } from '../../src/common/packed-rows';
import type { SinkExecution } from '../../src/kafka/consumer-options';
import type { KafkaField } from '../../src/kafka/message-fields';
import type { OutputMode } from '../../src/kafka/message-parser';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { manualSchema } from '../../src/doris/schema/manual';
import { INVALID_FIELD, routeItems, type InvalidInfo } from '../../src/doris/schema/route-items';
import { routePacked } from '../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../src/doris/schema/row-mapper';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

/** Partition 0, in offset order: the value of each message, and whether it loads. */
const VALUES: Array<{ value: string; loads: boolean }> = [
	{ value: '{"id":1,"note":"é ✓"}', loads: true },
	{ value: '{"id":1,', loads: false },
	{ value: '{"id":2} trailing', loads: false },
	{ value: '{"id":3,}', loads: false },
	{ value: '  {"id":', loads: false },
	{ value: '{"id":4,"note":"tab\there"}', loads: false },
	{ value: '\uFEFF{"id":5}', loads: true },
	{ value: '[1]', loads: false },
	{ value: '"x"', loads: false },
	{ value: '5', loads: false },
	{ value: '{}', loads: true },
	{ value: ' \t{"id":6} ', loads: true },
	{ value: '{"id":7,"id":8}', loads: true },
	{ value: '{"id":9,"src_offset":"own"}', loads: false }, // the value has an added field's name: Invalid, _parseError kind reserved_field
	{ value: '{"id":10}', loads: true },
];

const FIELDS: KafkaField[] = [
	{ source: 'topic', name: 'src_topic' },
	{ source: 'offset', name: 'src_offset' },
];

const schema = manualSchema('shop', 'events', [
	{ name: 'id', type: 'BIGINT' },
	{ name: 'note', type: 'VARCHAR(40)' },
	{ name: 'src_topic', type: 'VARCHAR(200)' },
	{ name: 'src_offset', type: 'BIGINT' },
]);
const labels = { workflow: 'wf-packed-fields', node: 'Doris Schema' };

let topic: string;
const broker = useKafkaAdmin({
	setup: async () => {
		topic = await broker.topic(1);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages: VALUES.map(({ value }) => ({ value: Buffer.from(value, 'utf8'), partition: 0 })) });
		await producer.disconnect();
	},
});

interface Routed {
	/** offset → the row that loads. */
	rows: Map<string, JsonObject>;
	/** offset → the invalid item (what a dead-letter branch writes). */
	invalid: Map<string, Record<string, unknown>>;
}

/** The executions' items through the Doris Schema node's routing, by offset; each offset once. */
function route(executions: SinkExecution[]): Routed {
	const mapper = new RowMapper(schema, DEFAULT_ROW_MAPPER_OPTIONS);
	const out: Routed = { rows: new Map(), invalid: new Map() };
	const once = (offset: string | null | undefined) => {
		assert.ok(typeof offset === 'string', 'every line and item has its exact offset');
		assert.ok(!out.rows.has(offset) && !out.invalid.has(offset), `offset ${offset} routed twice`);
		return offset;
	};
	for (const execution of executions) {
		execution.items.forEach((item, index) => {
			const packed = item.json[PACKED_ROWS_FIELD] as unknown as PackedRows | undefined;
			const routed = packed ? routePacked(packed, mapper, labels, index) : routeItems([item], mapper, labels);
			const loaded = 'rows' in routed ? routed.rows.map((r) => JSON.stringify(r.json)) : (routed.packed?.jsonLines.split('\n').slice(0, -1) ?? []);
			const sources = 'rows' in routed ? [] : (routed.packed?.sources ?? []);
			loaded.forEach((line, k) => {
				const row = parseJsonExact(line) as JsonObject;
				out.rows.set(once(packed ? packedLineOrigin(sources, k).offset : String(row.src_offset)), row);
			});
			for (const bad of routed.invalid) out.invalid.set(once((bad.json[KAFKA_METADATA_FIELD] as { offset?: string }).offset), bad.json);
		});
	}
	return out;
}

async function consume(output: OutputMode): Promise<Routed> {
	const group = uniqueName(`packed-fields-${output}`);
	const n8n = new FakeN8n();
	const consumer = await SinkerConsumer.start(
		testOptions(topic, group, { parser: { format: 'json', includeMetadata: true, tombstones: 'skip', output, kafkaFields: FIELDS } }),
		n8n.run,
	);
	try {
		await waitFor('every offset committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(VALUES.length));
	} finally {
		await consumer.close();
	}
	assert.ok(n8n.executions.every((e) => e.attempt === 0), 'nothing redelivered');
	return route(n8n.executions);
}

describe('sinker consumer: One Item per Batch with Add Kafka Fields, malformed values', () => {
	it('a dead letter carries the produced bytes and the exact offset, as per message; well-formed values load with the fields', async () => {
		const packed = await consume('batch');
		const perMessage = await consume('message');
		for (const [mode, routed] of [['batch', packed], ['message', perMessage]] as const) {
			VALUES.forEach(({ value, loads }, offset) => {
				const at = `${mode}, offset ${offset} (${JSON.stringify(value)})`;
				if (loads) {
					const row = routed.rows.get(String(offset));
					assert.ok(row, `${at}: loads`);
					assert.equal(String(row.src_offset), String(offset), `${at}: its own offset as src_offset`);
					assert.equal(row.src_topic, topic, at);
					return;
				}
				const letter = routed.invalid.get(String(offset));
				assert.ok(letter, `${at}: on the invalid output`);
				assert.ok((letter[INVALID_FIELD] as InvalidInfo).reasons.length > 0, `${at}: with its reason`);
				const error = letter[PARSE_ERROR_FIELD] as ParseErrorInfo | undefined;
				if (error === undefined) return; // parsed, refused for a column (the value's own src_offset)
				assert.ok(Buffer.from(error.raw ?? '', error.rawEncoding).equals(Buffer.from(value, 'utf8')), `${at}: raw ${JSON.stringify(error.raw)} is the produced bytes`);
			});
			assert.equal(routed.rows.size + routed.invalid.size, VALUES.length, `${mode}: every offset once`);
		}
		// The same messages are dead letters in both modes, for the same kind of reason.
		const kinds = (routed: Routed) => [...routed.invalid].map(([offset, json]) => `${offset} ${(json[PARSE_ERROR_FIELD] as ParseErrorInfo | undefined)?.kind ?? 'row'}`);
		assert.deepEqual(kinds(packed).sort(), kinds(perMessage).sort());
		assert.deepEqual(packed.rows.get('12')?.id, 8, 'two equal keys: the last, as JSON.parse reads the value per message');
		assert.deepEqual(packed.rows.get('10'), { src_topic: topic, src_offset: 10 });
	});
});
