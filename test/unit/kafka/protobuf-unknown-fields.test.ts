import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import protobuf from 'protobufjs';

import { decodeProtobufValue, type ProtobufType } from '../../../src/kafka/protobuf-indexes';
import { unknownProtobufFields, UnknownProtobufFieldsError } from '../../../src/kafka/protobuf-unknown-fields';
import { addWellKnownTypes } from '../../../src/kafka/protobuf-well-known-definitions';

/** The reader's schema (what the schema id names) and the writer's, each parsed as the registry client parses one. */
function types(reader: string, writer: string, name = 't.M'): { reader: protobuf.Type; writer: protobuf.Type } {
	const parse = (text: string) => {
		// `package` after `syntax`, which must come first (protobufjs reads a file without it as proto2).
		const root = protobuf.parse(text.replace(/^(syntax = "proto[23]";)?/, '$1 package t;')).root;
		addWellKnownTypes(root);
		// protobufjs 7 applies a file's features (proto3's packed repeated scalars, proto2's groups) only when the root is resolved.
		root.resolveAll();
		return root.lookupType(name);
	};
	return { reader: parse(reader), writer: parse(writer) };
}

/** `value` written by `writer`, checked against `reader` after it decoded (as decodeProtobufValue does). */
function found(reader: protobuf.Type, bytes: Uint8Array) {
	reader.decode(bytes);
	return unknownProtobufFields(reader, bytes).map(({ number, wireType, at, holder, declared }) => ({ number, wireType, at, holder, ...(declared === undefined ? {} : { declared }) }));
}

const PROTO3 = 'syntax = "proto3";';

describe('Protobuf fields a message type does not declare', () => {
	it('a value written with the schema itself has none: scalars, packed and unpacked repeated, enums, oneofs, maps, nested and well-known types', () => {
		const schema = [
			PROTO3,
			'import "google/protobuf/timestamp.proto";',
			'import "google/protobuf/struct.proto";',
			'import "google/protobuf/wrappers.proto";',
			'message M {',
			'  int64 id = 1; sint32 delta = 2; fixed64 f64 = 3; sfixed32 s32 = 4; double d = 5; float f = 6; bool b = 7; string s = 8; bytes raw = 9;',
			'  repeated int32 packed = 10; repeated int32 expanded = 11 [packed = false]; repeated string names = 12;',
			'  Kind kind = 13; repeated Kind kinds = 14;',
			'  oneof choice { string text = 15; Inner inner = 16; }',
			'  map<string, Inner> by_name = 17; map<int64, int32> counts = 18; map<bool, Kind> flags = 19;',
			'  repeated Inner lines = 20;',
			'  google.protobuf.Timestamp at = 21; google.protobuf.Struct attrs = 22; google.protobuf.Int64Value big = 23;',
			'  message Inner { string city = 1; repeated double xs = 2; Inner next = 3; }',
			'  enum Kind { NONE = 0; ONE = 1; TWO = 2; }',
			'}',
		].join('\n');
		const { reader, writer } = types(schema, schema);
		const value = writer.fromObject({
			id: '9007199254740993', delta: -3, f64: '18446744073709551615', s32: -7, d: 1.5, f: 2.5, b: true, s: 'é', raw: Buffer.from([1, 2]),
			packed: [1, 2, 300], expanded: [4, 5], names: ['a', 'b'], kind: 'TWO', kinds: ['ONE', 'TWO'],
			inner: { city: 'Lyon', xs: [1.5, 2.5], next: { city: 'Nice' } },
			byName: { a: { city: 'x' }, b: {} }, counts: { '-5': 6, '7': 8 }, flags: { true: 'ONE' },
			lines: [{ city: 'p' }, { city: 'q', next: { xs: [3] } }],
			at: { seconds: 1, nanos: 2 }, attrs: { fields: { k: { listValue: { values: [{ numberValue: 1 }, { structValue: { fields: {} } }] } } } }, big: { value: 3 },
		});
		assert.deepEqual(found(reader, writer.encode(value).finish()), []);
		// protobufjs writes repeated scalars packed in proto3; a proto2 writer writes them one by one: both are the field's.
		const proto2 = types('syntax = "proto2"; message M { repeated int32 xs = 1; repeated Kind ks = 2; enum Kind { A = 0; B = 1; } }', 'syntax = "proto2"; message M { repeated int32 xs = 1 [packed = true]; repeated Kind ks = 2 [packed = true]; enum Kind { A = 0; B = 1; } }');
		assert.deepEqual(found(proto2.reader, proto2.writer.encode({ xs: [1, 2], ks: [1, 0] }).finish()), []);
		assert.deepEqual(found(proto2.writer, proto2.reader.encode({ xs: [1, 2], ks: [1, 0] }).finish()), []);
	});

	it('a field number the type does not declare, of each wire type, at the top, with the declared fields around it', () => {
		const { reader, writer } = types(
			`${PROTO3} message M { int32 id = 1; string note = 9; }`,
			`${PROTO3} message M { int32 id = 1; int64 big = 2; fixed64 f64 = 3; string extra = 4; fixed32 f32 = 5; repeated int32 packed = 6; string note = 9; }`,
		);
		const bytes = writer.encode({ id: 1, big: 5, f64: 6, extra: 'x', f32: 7, packed: [1, 2], note: 'n' }).finish();
		assert.deepEqual(found(reader, bytes), [
			{ number: 2, wireType: 0, at: '', holder: '' },
			{ number: 3, wireType: 1, at: '', holder: '' },
			{ number: 4, wireType: 2, at: '', holder: '' },
			{ number: 5, wireType: 5, at: '', holder: '' },
			{ number: 6, wireType: 2, at: '', holder: '' },
		]);
		// The declared fields decode as ever; only the unknown ones were skipped.
		assert.deepEqual(reader.toObject(reader.decode(bytes)), { id: 1, note: 'n' });
	});

	it('in nested messages at any depth: a message field, an element of a repeated one (by index), a map value (by key), a oneof member', () => {
		const inner = (extra: string) => `message Inner { string city = 1; Inner next = 3;${extra} }`;
		const fields = 'Inner one = 1; repeated Inner lines = 2; map<string, Inner> by_name = 3; map<int32, Inner> by_id = 4; oneof choice { Inner picked = 5; string text = 6; }';
		const { reader, writer } = types(`${PROTO3} message M { ${fields} ${inner('')} }`, `${PROTO3} message M { ${fields} ${inner(' int32 zip = 2;')} }`);
		const bytes = writer.encode(writer.fromObject({ one: { next: { next: { zip: 1 } } }, lines: [{ city: 'a' }, { zip: 2 }], byName: { lyon: { zip: 3 } }, byId: { 7: { zip: 4 } }, picked: { zip: 5 } })).finish();
		assert.deepEqual(found(reader, bytes), [
			{ number: 2, wireType: 0, at: 'one.next.next', holder: 't.M.Inner' },
			{ number: 2, wireType: 0, at: 'lines[1]', holder: 't.M.Inner' },
			{ number: 2, wireType: 0, at: 'byName["lyon"]', holder: 't.M.Inner' },
			{ number: 2, wireType: 0, at: 'byId[7]', holder: 't.M.Inner' },
			{ number: 2, wireType: 0, at: 'picked', holder: 't.M.Inner' },
		]);
	});

	it('a oneof member the type does not declare, and a field in a map entry besides its key and value', () => {
		const { reader, writer } = types(`${PROTO3} message M { oneof choice { string text = 1; } }`, `${PROTO3} message M { oneof choice { string text = 1; int32 code = 2; } }`);
		assert.deepEqual(found(reader, writer.encode({ code: 4 }).finish()), [{ number: 2, wireType: 0, at: '', holder: '' }]);
		const map = types(`${PROTO3} message M { map<string, int32> counts = 1; }`, `${PROTO3} message M { map<string, int32> counts = 1; }`);
		// Entry { key "a" (1), value 2 (2), 3: 9 }: protobufjs reads the key and value and skips the 3.
		const entry = Buffer.from([0x0a, 0x01, 0x61, 0x10, 0x02, 0x18, 0x09]);
		const bytes = Buffer.concat([Buffer.from([0x0a, entry.length]), entry]);
		assert.deepEqual(map.reader.toObject(map.reader.decode(bytes)), { counts: { a: 2 } });
		assert.deepEqual(found(map.reader, bytes), [{ number: 3, wireType: 0, at: 'counts', holder: 'an entry of map counts' }]);
	});

	it('proto2 groups: a field inside a group the group does not declare, and a whole group the type does not declare', () => {
		const { reader, writer } = types(
			'syntax = "proto2"; message M { optional int32 id = 1; optional group Part = 2 { optional string name = 1; } }',
			'syntax = "proto2"; message M { optional int32 id = 1; optional group Part = 2 { optional string name = 1; optional int32 size = 2; } optional group Extra = 3 { optional int32 a = 1; } }',
		);
		const bytes = writer.encode(writer.fromObject({ id: 1, part: { name: 'x', size: 4 }, extra: { a: 5 } })).finish();
		assert.deepEqual(found(reader, bytes), [
			{ number: 2, wireType: 0, at: 'part', holder: 't.M.Part' },
			{ number: 3, wireType: 3, at: '', holder: '' },
		]);
		assert.deepEqual(found(reader, writer.encode(writer.fromObject({ id: 1, part: { name: 'x' } })).finish()), []);
	});

	it('a declared number with a wire type its field cannot have is unknown too (protobufjs would misread it as the declared type)', () => {
		const { reader, writer } = types(`${PROTO3} message M { int32 qty = 2; }`, `${PROTO3} message M { fixed32 qty = 2; }`);
		// 72197 is the bytes 05 1a 01 00: protobufjs reads the first as the int32 5, the next three as a field 3 it skips.
		const bytes = writer.encode({ qty: 72197 }).finish();
		assert.deepEqual(reader.toObject(reader.decode(bytes)), { qty: 5 });
		assert.deepEqual(found(reader, bytes), [{ number: 2, wireType: 5, at: '', holder: '', declared: 'qty as int32' }]);
	});

	it('the error names the schema id, the message type, each field with its wire type and where it is, and the rule; more than ten are counted', () => {
		const { reader, writer } = types(`${PROTO3} message M { int32 id = 1; }`, `${PROTO3} message M { int32 id = 1; ${Array.from({ length: 12 }, (_, i) => `int32 f${i + 2} = ${i + 2};`).join(' ')} }`);
		const all = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i + 2}`, 1]));
		const error = (() => {
			try {
				decodeProtobufValue(reader as unknown as ProtobufType, writer.encode(all).finish());
			} catch (caught) {
				return caught as UnknownProtobufFieldsError;
			}
			assert.fail('decoded');
		})();
		assert.ok(error instanceof UnknownProtobufFieldsError);
		assert.deepEqual(error.found.map((f) => f.number), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
		assert.equal(
			error.withSchemaId(12).message,
			'schema id 12, message type t.M: the value has field 2 (wire type 0, varint), field 3 (wire type 0, varint), field 4 (wire type 0, varint), field 5 (wire type 0, varint), ' +
				'field 6 (wire type 0, varint), field 7 (wire type 0, varint), field 8 (wire type 0, varint), field 9 (wire type 0, varint), field 10 (wire type 0, varint), ' +
				'field 11 (wire type 0, varint) and 2 more, which the schema does not declare. It was written with another schema than the one its schema id names ' +
				'(a producer that embeds a stale schema id, or a registry that holds another schema under that id). Decoded under this schema, those values would be ' +
				"dropped without a word, as protobufjs and Confluent's ProtobufConverter drop unknown fields; the message is refused instead (rule: no silent loss). " +
				'Register the schema the producer writes with, and replay the message from the dead letters',
		);
	});
});
