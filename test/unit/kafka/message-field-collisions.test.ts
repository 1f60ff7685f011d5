/**
 * An Add Kafka Fields name the message's value already has at its top level (review s15, finding 11):
 * the message's own value was kept, silently and per message, so one column held Kafka's value for some
 * rows and the payload's for others. Such a message goes to Invalid now (`_parseError` kind
 * `reserved_field`, naming the field and where Add Kafka Fields takes it from), the same item in both
 * outputs and every format; the names a setting fixes for every message (CSV Column Names, the text
 * field) are refused when the settings are read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import type { JsonObject } from '../../../src/common/exact-json';
import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../../src/kafka/message-parser';
import { validateKafkaFieldsForFormat, type KafkaField } from '../../../src/kafka/message-fields';
import { message, parse } from './message-support';

const FIELDS: KafkaField[] = [
	{ source: 'header', header: 'tenant-id', name: 'tenant' },
	{ source: 'offset', name: 'src_offset' },
];
const headers = { 'tenant-id': Buffer.from('acme') };

type ErrorJson = { kind: string; message: string; raw: string | null };

/** Items of a chunk as plain JSON, packed items as their rows. */
function shapes(chunk: ParsedChunk): unknown[] {
	return chunk.items.map((item) => {
		const packed = item.json[PACKED_ROWS_FIELD] as unknown as PackedRows | undefined;
		return packed === undefined ? item.json : { lines: packed.jsonLines.trimEnd().split('\n').map((line) => JSON.parse(line) as JsonObject) };
	});
}

describe('Add Kafka Fields: a name the message already has', () => {
	const values = ['{"id":1}', '{"id":2,"tenant":"own"}', '{"id":3}'];

	it('One Item per Message: the message goes to Invalid naming the field and its source, with its raw value and position; the others get the fields', () => {
		const chunk = parse({ kafkaFields: FIELDS }, values.map((v, i) => message(i, v, { headers })));
		assert.equal(chunk.parseErrors, 1);
		assert.deepEqual(chunk.items[0].json, { id: 1, tenant: 'acme', src_offset: '0', _doris: { kafkaFields: ['tenant', 'src_offset'] } });
		const invalid = chunk.items[1].json;
		const error = invalid[PARSE_ERROR_FIELD] as ErrorJson;
		assert.equal(error.kind, 'reserved_field');
		assert.match(error.message, /the value has the top-level field "tenant", which Add Kafka Fields sets \(header "tenant-id"\)/);
		assert.match(error.message, /rename/);
		assert.equal(error.raw, '{"id":2,"tenant":"own"}');
		assert.equal((invalid[KAFKA_METADATA_FIELD] as { offset: string }).offset, '1');
		assert.equal(invalid.id, undefined, 'not a row');
	});

	it('One Item per Batch: the same Invalid item in its place, ending the packed item before it (also an escaped name, \\u0074enant)', () => {
		const perMessage = parse({ kafkaFields: FIELDS }, values.map((v, i) => message(i, v, { headers })));
		const batch = parse({ output: 'batch', kafkaFields: FIELDS }, values.map((v, i) => message(i, v, { headers })));
		assert.equal(batch.parseErrors, 1);
		assert.deepEqual(shapes(batch), [{ lines: [{ tenant: 'acme', src_offset: '0', id: 1 }] }, perMessage.items[1].json, { lines: [{ tenant: 'acme', src_offset: '2', id: 3 }] }]);
		const escaped = parse({ output: 'batch', kafkaFields: FIELDS }, [message(0, '{"id":4,"\\u0074enant":"own"}', { headers })]);
		assert.equal((escaped.items[0].json[PARSE_ERROR_FIELD] as ErrorJson).kind, 'reserved_field');
	});

	it('a tombstone\'s delete row whose key has the field: Invalid in both outputs alike', () => {
		const options: Partial<MessageParserOptions> = { tombstones: 'delete', kafkaFields: [{ source: 'offset', name: 'id' }] };
		const tombstone = () => [message(0, null, { key: Buffer.from('{"id":7}') })];
		const perMessage = parse(options, tombstone());
		const batch = parse({ ...options, output: 'batch' }, tombstone());
		assert.equal((perMessage.items[0].json[PARSE_ERROR_FIELD] as ErrorJson).kind, 'reserved_field');
		assert.equal((perMessage.items[0].json[PARSE_ERROR_FIELD] as ErrorJson).raw, '{"id":7}');
		assert.deepEqual(shapes(batch), shapes(perMessage));
	});

	it('Schema Registry: the decoded record with the field goes to Invalid in both outputs alike', async () => {
		const options = (output: 'message' | 'batch'): MessageParserOptions => ({
			format: 'schemaRegistry',
			includeMetadata: false,
			tombstones: 'skip',
			output,
			kafkaFields: FIELDS,
			schemaRegistry: { decode: async (value: Buffer) => JSON.parse(value.subarray(5).toString('utf8')) as never },
		});
		const encoded = (json: string) => Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from(json)]);
		const run = (output: 'message' | 'batch') => createMessageParser(options(output)).parse(values.map((v, i) => message(i, encoded(v), { headers })), 0, 3, 'orders', 2);
		const perMessage = await run('message');
		const batch = await run('batch');
		assert.equal((perMessage.items[1].json[PARSE_ERROR_FIELD] as ErrorJson).kind, 'reserved_field');
		assert.deepEqual(shapes(batch)[1], perMessage.items[1].json);
		assert.equal(batch.parseErrors, 1);
	});

	it('settings: CSV Column Names or the text field holding an Add Kafka Fields name are refused, naming both', () => {
		assert.throws(
			() => validateKafkaFieldsForFormat(FIELDS, 'csv', ['id', 'tenant']),
			/Add Kafka Fields, entry 1: field "tenant" is also a CSV Column Name: every row would have it twice/,
		);
		assert.throws(() => validateKafkaFieldsForFormat([{ source: 'key', name: 'value' }], 'text', []), /field "value" is the field Message Format Text puts the message in/);
		validateKafkaFieldsForFormat(FIELDS, 'csv', ['id', 'name']);
		validateKafkaFieldsForFormat(FIELDS, 'json', ['tenant']);
	});
});
