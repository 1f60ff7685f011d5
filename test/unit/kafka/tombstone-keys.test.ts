/**
 * Tombstones "Delete the Row of Its Key": a tombstone becomes the row of its key's fields with Doris'
 * delete sign, per message and packed, for JSON keys, Kafka Connect envelopes and Schema Registry keys;
 * a key that names no row is an error item in its place, never dropped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN, KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD } from '../../../src/common/item-contract';
import type { JsonObject, JsonValue } from '../../../src/common/exact-json';
import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../../src/kafka/message-parser';
import type { SchemaRegistryDecoder } from '../../../src/kafka/schema-registry';
import { SchemaRegistryUnavailableError } from '../../../src/kafka/schema-registry-errors';
import { message, parse } from './message-support';

const key = (text: string): { key: Buffer } => ({ key: Buffer.from(text) });

function packedLines(chunk: ParsedChunk, index: number): string[] {
	const rows = chunk.items[index].json[PACKED_ROWS_FIELD] as { jsonLines: string } | undefined;
	assert.ok(rows, `item ${index} is a packed item`);
	return rows.jsonLines.split('\n').filter((line) => line !== '');
}

function parseError(chunk: ParsedChunk, index: number): JsonObject {
	const error = chunk.items[index].json[PARSE_ERROR_FIELD] as JsonObject | undefined;
	assert.ok(error, `item ${index} carries _parseError`);
	return error;
}

describe('tombstones "Delete the Row of Its Key": JSON keys', () => {
	const messages = [
		message(0, '{"id":1,"name":"a"}', key('{"id":1}')),
		message(1, null, key('{"id":1}')),
		message(2, null, key('{"schema":{"type":"struct","fields":[{"field":"id","type":"int64"},{"field":"day","type":"int32","name":"io.debezium.time.Date"}]},"payload":{"id":2,"day":19844}}')),
		message(3, null, key('{"id":12345678901234567890}')),
		message(4, '{"id":5,"name":"e"}', key('{"id":5}')),
	];

	it('one item per message: the key fields with the sign 1, in offset order; a Connect envelope key is its payload, logical types decoded', () => {
		const chunk = parse({ tombstones: 'delete' }, messages);
		assert.deepEqual(
			chunk.items.map((i) => i.json),
			[
				{ id: 1, name: 'a' },
				{ id: 1, [DELETE_SIGN_COLUMN]: 1 },
				{ id: 2, day: '2024-05-01', [DELETE_SIGN_COLUMN]: 1 },
				{ id: '12345678901234567890', [DELETE_SIGN_COLUMN]: 1 },
				{ id: 5, name: 'e' },
			],
		);
		assert.equal(chunk.tombstonesSkipped, 0);
		assert.equal(chunk.parseErrors, 0);
	});

	it('One Item per Batch: the delete rows are lines in their place, in one packed item', () => {
		const chunk = parse({ tombstones: 'delete', output: 'batch' }, messages);
		assert.equal(chunk.items.length, 1);
		assert.deepEqual(
			packedLines(chunk, 0).map((line) => JSON.parse(line) as unknown),
			[
				{ id: 1, name: 'a' },
				{ id: 1, [DELETE_SIGN_COLUMN]: 1 },
				{ id: 2, day: '2024-05-01', [DELETE_SIGN_COLUMN]: 1 },
				{ id: '12345678901234567890', [DELETE_SIGN_COLUMN]: 1 },
				{ id: 5, name: 'e' },
			],
		);
	});

	it('Include Metadata and Add Kafka Fields apply to the delete row as to any row', () => {
		const chunk = parse({ tombstones: 'delete', includeMetadata: true, kafkaFields: [{ source: 'offset', name: 'kafka_offset' }] }, [message(7, null, key('{"id":3}'))]);
		const json = chunk.items[0].json;
		assert.equal(json.id, 3);
		assert.equal(json[DELETE_SIGN_COLUMN], 1);
		assert.equal(json.kafka_offset, '7');
		assert.equal((json[KAFKA_METADATA_FIELD] as JsonObject).offset, '7');
	});

	for (const output of ['message', 'batch'] as const) {
		it(`a key that names no row is an error item in its place, counted (${output})`, () => {
			const cases: Array<[Buffer | null, RegExp]> = [
				[null, /its key is null/],
				[Buffer.from('"user-1"'), /its key \(JSON\) is a string, not an object naming the key columns/],
				[Buffer.from('user-1'), /its key is not JSON/],
				[Buffer.from([0xff, 0xfe]), /not valid UTF-8/],
				[Buffer.from('{}'), /has no field to name a row by/],
				[Buffer.from('[1]'), /is an array/],
				[Buffer.from('{"schema":{"type":"struct","fields":[{"field":"day","type":"int32","name":"io.debezium.time.Date"}]},"payload":{"day":"x"}}'), /does not fit its Kafka Connect schema/],
			];
			const messages = [message(0, '{"id":1}'), ...cases.map(([k], i) => message(i + 1, null, { key: k }))];
			const chunk = parse({ tombstones: 'delete', output }, messages);
			assert.equal(chunk.parseErrors, cases.length);
			const errors = chunk.items.filter((i) => i.json[PARSE_ERROR_FIELD] !== undefined);
			assert.equal(errors.length, cases.length);
			cases.forEach(([k, reason], i) => {
				const error = errors[i].json[PARSE_ERROR_FIELD] as JsonObject;
				assert.equal(error.kind, 'tombstone');
				assert.match(String(error.message), reason);
				assert.match(String(error.message), /^a tombstone \(null value\) deletes the row of its key, but/);
				assert.equal(error.raw, k === null ? null : k.toString(k[0] === 0xff ? 'base64' : 'utf8'));
				// Error items always say where they came from.
				assert.equal((errors[i].json[KAFKA_METADATA_FIELD] as JsonObject).offset, String(i + 1));
			});
		});
	}

	it('Text and CSV formats are refused with Delete the Row of Its Key, naming the format', () => {
		assert.throws(() => createMessageParser({ format: 'text', includeMetadata: false, tombstones: 'delete' }), /needs Message Format JSON or Schema Registry .* not "text"/);
	});

	it('Skip and Emit are as before', () => {
		assert.equal(parse({ tombstones: 'skip' }, messages).tombstonesSkipped, 3);
		assert.equal((parse({ tombstones: 'emit' }, messages).items[1].json[PARSE_ERROR_FIELD] as JsonObject).kind, 'tombstone');
	});
});

// A plain key (one value) names no column: Confluent's JDBC sink takes it with pk.mode=record_key and
// pk.fields; here Tombstone Key Column for Plain Keys. Without it such a tombstone went to Invalid, and
// with keys like 42 or a StringSerializer's user-42 no tombstone deleted anything.
describe('tombstones "Delete the Row of Its Key": Tombstone Key Column for Plain Keys', () => {
	const plain = [
		message(0, null, key('42')),
		message(1, null, key('"abc"')),
		message(2, null, key('user-42')),
		message(3, null, key('1.50')),
		message(4, null, key('12345678901234567890')),
		message(5, null, key('{"schema":{"type":"int64","optional":false},"payload":7}')),
		message(6, null, key('{"id":8}')),
		message(7, null, key('true')),
	];
	const rows = [
		{ id: '42', [DELETE_SIGN_COLUMN]: 1 },
		{ id: 'abc', [DELETE_SIGN_COLUMN]: 1 },
		{ id: 'user-42', [DELETE_SIGN_COLUMN]: 1 },
		// The key's own text: a string column's "1.50" is not the row of "1.5".
		{ id: '1.50', [DELETE_SIGN_COLUMN]: 1 },
		{ id: '12345678901234567890', [DELETE_SIGN_COLUMN]: 1 },
		{ id: 7, [DELETE_SIGN_COLUMN]: 1 },
		{ id: 8, [DELETE_SIGN_COLUMN]: 1 },
		{ id: true, [DELETE_SIGN_COLUMN]: 1 },
	];

	for (const output of ['message', 'batch'] as const) {
		it(`a plain key becomes {column: key} with the sign 1; an object key names its own columns (${output})`, () => {
			const chunk = parse({ tombstones: 'delete', tombstoneKeyColumn: ' id ', output }, plain);
			assert.equal(chunk.parseErrors, 0);
			const json = output === 'batch' ? packedLines(chunk, 0).map((line) => JSON.parse(line) as unknown) : chunk.items.map((i) => i.json);
			assert.deepEqual(json, rows);
		});
	}

	it('without it a plain key is an error item saying which setting names its column, as before', () => {
		const chunk = parse({ tombstones: 'delete' }, plain.slice(0, 2));
		assert.equal(chunk.parseErrors, 2);
		assert.match(String(parseError(chunk, 0).message), /its key \(JSON\) is a number, not an object naming the key columns; set Tombstone Key Column for Plain Keys/);
	});

	it('a key that still names no row stays an error item: null, an array, JSON cut short, empty, not UTF-8', () => {
		const cases: Array<[Buffer | null, RegExp]> = [
			[null, /its key is null/],
			[Buffer.from('null'), /its key \(JSON\) is null/],
			[Buffer.from('[1]'), /is an array/],
			[Buffer.from('{"id":1'), /its key is not JSON/],
			[Buffer.from(''), /its key is not JSON/],
			[Buffer.from([0xff, 0xfe]), /not valid UTF-8/],
			// LongSerializer's 42: valid UTF-8 of control characters, which matched no text key (a VARCHAR
			// key's row stayed, silently) and was refused by a number column only.
			[Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x2a]), /its key holds control characters/],
		];
		const chunk = parse({ tombstones: 'delete', tombstoneKeyColumn: 'id' }, cases.map(([k], i) => message(i, null, { key: k })));
		assert.equal(chunk.parseErrors, cases.length);
		cases.forEach(([, reason], i) => assert.match(String(parseError(chunk, i).message), reason));
	});

	it('a registry\'s plain key (an Avro string key) takes the column too', async () => {
		const chunk = await createMessageParser({ format: 'schemaRegistry', includeMetadata: false, tombstones: 'delete', schemaRegistry: registry, tombstoneKeyColumn: 'code' }).parse(
			[message(0, null, { key: wire(4) })],
			0,
			1,
			't',
			0,
		);
		assert.deepEqual(chunk.items[0].json, { code: 'user-1', [DELETE_SIGN_COLUMN]: 1 });
	});

	it('a bad setting is refused naming the setting, the value and the rule', () => {
		const refused: Array<[Partial<MessageParserOptions>, RegExp]> = [
			[{ tombstones: 'skip', tombstoneKeyColumn: 'id' }, /^Error: Tombstone Key Column for Plain Keys "id": .*applies only with Tombstones "Delete the Row of Its Key" \(Tombstones is "skip"\)/],
			[{ tombstones: 'delete', tombstoneKeyColumn: '__DORIS_DELETE_SIGN__' }, /"__DORIS_DELETE_SIGN__": .*read as the item's own, never a column/],
			[{ tombstones: 'delete', tombstoneKeyColumn: '_kafka' }, /"_kafka": .*never a column/],
			[{ tombstones: 'delete', tombstoneKeyColumn: 'payload.id' }, /"payload\.id": a dot would be read as a path/],
			[{ tombstones: 'delete', tombstoneKeyColumn: 'i\nd' }, /control character/],
		];
		for (const [o, reason] of refused) assert.throws(() => parse(o, []), (e: Error) => reason.test(String(e)));
		// Empty (or blank) is off: as before.
		assert.equal(parse({ tombstones: 'emit', tombstoneKeyColumn: '  ' }, plain).items.length, plain.length);
	});
});

/** A registry key in the wire format: magic byte, schema id, then a byte naming the fake record. */
function wire(schemaId: number, body = 0): Buffer {
	const bytes = Buffer.alloc(6);
	bytes.writeInt32BE(schemaId, 1);
	bytes[5] = body;
	return bytes;
}

/**
 * Schema ids as the fake registry decodes them: 1 an Avro key record, 2 a Protobuf key message (a
 * 64-bit id as text), 3 a JSON Schema key, 4 an Avro string key, 5 bytes that do not fit, 9 a registry
 * that cannot be asked.
 */
const registry: SchemaRegistryDecoder = {
	decode: async (bytes): Promise<JsonValue> => {
		await Promise.resolve();
		const id = bytes.readInt32BE(1);
		if (id === 9) throw new SchemaRegistryUnavailableError('Schema Registry http://r did not answer schema id 9: connect ECONNREFUSED');
		if (id === 1) return { id: bytes[5] };
		if (id === 2) return { tenant: 't', id: '9007199254740993' };
		if (id === 3) return { code: 'X-1' };
		if (id === 4) return 'user-1';
		if (id === 5) throw new Error('truncated buffer');
		return { value: bytes[5] };
	},
};

describe('tombstones "Delete the Row of Its Key": Schema Registry keys', () => {
	const options: MessageParserOptions = { format: 'schemaRegistry', includeMetadata: false, tombstones: 'delete', schemaRegistry: registry };
	const messages = [
		message(0, wire(100, 1), { key: wire(1, 1) }),
		message(1, null, { key: wire(1, 1) }),
		message(2, null, { key: wire(2) }),
		message(3, null, { key: wire(3) }),
		message(4, null, { key: wire(4) }),
		message(5, null, { key: wire(5) }),
		message(6, null, { key: Buffer.from('{"id":1}') }),
		message(7, null, { key: null }),
		message(8, wire(100, 8), { key: wire(1, 8) }),
	];
	const rows = [
		{ value: 1 },
		{ id: 1, [DELETE_SIGN_COLUMN]: 1 },
		{ tenant: 't', id: '9007199254740993', [DELETE_SIGN_COLUMN]: 1 },
		{ code: 'X-1', [DELETE_SIGN_COLUMN]: 1 },
	];
	const reasons = [/its key \(schema id 4\) is a string, not an object/, /its key \(schema id 5\) could not be decoded: truncated buffer/, /not in the Schema Registry's wire format/, /its key is null/];

	it('one item per message: Avro, Protobuf and JSON Schema keys by the id in their own header; keys that name no row are error items in place', async () => {
		const chunk = await createMessageParser(options).parse(messages, 0, messages.length, 't', 0);
		assert.deepEqual(chunk.items.slice(0, 4).map((i) => i.json), rows);
		reasons.forEach((reason, i) => assert.match(String(parseError(chunk, 4 + i).message), reason));
		assert.deepEqual(chunk.items[8].json, { value: 8 });
		assert.equal(chunk.parseErrors, 4);
	});

	it('One Item per Batch: the delete rows are packed lines; each error item ends the packed item before it', async () => {
		const chunk = await createMessageParser({ ...options, output: 'batch' }).parse(messages, 0, messages.length, 't', 0);
		assert.equal(chunk.items.length, 6);
		assert.deepEqual(packedLines(chunk, 0).map((line) => JSON.parse(line) as unknown), rows);
		reasons.forEach((reason, i) => assert.match(String(parseError(chunk, 1 + i).message), reason));
		assert.deepEqual(packedLines(chunk, 5).map((line) => JSON.parse(line) as unknown), [{ value: 8 }]);
	});

	it('a registry that cannot be asked for a tombstone key fails the whole chunk (the partition is held), as for a value', async () => {
		await assert.rejects(async () => await createMessageParser(options).parse([message(0, null, { key: wire(9) })], 0, 1, 't', 0), SchemaRegistryUnavailableError);
	});

	it('Add Kafka Fields takes the key decoded', async () => {
		const chunk = await createMessageParser({ ...options, kafkaFields: [{ source: 'key', name: 'kafka_key' }] }).parse([message(0, null, { key: wire(1, 4) })], 0, 1, 't', 0);
		assert.deepEqual(chunk.items[0].json, { kafka_key: { id: 4 }, id: 4, [DELETE_SIGN_COLUMN]: 1, _doris: { kafkaFields: ['kafka_key'] } });
	});
});
