import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';

import { protobufRow, ProtobufValueError } from '../../../src/kafka/protobuf-well-known';
import { addWellKnownTypes } from '../../../src/kafka/protobuf-well-known-definitions';
import { toJsonSafe } from '../../../src/kafka/schema-registry';

const IMPORTS = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map((f) => `import "google/protobuf/${f}.proto";`);

/** A schema parsed as @kafkajs/confluent-schema-registry parses it (protobuf.parse: imports recorded, not loaded), then completed. */
function schema(...lines: string[]): protobuf.Root {
	const root = protobuf.parse(['syntax = "proto3";', 'package t;', ...IMPORTS, ...lines].join('\n')).root;
	addWellKnownTypes(root);
	return root;
}

/** What a producer writes for `value`, decoded and made a row as the trigger does. */
function row(root: protobuf.Root, value: Record<string, unknown>, typeName = 't.M'): unknown {
	const type = root.lookupType(typeName);
	return toJsonSafe(protobufRow(type.decode(type.encode(type.fromObject(value)).finish())));
}

const long = (n: bigint) => ({ low: Number(BigInt.asIntN(32, n)), high: Number(BigInt.asIntN(32, n >> 32n)), unsigned: false });

describe('Protobuf well-known types', () => {
	it('a float is the decimal Java writes for the single (10.22, as the JSON converter writes a FLOAT32): alone, repeated, in a map, nested, FloatValue', () => {
		const root = schema(
			'message Inner { float f = 1; }',
			'message M { float f = 1; repeated float list = 2; map<string, float> by_key = 3; Inner inner = 4; google.protobuf.FloatValue boxed = 5; double d = 6; float zero = 7; }',
		);
		assert.deepEqual(row(root, { f: 10.22, list: [0.1, 1234567.9], byKey: { a: 123456.79 }, inner: { f: 99.99 }, boxed: { value: 0.3 }, d: 10.220000267028809 }), {
			f: 10.22,
			list: [0.1, 1234567.9],
			byKey: { a: 123456.79 },
			inner: { f: 99.99 },
			boxed: 0.3,
			d: 10.220000267028809,
			zero: 0,
		});
		// A message with a float and no well-known type too.
		assert.deepEqual(row(schema('message M { float f = 1; }'), { f: 10.22 }), { f: 10.22 });
	});
	it('Timestamp: an instant in UTC with the fewest of 0, 3, 6 or 9 fractional digits that keep it, over its whole range', () => {
		const root = schema('message M { google.protobuf.Timestamp at = 1; }');
		const at = (seconds: bigint, nanos = 0) => (row(root, { at: { seconds: long(seconds), nanos } }) as { at: string }).at;
		assert.equal(at(1714557600n), '2024-05-01T10:00:00Z');
		assert.equal(at(1714557600n, 120_000_000), '2024-05-01T10:00:00.120Z');
		assert.equal(at(1714557600n, 123_456_000), '2024-05-01T10:00:00.123456Z');
		assert.equal(at(1714557600n, 123_456_789), '2024-05-01T10:00:00.123456789Z');
		// Before the epoch, nanos still count forward from the (earlier) second.
		assert.equal(at(-1n, 500_000_000), '1969-12-31T23:59:59.500Z');
		assert.equal(at(-62135596800n), '0001-01-01T00:00:00Z');
		assert.equal(at(253402300799n, 999_999_999), '9999-12-31T23:59:59.999999999Z');
		assert.deepEqual(row(root, {}), { at: null }, 'absent');
	});

	it('Timestamp: a value outside its rules is an error naming the field, the value and the rule', () => {
		const root = schema('message M { google.protobuf.Timestamp at = 1; }');
		const refused = (seconds: bigint, nanos: number) => () => row(root, { at: { seconds: long(seconds), nanos } });
		assert.throws(refused(253402300800n, 0), { name: 'ProtobufValueError', message: /^t\.M field "at": google\.protobuf\.Timestamp seconds 253402300800, nanos 0 is not a Timestamp: seconds must be from -62135596800 \(0001-01-01T00:00:00Z\) to 253402300799 \(9999-12-31T23:59:59Z\) and nanos from 0 to 999999999$/ });
		assert.throws(refused(-62135596801n, 0), /seconds -62135596801, nanos 0 is not a Timestamp/);
		assert.throws(refused(0n, -1), /seconds 0, nanos -1 is not a Timestamp/);
		assert.throws(refused(0n, 1_000_000_000), /seconds 0, nanos 1000000000 is not a Timestamp/);
		assert.throws(refused(-(2n ** 63n), 0), /seconds -9223372036854775808/);
	});

	it('Duration: whole microseconds; nanoseconds below a microsecond, out of range or mixed signs refused', () => {
		const root = schema('message M { google.protobuf.Duration took = 1; }');
		const took = (seconds: bigint, nanos = 0) => (row(root, { took: { seconds: long(seconds), nanos } }) as { took: unknown }).took;
		assert.equal(took(0n), 0);
		assert.equal(took(3723n, 500_000_000), 3_723_500_000);
		assert.equal(took(-1n, -500_000_000), -1_500_000);
		assert.equal(took(0n, 2000), 2);
		assert.equal(took(0n, -2000), -2);
		// A count of microseconds cannot hold them: rounded, the row would carry another duration.
		assert.throws(() => took(0n, 1500), /t\.M field "took": google\.protobuf\.Duration seconds 0, nanos 1500 has nanoseconds below a microsecond, which its count of microseconds cannot keep/);
		assert.throws(() => took(0n, -1499), /nanos -1499 has nanoseconds below a microsecond/);
		assert.throws(() => took(0n, 499), /nanos 499 has nanoseconds below a microsecond/);
		// ±10,000 years: beyond 2^53 µs, so exact text as every int64 beyond 2^53.
		assert.equal(took(315576000000n, 999_999_000), '315576000000999999');
		assert.equal(took(-315576000000n), '-315576000000000000');
		assert.throws(() => took(315576000001n), /t\.M field "took": google\.protobuf\.Duration seconds 315576000001, nanos 0 is not a Duration: a Duration's seconds must be within ±315576000000/);
		assert.throws(() => took(1n, -1), /seconds 1, nanos -1 is not a Duration: .*of the same sign as the seconds/);
		assert.throws(() => took(-1n, 1), /seconds -1, nanos 1 is not a Duration/);
		assert.throws(() => took(0n, 1_000_000_000), /nanos 1000000000 is not a Duration/);
	});

	it('wrappers: the wrapped value, zero when set to zero, null when absent; int64 exact, bytes base64', () => {
		const root = schema(
			'message M {',
			'  google.protobuf.DoubleValue d = 1; google.protobuf.FloatValue f = 2; google.protobuf.Int64Value i64 = 3; google.protobuf.UInt64Value u64 = 4;',
			'  google.protobuf.Int32Value i32 = 5; google.protobuf.UInt32Value u32 = 6; google.protobuf.BoolValue b = 7; google.protobuf.StringValue s = 8;',
			'  google.protobuf.BytesValue raw = 9; repeated google.protobuf.StringValue names = 10;',
			'}',
		);
		assert.deepEqual(
			row(root, { d: { value: 2.5 }, f: { value: 0.5 }, i64: { value: long(-(2n ** 62n) - 1n) }, u64: { value: { low: -1, high: -1, unsigned: true } }, i32: { value: -7 }, u32: { value: 4294967295 }, b: { value: true }, s: { value: 'x' }, raw: { value: Buffer.from([1, 2, 3]) }, names: [{ value: 'a' }, {}] }),
			{ d: 2.5, f: 0.5, i64: '-4611686018427387905', u64: '18446744073709551615', i32: -7, u32: 4294967295, b: true, s: 'x', raw: 'AQID', names: ['a', ''] },
		);
		assert.deepEqual(row(root, { d: {}, i64: {}, b: {}, s: {}, raw: {} }), { d: 0, f: null, i64: 0, u64: null, i32: null, u32: null, b: false, s: '', raw: '', names: [] });
	});

	it('Struct, Value and ListValue: JSON; a Value without a kind or with a number JSON cannot hold is refused', () => {
		const root = schema('message M { google.protobuf.Struct attrs = 1; google.protobuf.Value v = 2; google.protobuf.ListValue l = 3; map<string, google.protobuf.Value> byKey = 4; }');
		const attrs = { fields: { n: { numberValue: 1.5 }, s: { stringValue: 'x' }, z: { nullValue: 0 }, b: { boolValue: false }, l: { listValue: { values: [{ numberValue: 1 }, { structValue: { fields: {} } }] } }, o: { structValue: { fields: { deep: { stringValue: 'y' } } } } } };
		assert.deepEqual(row(root, { attrs, v: { stringValue: 'text' }, l: { values: [{ nullValue: 0 }, { boolValue: true }] }, byKey: { k: { numberValue: 3 } } }), {
			attrs: { n: 1.5, s: 'x', z: null, b: false, l: [1, {}], o: { deep: 'y' } },
			v: 'text',
			l: [null, true],
			byKey: { k: 3 },
		});
		assert.deepEqual(row(root, { v: { nullValue: 0 }, attrs: {} }), { attrs: {}, v: null, l: null, byKey: {} });
		assert.throws(() => row(root, { v: {} }), { name: 'ProtobufValueError', message: /^t\.M field "v": google\.protobuf\.Value \{\} has no kind set: a Value must hold one of null, number, string, bool, struct or list$/ });
		assert.throws(() => row(root, { attrs: { fields: { bad: { listValue: { values: [{ numberValue: Number.NaN }] } } } } }), /field "attrs\["bad"\]\[0\]": google\.protobuf\.Value number_value NaN is not a JSON number: a Value's number must be finite/);
		assert.throws(() => row(root, { byKey: { k: { numberValue: Number.POSITIVE_INFINITY } } }), /field "byKey\["k"\]": google\.protobuf\.Value number_value Infinity/);
	});

	it('Any: the packed message by its type URL when the schema declares it, its bytes when not; a well-known type under "value"', () => {
		const root = schema('message M { google.protobuf.Any payload = 1; }', 'message Item { string sku = 1; google.protobuf.Timestamp made = 2; }');
		const item = root.lookupType('t.Item');
		const timestampType = root.lookupType('google.protobuf.Timestamp');
		const itemBytes = item.encode(item.fromObject({ sku: 'a1', made: { seconds: 60 } })).finish();
		assert.deepEqual(row(root, { payload: { type_url: 'type.googleapis.com/t.Item', value: itemBytes } }), { payload: { '@type': 'type.googleapis.com/t.Item', sku: 'a1', made: '1970-01-01T00:01:00Z' } });
		assert.deepEqual(row(root, { payload: { type_url: 'type.googleapis.com/google.protobuf.Timestamp', value: timestampType.encode({ seconds: 1 }).finish() } }), {
			payload: { '@type': 'type.googleapis.com/google.protobuf.Timestamp', value: '1970-01-01T00:00:01Z' },
		});
		assert.deepEqual(row(root, { payload: { type_url: 'example.com/other.Thing', value: Buffer.from([8, 1]) } }), { payload: { '@type': 'example.com/other.Thing', value: 'CAE=' } });
		assert.throws(() => row(root, { payload: { type_url: 'type.googleapis.com/t.Item', value: Buffer.from([0x08, 0x80]) } }), /t\.M field "payload": google\.protobuf\.Any of type "type\.googleapis\.com\/t\.Item" holds 2 bytes that are not a t\.Item/);
	});

	it('FieldMask: paths in lowerCamelCase joined by commas; Empty: {}', () => {
		const root = schema('message M { google.protobuf.FieldMask mask = 1; google.protobuf.Empty nothing = 2; }');
		assert.deepEqual(row(root, { mask: { paths: ['ship_to.city', 'note', 'a_b_c'] }, nothing: {} }), { mask: 'shipTo.city,note,aBC', nothing: {} });
		assert.deepEqual(row(root, {}), { mask: null, nothing: null });
	});

	it('finds them at any depth: repeated, map values, nested and recursive messages', () => {
		const root = schema('message M { repeated google.protobuf.Timestamp seen = 1; map<string, google.protobuf.Duration> waits = 2; Node tree = 3; }', 'message Node { Node child = 1; google.protobuf.Timestamp at = 2; }');
		assert.deepEqual(
			row(root, { seen: [{ seconds: 1 }, {}], waits: { a: { seconds: 2 } }, tree: { at: { seconds: 3 }, child: { child: { at: { seconds: 4 } } } } }),
			{ seen: ['1970-01-01T00:00:01Z', '1970-01-01T00:00:00Z'], waits: { a: 2_000_000 }, tree: { at: '1970-01-01T00:00:03Z', child: { at: null, child: { at: '1970-01-01T00:00:04Z', child: null } } } },
		);
		assert.throws(() => row(root, { tree: { child: { at: { nanos: -5 } } } }), /t\.M field "tree\.child\.at": google\.protobuf\.Timestamp seconds 0, nanos -5/);
	});

	it('Kafka Connect\'s Decimal, Date and Time (confluent.type.Decimal, google.type.Date, google.type.TimeOfDay): exact decimal text, DATE and time text', () => {
		const root = protobuf.parse(
			[
				'syntax = "proto3"; package t;',
				'import "confluent/type/decimal.proto"; import "google/type/date.proto"; import "google/type/timeofday.proto";',
				'message M { confluent.type.Decimal amount = 1; google.type.Date day = 2; google.type.TimeOfDay at = 3; }',
			].join('\n'),
		).root;
		addWellKnownTypes(root);
		// BigInteger.toByteArray of the unscaled value: 123450 = 0x01 0xe2 0x3a; -1 = 0xff; 2^63 needs 9 bytes.
		assert.deepEqual(row(root, { amount: { value: Buffer.from([0x01, 0xe2, 0x3a]), precision: 10, scale: 2 }, day: { year: 2024, month: 2, day: 29 }, at: { hours: 10, minutes: 15, seconds: 30, nanos: 250_000_000 } }), {
			amount: '1234.50',
			day: '2024-02-29',
			at: '10:15:30.250',
		});
		assert.deepEqual(row(root, { amount: { value: Buffer.from([0xff]), scale: 3 }, day: { year: 1, month: 1, day: 1 }, at: { hours: 24 } }), { amount: '-0.001', day: '0001-01-01', at: '24:00:00' });
		assert.deepEqual(row(root, { amount: { value: Buffer.from([0x00, 0x80, 0, 0, 0, 0, 0, 0, 0]) }, at: { nanos: 1 } }), { amount: '9223372036854775808', day: null, at: '00:00:00.000000001' });
		assert.deepEqual(row(root, { amount: {} }), { amount: '0', day: null, at: null });
		assert.throws(() => row(root, { day: { year: 2023, month: 2, day: 29 } }), /t\.M field "day": google\.type\.Date year 2023, month 2, day 29 is not a calendar date: a DATE needs year 1 to 9999, month 1 to 12 and a day of that month/);
		assert.throws(() => row(root, { day: { month: 12, day: 25 } }), /year 0, month 12, day 25 is not a calendar date.*a 0 means the part is missing/);
		assert.throws(() => row(root, { at: { hours: 24, minutes: 1 } }), /t\.M field "at": google\.type\.TimeOfDay hours 24, minutes 1, seconds 0, nanos 0 is not a time of day/);
		assert.throws(() => row(root, { at: { minutes: 60 } }), /minutes 60/);
	});

	it('a message type the schema cannot resolve, absent from the value, does not fail the row (protobufjs decodes it)', () => {
		const root = schema('message M { google.protobuf.Timestamp at = 1; Inner inner = 2; }', 'message Inner { other.Missing gone = 1; }');
		assert.deepEqual(toJsonSafe(protobufRow(root.lookupType('t.M').decode(Buffer.from([0x0a, 0x02, 0x08, 0x01])))), { at: '1970-01-01T00:00:01Z', inner: null });
	});

	it('a message without well-known types is protobufjs\' plain object: zero values present, enums by name', () => {
		const root = schema('message M { int32 qty = 1; E e = 2; optional string note = 3; enum E { A = 0; B = 1; } }');
		assert.deepEqual(row(root, {}), { qty: 0, e: 'A' });
		assert.ok(new ProtobufValueError('x') instanceof Error);
	});
});
