import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseJsonExact } from '../../../src/common/exact-json';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { kafkaFieldValues, spliceKafkaFields, validateKafkaFields, type KafkaField } from '../../../src/kafka/message-fields';
import { message, parse } from './message-support';

const FIELDS: KafkaField[] = [
	{ source: 'key', name: 'event_key' },
	{ source: 'header', header: 'tenant-id', name: 'tenant' },
	{ source: 'headers', name: 'all_headers' },
	{ source: 'topic', name: 'src_topic' },
	{ source: 'partition', name: 'src_partition' },
	{ source: 'offset', name: 'src_offset' },
	{ source: 'timestamp', name: 'produced_at' },
];

const headers = { 'tenant-id': Buffer.from('acme'), trace: [Buffer.from('a'), Buffer.from('b')] };

function lines(chunk: ReturnType<typeof parse>): unknown[] {
	const rows = chunk.items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows;
	return rows.jsonLines.trimEnd().split('\n').map((line) => parseJsonExact(line));
}

describe('Add Kafka Fields', () => {
	it('values: key and headers as text (base64 when binary, null when absent), offset exact, timestamp ISO', () => {
		const values = kafkaFieldValues(FIELDS, message('9007199254740993', '{}', { headers }), 'orders', 2);
		assert.deepEqual(values, {
			event_key: 'k9007199254740993',
			tenant: 'acme',
			all_headers: { 'tenant-id': 'acme', trace: 'a,b' },
			src_topic: 'orders',
			src_partition: 2,
			src_offset: '9007199254740993',
			produced_at: '2023-11-14T22:13:20.000Z',
		});
		const bare = kafkaFieldValues(FIELDS, message(1, '{}', { key: Buffer.from([0xff, 0x00]), headers: undefined }), 'orders', 2);
		assert.equal(bare.event_key, '/wA=');
		assert.equal(bare.tenant, null);
		assert.deepEqual(bare.all_headers, {});
		assert.equal(kafkaFieldValues([{ source: 'key', name: 'k' }], message(1, '{}', { key: null }), 't', 0).k, null);
		// Kafka's LongSerializer writes 42 as 00 00 00 00 00 00 00 2A: valid UTF-8, but control characters,
		// which came out as text "\u0000…*" while 1000 (… 03 E8, not UTF-8) came out as base64. Both base64 now.
		const long = (n: bigint) => {
			const b = Buffer.alloc(8);
			b.writeBigInt64BE(n);
			return b;
		};
		assert.equal(kafkaFieldValues([{ source: 'key', name: 'k' }], message(1, '{}', { key: long(42n) }), 't', 0).k, 'AAAAAAAAACo=');
		assert.equal(kafkaFieldValues([{ source: 'key', name: 'k' }], message(1, '{}', { key: long(1000n) }), 't', 0).k, 'AAAAAAAAA+g=');
		// Tab, line feed and carriage return are text.
		assert.equal(kafkaFieldValues([{ source: 'key', name: 'k' }], message(1, '{}', { key: Buffer.from('a\tb\r\n') }), 't', 0).k, 'a\tb\r\n');
	});

	it('splicing into a JSON line: after the brace, with or without members; not an object → null', () => {
		assert.equal(spliceKafkaFields('{"a":1}', { k: 'x' }), '{"k":"x","a":1}');
		assert.equal(spliceKafkaFields('  { }', { k: 'x' }), '{"k":"x" }');
		assert.equal(spliceKafkaFields('{}', {}), '{}');
		assert.equal(spliceKafkaFields('[1,2]', { k: 'x' }), null);
		assert.equal(spliceKafkaFields('"text"', { k: 'x' }), null);
	});

	it('One Item per Batch, JSON: each line carries the fields; a non-object line stays as it was', () => {
		const chunk = parse({ output: 'batch', kafkaFields: FIELDS.slice(0, 2) }, [message(0, '{"id":1}', { headers }), message(1, '{"id":2}'), message(2, '[1]')]);
		assert.equal(chunk.items.length, 1);
		assert.deepEqual(lines(chunk), [{ event_key: 'k0', tenant: 'acme', id: 1 }, { event_key: 'k1', tenant: null, id: 2 }, [1]]);
	});

	it('One Item per Batch, JSON: only a top-level name counts as the value\'s own (not one nested or inside a string); one at the top level is not spliced', () => {
		const chunk = parse({ output: 'batch', kafkaFields: FIELDS.slice(0, 2) }, [message(1, '{"id":3,"nested":{"tenant":"inner"},"note":"say \\"tenant\\""}', { headers })]);
		const text = (chunk.items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines.split('\n').filter((l) => l !== '');
		assert.deepEqual(text, ['{"event_key":"k1","tenant":"acme","id":3,"nested":{"tenant":"inner"},"note":"say \\"tenant\\""}']);
		assert.deepEqual(spliceKafkaFields('{"id":2,"event_key":"own"}', { event_key: 'k', tenant: 'acme' }), { taken: 'event_key' });
		assert.deepEqual(spliceKafkaFields('{"id":4,"\\u0074enant":"escaped"}', { tenant: 'acme' }), { taken: 'tenant' });
	});

	it('splicing: a value that is not one well-formed JSON object is not spliced (null), whatever it starts with', () => {
		const malformed = [
			'{"id":1,',
			'{"id":1} trailing',
			'{"id":1}}',
			'{"id":1,}',
			'{"a":1 "b":2}',
			'{"a":01}',
			'{"a":"tab\there"}',
			'{"a":"\\x"}',
			'  {"id":',
			'{"event_key":1,',
			' \uFEFF{"id":1}',
		];
		for (const text of malformed) assert.equal(spliceKafkaFields(text, { k: 'x' }), null, JSON.stringify(text));
		assert.equal(spliceKafkaFields(' \t{"a":[1,{"b":null}],"c":-0.5e+3}\n', { k: 'x' }), '{"k":"x","a":[1,{"b":null}],"c":-0.5e+3}\n');
		assert.equal(spliceKafkaFields('{}', { k: 'x' }), '{"k":"x"}');
		// A byte-order mark before the object is dropped with the space (Doris' JSON reader skips it too).
		assert.equal(spliceKafkaFields('\uFEFF{"id":1}', { k: 'x' }), '{"k":"x","id":1}');
		assert.equal(spliceKafkaFields('{"id":1,"id":2}', { k: 'x' }), '{"k":"x","id":1,"id":2}');
		for (const text of ['[1]', '"x"', '5', 'null', '']) assert.equal(spliceKafkaFields(text, { k: 'x' }), null);
	});

	it('One Item per Batch, JSON: a malformed value travels as its own text, as without Add Kafka Fields (the dead letter can be replayed)', () => {
		const values = ['{"id":1,', '{"id":1} trailing', '  {"id":', ' \uFEFF{"id":1}', '{"id":1,}', '[1]', '"x"', '5', '{}', ' {"id":7}', '{"id":1,"id":2}', '\uFEFF{"id":3}'];
		const fields: KafkaField[] = [{ source: 'topic', name: 'src_topic' }, { source: 'offset', name: 'src_offset' }];
		const withFields = parse({ output: 'batch', kafkaFields: fields }, values.map((v, i) => message(i, v)));
		const without = parse({ output: 'batch' }, values.map((v, i) => message(i, v)));
		assert.equal(withFields.items.length, 1);
		assert.equal(withFields.parseErrors, without.parseErrors);
		const text = (chunk: ReturnType<typeof parse>) => (chunk.items[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines.split('\n').slice(0, -1);
		const spliced = text(withFields);
		const plain = text(without);
		assert.deepEqual(plain, values);
		for (let i = 0; i < 8; i++) assert.equal(spliced[i], values[i], `offset ${i}: the message's own text`);
		assert.deepEqual(spliced.slice(8), [
			'{"src_topic":"orders","src_offset":"8"}',
			'{"src_topic":"orders","src_offset":"9","id":7}',
			'{"src_topic":"orders","src_offset":"10","id":1,"id":2}',
			// A byte-order mark before the object: the fields, as per message (parseJsonExact skips it).
			'{"src_topic":"orders","src_offset":"11","id":3}',
		]);
		assert.deepEqual(parseJsonExact(spliced[10]), { src_topic: 'orders', src_offset: '10', id: 2 }, 'the last of two equal keys, as JSON.parse reads the value per message');
	});

	it('One Item per Batch, text: the fields next to the value field', () => {
		const chunk = parse({ output: 'batch', format: 'text', kafkaFields: [{ source: 'key', name: 'event_key' }] }, [message(0, 'line\nwith break')]);
		assert.deepEqual(lines(chunk), [{ event_key: 'k0', value: 'line\nwith break' }]);
	});

	it('One Item per Message: the fields on each decoded item, named in _doris.kafkaFields (not on error items, which carry _kafka)', () => {
		const chunk = parse({ kafkaFields: FIELDS.slice(0, 2) }, [message(0, '{"id":1}', { headers }), message(1, '{"id":')]);
		assert.deepEqual(chunk.items[0].json, { id: 1, event_key: 'k0', tenant: 'acme', _doris: { kafkaFields: ['event_key', 'tenant'] } });
		assert.equal(chunk.items[1].json.event_key, undefined);
		assert.equal(chunk.items[1].json._doris, undefined);
	});

	it('bad entries are named', () => {
		assert.throws(() => validateKafkaFields([{ source: 'key', name: '' }]), /entry 1: the field name is empty/);
		assert.throws(() => validateKafkaFields([{ source: 'key', name: 'a' }, { source: 'offset', name: 'a' }]), /entry 2: field "a" is added twice/);
		assert.throws(() => validateKafkaFields([{ source: 'header', name: 'a' }]), /the header name is empty/);
		assert.throws(() => validateKafkaFields([{ source: 'nope' as never, name: 'a' }]), /source "nope"/);
	});
});

describe('Add Kafka Fields: the Doris nodes\' own names', () => {
	it('refuses a field named as the item contract names its own fields', () => {
		for (const name of ['packedRows', '_doris', '_kafka', '_parseError', '_invalid', '__DORIS_DELETE_SIGN__']) {
			assert.throws(() => validateKafkaFields([{ source: 'topic', name }]), new RegExp(`entry 1: field "${name}" is a name the Doris nodes read as the item's own`));
		}
	});
});
