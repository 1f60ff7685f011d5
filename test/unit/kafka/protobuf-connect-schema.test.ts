import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import protobuf from 'protobufjs';

import { connectSchemaOfProtobuf } from '../../../src/kafka/protobuf-connect-schema';
import { addWellKnownTypes } from '../../../src/kafka/protobuf-well-known-definitions';

function fieldTypes(proto: string, type: string): Record<string, string> {
	const root = protobuf.parse(proto).root;
	addWellKnownTypes(root);
	const schema = connectSchemaOfProtobuf(root.lookupType(type));
	const out: Record<string, string> = {};
	for (const field of schema.fields as Array<Record<string, unknown>>) out[String(field.field)] = [field.type ?? '-', field.name].filter((x) => x !== undefined).join(' ');
	return out;
}

describe('the Connect schema of a Protobuf message type (Create Missing Tables column types)', () => {
	it('scalars as ProtobufConverter maps them, uint64 untyped, enums by name, repeated, maps, nested messages, well-known types as their rows', () => {
		const proto = [
			'syntax = "proto3";',
			'package t;',
			'import "google/protobuf/timestamp.proto";',
			'import "google/protobuf/wrappers.proto";',
			'import "google/protobuf/struct.proto";',
			'message Row {',
			'  double price = 1; float weight = 2; int32 qty = 3; uint32 small = 4; sint64 big = 5; uint64 huge = 6;',
			'  bool ok = 7; string name = 8; bytes raw = 9; Kind kind = 10; repeated int64 ids = 11; map<string, string> tags = 12;',
			'  Address ship_to = 13; google.protobuf.Timestamp placed_at = 14; google.protobuf.DoubleValue discount = 15; google.protobuf.Struct doc = 16;',
			'  Row parent = 17;',
			'  enum Kind { A = 0; }',
			'  message Address { string city = 1; }',
			'}',
		].join('\n');
		assert.deepEqual(fieldTypes(proto, 't.Row'), {
			price: 'float64',
			weight: 'float32',
			qty: 'int32',
			small: 'int64',
			big: 'int64',
			huge: '-',
			ok: 'boolean',
			name: 'string',
			raw: 'bytes',
			kind: 'string',
			ids: 'array',
			tags: 'map',
			shipTo: 'struct t.Row.Address',
			placedAt: 'int64 io.debezium.time.MicroTimestamp',
			discount: 'float64',
			doc: 'string io.debezium.data.Json',
			parent: 'struct t.Row',
		});
	});
});
