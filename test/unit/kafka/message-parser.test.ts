import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD } from '../../../src/common/item-contract';
import { SchemaRegistryUnavailableError } from '../../../src/kafka/schema-registry-errors';
import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../../src/kafka/message-parser';
import { message, parse } from './message-support';

describe('message parser: JSON', () => {
	it('one item per message, in order, with exact big integers', () => {
		const chunk = parse({}, [message(0, '{"id":1}'), message(1, '{"id":12345678901234567890}')]);
		assert.deepEqual(chunk.items.map((i) => i.json), [{ id: 1 }, { id: '12345678901234567890' }]);
		assert.equal(chunk.parseErrors, 0);
	});

	it('malformed JSON, a non-object and binary become error items with the raw value, counted', () => {
		const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
		const chunk = parse({}, [message(7, '{"id":'), message(8, '[1,2]'), message(9, binary), message(10, '{"ok":true}')]);
		assert.equal(chunk.items.length, 4);
		assert.equal(chunk.parseErrors, 3);
		const [bad, array, bin, ok] = chunk.items.map((i) => i.json);
		assert.deepEqual({ ...(bad[PARSE_ERROR_FIELD] as object), message: 'x' }, { kind: 'json', message: 'x', raw: '{"id":', rawEncoding: 'utf8' });
		assert.equal((array[PARSE_ERROR_FIELD] as { kind: string }).kind, 'not_object');
		assert.deepEqual(bin[PARSE_ERROR_FIELD], { kind: 'json', message: 'value is not valid UTF-8 text', raw: binary.toString('base64'), rawEncoding: 'base64' });
		// Error items always carry where they came from, even without the metadata option.
		assert.deepEqual((bad[KAFKA_METADATA_FIELD] as { offset: string; topic: string; partition: number }).offset, '7');
		assert.equal(ok[KAFKA_METADATA_FIELD], undefined);
	});

	it('a value that starts with a UTF-8 byte-order mark is its object, as Doris\' JSON reader skips the mark', () => {
		const chunk = parse({}, [message(0, '\uFEFF{"id":1}'), message(1, Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))]);
		assert.deepEqual(chunk.items.map((i) => i.json), [{ id: 1 }, {}]);
		assert.equal(chunk.parseErrors, 0);
	});

	it('tombstones are skipped and counted, or emitted as tombstone items', () => {
		const skipped = parse({}, [message(0, null), message(1, '{"a":1}')]);
		assert.equal(skipped.items.length, 1);
		assert.equal(skipped.tombstonesSkipped, 1);
		const emitted = parse({ tombstones: 'emit' }, [message(0, null)]);
		assert.equal(emitted.items.length, 1);
		assert.equal((emitted.items[0].json[PARSE_ERROR_FIELD] as { kind: string }).kind, 'tombstone');
		assert.equal(emitted.parseErrors, 0, 'a tombstone is not a parse error');
	});

	it('metadata: topic, partition, offset, key, timestamp and headers as text', () => {
		const chunk = parse({ includeMetadata: true }, [
			message(42, '{"a":1}', { headers: { trace: Buffer.from('abc'), multi: [Buffer.from('x'), 'y'], none: undefined } }),
			message(43, '{"a":2}', { key: null }),
		]);
		assert.deepEqual(chunk.items[0].json[KAFKA_METADATA_FIELD], {
			topic: 'orders',
			partition: 2,
			offset: '42',
			key: 'k42',
			timestamp: '1700000000000',
			headers: { trace: 'abc', multi: 'x,y' },
		});
		assert.equal((chunk.items[1].json[KAFKA_METADATA_FIELD] as { key: null }).key, null);
	});

	it('parses only the requested range', () => {
		const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip' });
		const messages = [message(0, '{"i":0}'), message(1, '{"i":1}'), message(2, '{"i":2}')];
		const chunk = parser.parse(messages, 1, 2, 't', 0) as ParsedChunk;
		assert.deepEqual(chunk.items.map((i) => i.json), [{ i: 1 }]);
	});
});

describe('message parser: text', () => {
	it('puts the UTF-8 text under `value`; binary is an error item', () => {
		const chunk = parse({ format: 'text' }, [message(0, 'hello, world'), message(1, Buffer.from([0xc3, 0x28]))]);
		assert.deepEqual(chunk.items[0].json, { value: 'hello, world' });
		assert.equal((chunk.items[1].json[PARSE_ERROR_FIELD] as { rawEncoding: string }).rawEncoding, 'base64');
		assert.equal(chunk.parseErrors, 1);
	});
});

describe('message parser: Schema Registry (decoder boundary)', () => {
	it('decoded records become items; decode failures become schema_registry error items', async () => {
		const parser = createMessageParser({
			format: 'schemaRegistry',
			includeMetadata: false,
			tombstones: 'skip',
			schemaRegistry: {
				decode: async (value) => {
					if (value[0] !== 0) throw new Error('Message encoded with magic byte 123, expected 0');
					return { id: value[1] };
				},
			},
		});
		const chunk = await parser.parse([message(0, Buffer.from([0, 5])), message(1, '{"plain":1}'), message(2, null)], 0, 3, 't', 0);
		assert.deepEqual(chunk.items[0].json, { id: 5 });
		assert.deepEqual(chunk.items[1].json[PARSE_ERROR_FIELD], { kind: 'schema_registry', message: 'Message encoded with magic byte 123, expected 0', raw: '{"plain":1}', rawEncoding: 'utf8' });
		assert.equal(chunk.items.length, 2);
		assert.equal(chunk.parseErrors, 1);
		assert.equal(chunk.tombstonesSkipped, 1);
	});

	it('a registry that cannot be asked fails the whole chunk instead of making error items', async () => {
		const parser = createMessageParser({
			format: 'schemaRegistry',
			includeMetadata: false,
			tombstones: 'skip',
			schemaRegistry: {
				decode: async (value) => {
					if (value[1] === 9) throw new SchemaRegistryUnavailableError('Schema Registry http://r did not answer schema id 9: connect ECONNREFUSED');
					return { id: value[1] };
				},
			},
		});
		await assert.rejects(async () => await parser.parse([message(0, Buffer.from([0, 5])), message(1, Buffer.from([0, 9]))], 0, 2, 't', 0), SchemaRegistryUnavailableError);
	});

	it('a key in the wire format is decoded only for Add Kafka Fields; a registry that cannot be asked for it fails the chunk', async () => {
		const asked: number[] = [];
		const options = {
			format: 'schemaRegistry',
			includeMetadata: false,
			tombstones: 'skip',
			schemaRegistry: {
				decode: async (bytes: Buffer) => {
					asked.push(bytes[4]);
					if (bytes[4] === 9) throw new SchemaRegistryUnavailableError('Schema Registry http://r could not be reached for schema id 9');
					return { id: bytes[4] };
				},
			},
		} as const;
		const wire = (id: number) => Buffer.from([0, 0, 0, 0, id]);
		const keyed = [message(0, wire(1), { key: wire(2) })];
		assert.deepEqual((await createMessageParser(options).parse(keyed, 0, 1, 't', 0)).items[0].json, { id: 1 });
		assert.deepEqual(asked, [1], 'without Add Kafka Fields the key is not decoded');
		const withKey = createMessageParser({ ...options, kafkaFields: [{ source: 'key', name: 'k' }] });
		assert.deepEqual((await withKey.parse(keyed, 0, 1, 't', 0)).items[0].json, { id: 1, k: { id: 2 }, _doris: { kafkaFields: ['k'] } });
		await assert.rejects(async () => await withKey.parse([message(0, wire(1), { key: wire(9) })], 0, 1, 't', 0), SchemaRegistryUnavailableError);
	});

	it('a binary key with schema id 0 in its place (a Kafka LongSerializer key below 2^32) is the key as it is, not a registry lookup', async () => {
		const asked: number[] = [];
		const parser = createMessageParser({
			format: 'schemaRegistry',
			includeMetadata: false,
			tombstones: 'skip',
			kafkaFields: [{ source: 'key', name: 'k' }],
			schemaRegistry: {
				decode: async (bytes: Buffer) => {
					asked.push(bytes.readInt32BE(1));
					if (bytes.readInt32BE(1) === 0) throw new Error('Schema Registry http://r has no schema id 0 (40403)');
					return { id: bytes[4] };
				},
			},
		});
		const longKey = Buffer.alloc(8);
		longKey.writeBigInt64BE(42n);
		const { items } = await parser.parse([message(0, Buffer.from([0, 0, 0, 0, 1]), { key: longKey })], 0, 1, 't', 0);
		assert.deepEqual(items[0].json, { id: 1, k: longKey.toString('base64'), _doris: { kafkaFields: ['k'] } }, 'the key as any binary key that is not in the wire format: base64');
		assert.deepEqual(asked, [1], 'the key was not looked up');
	});
});

describe('message parser: an empty value is no tombstone', () => {
	/** What each output makes of one message: the item json, or the packed line parsed. */
	function both(options: Partial<MessageParserOptions>, value: string): { message: unknown; batch: unknown } {
		const one = parse(options, [message(5, value)]);
		const packed = parse({ ...options, output: 'batch' }, [message(5, value)]);
		assert.equal(one.tombstonesSkipped + packed.tombstonesSkipped, 0);
		assert.equal(one.items.length, 1);
		assert.equal(packed.items.length, 1);
		const rows = packed.items[0].json[PACKED_ROWS_FIELD] as { jsonLines: string } | undefined;
		return { message: one.items[0].json, batch: rows === undefined ? packed.items[0].json : JSON.parse(rows.jsonLines) };
	}

	it('JSON: an error item that says so, in both outputs', () => {
		const { message: item, batch } = both({}, '');
		assert.equal(((item as Record<string, unknown>)[PARSE_ERROR_FIELD] as { kind: string }).kind, 'json');
		assert.deepEqual(batch, item);
	});

	it('text: an empty value; CSV with one column: one empty field (NULL with Empty Field Is NULL); the same in both outputs', () => {
		assert.deepEqual(both({ format: 'text' }, ''), { message: { value: '' }, batch: { value: '' } });
		const csv = { format: 'csv' as const, delimited: { columns: ['note'], separator: ',', quote: '"', emptyAsNull: false } };
		assert.deepEqual(both(csv, ''), { message: { note: '' }, batch: { note: '' } });
		assert.deepEqual(both({ ...csv, delimited: { ...csv.delimited, emptyAsNull: true } }, ''), { message: { note: null }, batch: { note: null } });
	});
});
