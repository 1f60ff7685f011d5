/**
 * The definitions of the types a Schema Registry Protobuf schema uses without a reference: Google's
 * well-known types (google/protobuf/timestamp.proto, duration, wrappers, struct, any, empty,
 * field_mask) and the types Kafka Connect's ProtobufConverter writes for its Decimal, Date and Time.
 *
 * Confluent's Protobuf serializer registers no schema reference for these files (it treats them as
 * built in), and @kafkajs/confluent-schema-registry parses a schema with `protobuf.parse`, which
 * records an import but loads nothing: every value of such a schema failed "no such Type or Enum
 * 'google.protobuf.Timestamp'". addWellKnownTypes gives the parsed schema the definitions protobufjs
 * itself bundles for these files (`protobuf.common`), the ones its Root.load uses for such an import,
 * and those of Kafka Connect's types, which protobufjs does not bundle (CONNECT_DEFINITIONS). Apart
 * from protobuf-well-known.ts (what their values become in a row) because this runs once per schema,
 * when it is parsed, and that once per value.
 */
import protobuf, { type Root } from 'protobufjs';

const WELL_KNOWN_FILES = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map((name) => `google/protobuf/${name}.proto`);

/** The well-known types protobufjs bundles, by package: protobuf.common wraps each file's types as { nested: { google: { nested: { protobuf: { nested: … } } } } }. */
function bundledDefinitions(): Record<string, object> {
	const all: Record<string, object> = {};
	for (const file of WELL_KNOWN_FILES) {
		Object.assign(all, (protobuf.common.get(file) as { nested: { google: { nested: { protobuf: { nested: Record<string, object> } } } } }).nested.google.nested.protobuf.nested);
	}
	return all;
}

/**
 * The types Kafka Connect's ProtobufConverter writes for Connect's Decimal, Date and Time, which
 * Confluent's serializers register no reference for either and protobufjs does not bundle: the
 * messages of confluent/type/decimal.proto (Confluent schema-registry), google/type/date.proto and
 * google/type/timeofday.proto (googleapis), field names and numbers as declared there.
 */
const CONNECT_DEFINITIONS: Record<string, Record<string, object>> = {
	'confluent.type': {
		Decimal: { fields: { value: { type: 'bytes', id: 1 }, precision: { type: 'uint32', id: 2 }, scale: { type: 'int32', id: 3 } } },
	},
	'google.type': {
		Date: { fields: { year: { type: 'int32', id: 1 }, month: { type: 'int32', id: 2 }, day: { type: 'int32', id: 3 } } },
		TimeOfDay: { fields: { hours: { type: 'int32', id: 1 }, minutes: { type: 'int32', id: 2 }, seconds: { type: 'int32', id: 3 }, nanos: { type: 'int32', id: 4 } } },
	},
};

const completed = new WeakSet<Root>();

/** `definitions` in package `name` as the nested JSON protobufjs' addJSON takes. */
function inPackage(name: string, definitions: Record<string, object>): Record<string, object> {
	return name.split('.').reduceRight<Record<string, object>>((nested, part) => ({ [part]: { nested } }), definitions);
}

/**
 * Adds to `root` every well-known type (and every type of CONNECT_DEFINITIONS) it does not have yet.
 * A type the registry already supplied (a schema reference to google/protobuf/timestamp.proto) is kept:
 * adding it again would be a duplicate. Call before the first decode: protobufjs resolves a field's type
 * on first use.
 */
export function addWellKnownTypes(root: Root): void {
	if (completed.has(root)) return;
	for (const [name, definitions] of [['google.protobuf', bundledDefinitions()] as const, ...Object.entries(CONNECT_DEFINITIONS)]) {
		const missing = Object.entries(definitions).filter(([type]) => root.lookup(`.${name}.${type}`) === null);
		if (missing.length > 0) root.addJSON(inPackage(name, Object.fromEntries(missing)));
	}
	completed.add(root);
}
