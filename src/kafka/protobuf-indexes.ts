/**
 * The message indexes of Confluent's Protobuf wire format, which @kafkajs/confluent-schema-registry
 * 4.1 does not read: after the magic byte and the schema id, Confluent serializers (Java
 * kafka-protobuf-serializer, librdkafka-based clients, Kafka Connect's ProtobufConverter) write which
 * message type of the schema the value is, as zigzag varints: a count, then the path from the file's
 * top-level message types down through nested ones (`[1]` = the second top-level message, `[1, 0]`
 * its first nested message); `[0]`, the usual case, is the single byte 0.
 *
 * The library strips every leading zero byte and decodes with the first message type, so a value of
 * any other type failed or decoded into the wrong fields, and a value of the first type with all
 * fields at their zero values (proto3 writes no bytes for them) failed "index out of range".
 *
 * The library's own encode writes no indexes at all, and its values are still read: a Protobuf
 * payload starts with a field tag, (field number ≥ 1) << 3 | wire type, so its first byte is at least
 * 8, while an index count of 0..3 starts with a byte below 8. A first byte of 8 or more is therefore
 * read as a payload without indexes (a path four levels deep, count 4 = byte 8, is read that way too:
 * none is known in practice).
 *
 * Values are read with StrictReader: protobufjs' own reader in Node decodes a string that is not UTF-8
 * with U+FFFD in place of its bytes, and cuts a string whose length runs past the value short, both
 * without a word.
 */
import { isUtf8 } from 'node:buffer';

import protobuf, { type Type } from 'protobufjs';

import { unknownProtobufFields, UnknownProtobufFieldsError } from './protobuf-unknown-fields';

/** What this module uses of a protobufjs reflection object (a Type, an Enum, a Namespace, ...). */
export interface ProtobufReflection {
	name: string;
	parent: ProtobufReflection | null;
	nestedArray?: ProtobufReflection[];
}

/** A protobufjs message Type: reflection plus its decoder. */
export interface ProtobufType extends ProtobufReflection {
	fields: Record<string, unknown>;
	decode(bytes: Uint8Array | protobuf.Reader): object;
}

/** protobufjs' Node reader with strings checked: within the value, and UTF-8 (see the header). */
class StrictReader extends protobuf.BufferReader {
	string(): string {
		// Reader#bytes throws "index out of range" for a length past the end.
		const bytes = this.bytes();
		if (!isUtf8(bytes)) {
			const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 40));
			throw new Error(`Protobuf string ${JSON.stringify(shown.toString('utf8'))}${bytes.length > 40 ? '...' : ''} is not valid UTF-8 text (bytes ${shown.toString('hex')})`);
		}
		return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
	}
}

/** A reader over `bytes` for a message type's decode: strings checked (see the header). */
export function strictReader(bytes: Uint8Array): protobuf.Reader {
	return new StrictReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export function isMessageType(value: ProtobufReflection): value is ProtobufType {
	return typeof (value as Partial<ProtobufType>).decode === 'function' && typeof (value as Partial<ProtobufType>).fields === 'object';
}

/** The message indexes at the start of `bytes` and where the payload begins, or undefined when it carries none. */
export function readMessageIndexes(bytes: Uint8Array): { indexes: number[]; payloadStart: number } | undefined {
	if (bytes.length === 0 || bytes[0] >= 8) return undefined;
	let at = 0;
	const zigzag = (): number => {
		let value = 0;
		for (let shift = 0; shift < 35; shift += 7) {
			if (at >= bytes.length) throw new Error('the Protobuf message indexes after the schema id end before the value does');
			const byte = bytes[at++];
			value += (byte & 0x7f) * 2 ** shift;
			if ((byte & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
		}
		throw new Error('a Protobuf message index after the schema id is longer than a 32-bit varint');
	};
	const count = zigzag();
	if (count < 0) throw new Error(`the Protobuf message index count after the schema id is ${count}, below 0`);
	if (count === 0) return { indexes: [0], payloadStart: at };
	const indexes: number[] = [];
	for (let i = 0; i < count; i++) indexes.push(zigzag());
	return { indexes, payloadStart: at };
}

/**
 * The message type at `indexes`, counted from the top-level message types of the file `first` (the
 * schema's first message type) is declared in. protobufjs keeps a namespace's members in the order
 * they were declared, and the library parses the schema before its references, so the file's own
 * types come first.
 */
export function messageTypeAt(first: ProtobufType, indexes: readonly number[]): ProtobufType {
	let scope: ProtobufReflection | null = first.parent;
	let type: ProtobufType | undefined;
	for (const index of indexes) {
		const messages = (scope?.nestedArray ?? []).filter(isMessageType);
		type = index >= 0 ? messages[index] : undefined;
		if (type === undefined) {
			throw new Error(
				`the value's Protobuf message indexes [${indexes.join(', ')}] name no message type of its schema (${messages.length} message type(s) at that level: ${messages.map((m) => m.name).join(', ') || 'none'})`,
			);
		}
		scope = type;
	}
	return type ?? first;
}

/**
 * A value after the 5-byte header, decoded as the message type its indexes name (the first one
 * without). A value with fields that type does not declare is refused (UnknownProtobufFieldsError,
 * protobuf-unknown-fields.ts): protobufjs would skip them, and their values vanish from the row.
 */
export function decodeProtobufValue(first: ProtobufType, afterHeader: Uint8Array): object {
	const read = readMessageIndexes(afterHeader);
	const type = read === undefined ? first : messageTypeAt(first, read.indexes);
	const payload = read === undefined ? afterHeader : afterHeader.subarray(read.payloadStart);
	const message = type.decode(strictReader(payload));
	// What isMessageType accepted is a protobufjs Type: this module reads it through ProtobufType only to stay testable with stand-ins.
	const reflected = type as unknown as Type;
	const unknown = unknownProtobufFields(reflected, payload);
	if (unknown.length > 0) throw new UnknownProtobufFieldsError(reflected.fullName.slice(1), unknown);
	return message;
}
