import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import protobuf from 'protobufjs';

import { decodeProtobufValue, messageTypeAt, readMessageIndexes, type ProtobufReflection, type ProtobufType } from '../../../src/kafka/protobuf-indexes';

/** A message type as protobufjs reflects it, with the members it has been given, in declaration order. */
function message(name: string, nested: ProtobufReflection[] = []): ProtobufType {
	const type: ProtobufType = { name, parent: null, nestedArray: nested, fields: {}, decode: () => ({ name }) };
	for (const member of nested) member.parent = type;
	return type;
}

describe('Protobuf message indexes (Confluent wire format)', () => {
	it('reads the zigzag count and path, [0] as the single byte 0', () => {
		assert.deepEqual(readMessageIndexes(Buffer.from([0x00, 0x08, 1])), { indexes: [0], payloadStart: 1 });
		assert.deepEqual(readMessageIndexes(Buffer.from([0x02, 0x02, 0x08])), { indexes: [1], payloadStart: 2 });
		assert.deepEqual(readMessageIndexes(Buffer.from([0x04, 0x02, 0x00])), { indexes: [1, 0], payloadStart: 3 });
		// Index 70 is zigzag 140: two varint bytes.
		assert.deepEqual(readMessageIndexes(Buffer.from([0x02, 0x8c, 0x01, 0x08])), { indexes: [70], payloadStart: 3 });
	});

	it('a value that starts with a field tag (byte ≥ 8) or is empty carries no indexes: the first message type', () => {
		assert.equal(readMessageIndexes(Buffer.from([0x08, 42])), undefined);
		assert.equal(readMessageIndexes(Buffer.alloc(0)), undefined);
	});

	it('a negative count or indexes cut short are errors, never a guess', () => {
		assert.throws(() => readMessageIndexes(Buffer.from([0x01, 0x08])), /count after the schema id is -1/);
		assert.throws(() => readMessageIndexes(Buffer.from([0x04, 0x02])), /end before the value does/);
	});

	it('finds the type by its path from the top-level messages of the file, skipping enums', () => {
		const file: ProtobufReflection = { name: 'test', parent: null };
		const line = message('Line');
		const anEnum: ProtobufReflection = { name: 'Status', parent: null };
		const address = message('Address');
		const order = message('Order', [anEnum, line]);
		file.nestedArray = [address, anEnum, order];
		for (const member of file.nestedArray) member.parent = file;
		assert.equal(messageTypeAt(address, [0]).name, 'Address');
		assert.equal(messageTypeAt(address, [1]).name, 'Order');
		assert.equal(messageTypeAt(address, [1, 0]).name, 'Line');
		assert.throws(() => messageTypeAt(address, [2]), /indexes \[2\] name no message type of its schema \(2 message type\(s\) at that level: Address, Order\)/);
	});
});

describe('Protobuf values: string fields', () => {
	const root = protobuf.parse('syntax = "proto3"; package t; message Named { string name = 1; int32 qty = 2; }').root;
	const named = root.lookupType('t.Named') as unknown as ProtobufType;

	it('a string field that is not UTF-8 is refused with the reason, never decoded with U+FFFD in place of its bytes', () => {
		// Field 1 (string, length 4) "café" in Latin-1, then field 2 = 3.
		const latin1 = Buffer.concat([Buffer.from([0x0a, 4]), Buffer.from('café', 'latin1'), Buffer.from([0x10, 3])]);
		assert.throws(() => decodeProtobufValue(named, latin1), /string "caf\uFFFD" is not valid UTF-8 text \(bytes 636166e9\)/);
		const utf8 = Buffer.concat([Buffer.from([0x0a, 5]), Buffer.from('café'), Buffer.from([0x10, 3])]);
		assert.deepEqual({ ...decodeProtobufValue(named, utf8) }, { name: 'café', qty: 3 });
	});

	it('a string whose length runs past the value is an error, not a shorter string', () => {
		assert.throws(() => decodeProtobufValue(named, Buffer.concat([Buffer.from([0x0a, 9]), Buffer.from('abc')])), /index out of range/);
	});
});
