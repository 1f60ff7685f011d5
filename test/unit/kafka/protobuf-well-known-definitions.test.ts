/**
 * The definitions of the types a Schema Registry Protobuf schema uses without a reference
 * (protobuf-well-known-definitions.ts): added to a schema parsed as the registry client parses it,
 * once per schema, without replacing a type the registry did supply.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';

import { protobufRow } from '../../../src/kafka/protobuf-well-known';
import { addWellKnownTypes } from '../../../src/kafka/protobuf-well-known-definitions';
import { toJsonSafe } from '../../../src/kafka/schema-registry';

/** What a producer writes for `value`, decoded and made a row as the trigger does. */
function row(root: protobuf.Root, value: Record<string, unknown>, typeName: string): unknown {
	const type = root.lookupType(typeName);
	return toJsonSafe(protobufRow(type.decode(type.encode(type.fromObject(value)).finish())));
}

describe('addWellKnownTypes', () => {
	it('a schema that imports them without registering them decodes; without them protobufjs knows no such type', () => {
		const bare = protobuf.parse('syntax = "proto3"; import "google/protobuf/timestamp.proto"; message M { google.protobuf.Timestamp at = 1; }').root;
		// What every such value met before: the library parses the schema alone.
		assert.throws(() => bare.lookupType('M').decode(Buffer.from([0x0a, 0x02, 0x08, 0x01])), /no such Type or Enum 'google.protobuf.Timestamp'/);
		addWellKnownTypes(bare);
		addWellKnownTypes(bare); // once per root
		// Hand-written bytes: M { at: { seconds: 1, nanos: 2 } } = field 1 LEN [field 1 varint 1, field 2 varint 2].
		assert.deepEqual(toJsonSafe(protobufRow(bare.lookupType('M').decode(Buffer.from([0x0a, 0x04, 0x08, 0x01, 0x10, 0x02])))), { at: '1970-01-01T00:00:01.000000002Z' });
	});

	it('keeps a well-known type the registry supplied as a schema reference and adds only the missing ones', () => {
		const root = protobuf.parse('syntax = "proto3"; package t; message M { google.protobuf.Timestamp at = 1; google.protobuf.StringValue note = 2; }').root;
		// A reference to google/protobuf/timestamp.proto, parsed from its text into the same root as the library does.
		protobuf.parse('syntax = "proto3"; package google.protobuf; message Timestamp { int64 seconds = 1; int32 nanos = 2; }', root);
		const supplied = root.lookup('.google.protobuf.Timestamp');
		addWellKnownTypes(root);
		assert.equal(root.lookup('.google.protobuf.Timestamp'), supplied);
		assert.deepEqual(row(root, { at: { seconds: 86400 }, note: { value: 'x' } }, 't.M'), { at: '1970-01-02T00:00:00Z', note: 'x' });
	});

	it('adds Kafka Connect\'s Decimal, Date and TimeOfDay, which protobufjs does not bundle', () => {
		const root = protobuf.parse('syntax = "proto3"; package t; message M { confluent.type.Decimal amount = 1; google.type.Date day = 2; google.type.TimeOfDay at = 3; }').root;
		addWellKnownTypes(root);
		for (const name of ['.confluent.type.Decimal', '.google.type.Date', '.google.type.TimeOfDay']) assert.ok(root.lookup(name), name);
		assert.deepEqual(row(root, { day: { year: 2024, month: 5, day: 1 } }, 't.M'), { amount: null, day: '2024-05-01', at: null });
	});
});
