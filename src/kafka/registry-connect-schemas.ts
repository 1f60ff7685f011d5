/**
 * The Kafka Connect schema of a Schema Registry value (schema-registry.ts connectSchema), for
 * `_kafka.valueSchema`: from the Avro writer schema as the registry sent it (avro-connect-schema.ts;
 * avsc keeps no `connect.name` or decimal precision in the types the library caches), or from the
 * Protobuf message type the value's message indexes name (protobuf-connect-schema.ts). JSON Schema
 * values get none: their column types are inferred from the values.
 *
 * One object per schema id (and Protobuf message type), made the first time it is asked for and kept
 * while the decoder lives, so every item of the schema shares it.
 */
import type { Type } from 'protobufjs';

import { parseJsonExact, type JsonObject } from '../common/exact-json';
import { connectSchemaOfAvro } from './avro-connect-schema';
import { connectSchemaOfProtobuf } from './protobuf-connect-schema';
import { messageTypeAt, readMessageIndexes, type ProtobufType } from './protobuf-indexes';

export class RegistryConnectSchemas {
	/** The schemas as the registry sent them (`GET /schemas/ids/{id}`), by id. */
	private readonly writers = new Map<number, { type: string; schema: string }>();
	private readonly made = new Map<string, JsonObject | undefined>();

	/**
	 * @param protobufTypeOf the first message type of the parsed schema of an id, as the registry
	 * client cached it when it decoded a value (undefined for other schemas).
	 */
	constructor(private readonly protobufTypeOf: (schemaId: number) => ProtobufType | undefined) {}

	/** Keeps a schema the registry sent (`schemaType` absent: Avro, as the registry API says). */
	remember(schemaId: number, schemaType: unknown, schema: string): void {
		this.writers.set(schemaId, { type: typeof schemaType === 'string' ? schemaType : 'AVRO', schema });
	}

	/** The Connect schema of a decoded value (its wire format bytes), or undefined. */
	of(value: Buffer): JsonObject | undefined {
		if (value.length < 5 || value[0] !== 0) return undefined;
		const schemaId = value.readInt32BE(1);
		const writer = this.writers.get(schemaId);
		if (writer === undefined) return undefined;
		if (writer.type === 'AVRO') return this.once(String(schemaId), () => connectSchemaOfAvro(parseJsonExact(writer.schema)));
		if (writer.type !== 'PROTOBUF') return undefined;
		const first = this.protobufTypeOf(schemaId);
		if (first === undefined) return undefined;
		const indexes = readMessageIndexes(value.subarray(5))?.indexes ?? [0];
		// What isMessageType accepted is a protobufjs Type (protobuf-indexes.ts reads it through ProtobufType to stay testable).
		return this.once(`${schemaId}:${indexes.join(',')}`, () => connectSchemaOfProtobuf(messageTypeAt(first, indexes) as unknown as Type));
	}

	private once(key: string, make: () => JsonObject | undefined): JsonObject | undefined {
		if (this.made.has(key)) return this.made.get(key);
		let schema: JsonObject | undefined;
		try {
			schema = make();
		} catch {
			// The value decoded with this schema, so this is not expected; the types are then inferred from the values.
			schema = undefined;
		}
		this.made.set(key, schema);
		return schema;
	}
}
