/**
 * Fields on the wire of a Protobuf value that its message type does not declare, at any depth.
 *
 * A Schema Registry value names the schema it was written with by the id in its header. When the
 * producer wrote with another schema (it embeds a stale schema id, or the registry holds another
 * schema under that id), the value can carry field numbers the id's schema does not have. protobufjs
 * skips such a field (its generated decoder's `default: r.skipType(t&7)`; 7.x keeps nothing of it:
 * keeping unknown fields came with protobufjs 8, protobuf.js#2209, and is off by default since
 * #2310), so the row loaded without that value and nothing said so. Confluent's ProtobufConverter
 * drops them the same way: Java's parser keeps them in the message's UnknownFieldSet, and
 * ProtobufData.toConnectData builds the Connect struct from the descriptor's fields only. Avro in the
 * same situation fails to decode, so the message goes to the invalid output with its reason; a
 * Protobuf value with unknown fields is refused here and goes there the same way (rule: no silent loss).
 *
 * As protobuf's own parsers do (Java's MessageReflection.mergeFieldFrom, C++'s), a declared number on
 * the wire with a wire type its field cannot have (an int32 field's number carrying a string) is an
 * unknown field too: protobufjs reads the bytes as the declared type, a misread value and not a
 * refusal. Repeated scalars and enums take their own wire type and the packed one (2) alike.
 *
 * The check walks the bytes once with protobufjs' Reader (tag, then skipType), against each type's
 * fields by number, cached per type: no value is decoded, only message fields are entered (map values
 * of a message type and groups too). It runs after protobufjs decoded the value, so the bytes are
 * known to be well formed. A google.protobuf.Any's packed message is checked where it is decoded
 * (protobuf-well-known.ts), as the type its URL names.
 */
import protobuf, { type Field, type Type } from 'protobufjs';

export interface UnknownProtobufField {
	number: number;
	wireType: number;
	/** The path of field names to the message holding it (`shipTo`, `lines[1]`, `byKey["a"]`); '' at the top. */
	at: string;
	/** What that message is, when not at the top: its type's name, or what holds it (a map entry, an Any). */
	holder: string;
	/** The field declared under that number, when the number is declared with another wire type. */
	declared?: string;
}

const WIRE_TYPES = ['varint', '64-bit', 'length-delimited', 'group', 'group end', '32-bit'];
/** At most this many fields are named in an error; the rest are counted. */
const NAMED_AT_MOST = 10;

/**
 * A value refused for fields its schema does not declare. The message names the schema id (when
 * known), the message type, each field number with its wire type and where it is, and the rule.
 */
export class UnknownProtobufFieldsError extends Error {
	constructor(
		readonly messageType: string,
		readonly found: readonly UnknownProtobufField[],
		readonly schemaId?: number,
	) {
		super(describe(messageType, found, schemaId));
		this.name = 'UnknownProtobufFieldsError';
	}

	withSchemaId(schemaId: number): UnknownProtobufFieldsError {
		return new UnknownProtobufFieldsError(this.messageType, this.found, schemaId);
	}

	/** The same fields, found in a message that `messageType` holds (an Any's packed message). */
	within(messageType: string): UnknownProtobufFieldsError {
		return new UnknownProtobufFieldsError(messageType, this.found, this.schemaId);
	}
}

function describe(messageType: string, found: readonly UnknownProtobufField[], schemaId: number | undefined): string {
	const fields = found.slice(0, NAMED_AT_MOST).map((field) => {
		const declared = field.declared === undefined ? '' : `; the schema declares ${field.declared}`;
		const where = field.at === '' ? '' : ` in ${field.at} (${field.holder})`;
		return `field ${field.number} (wire type ${field.wireType}, ${WIRE_TYPES[field.wireType] ?? 'invalid'}${declared})${where}`;
	});
	const more = found.length > NAMED_AT_MOST ? ` and ${found.length - NAMED_AT_MOST} more` : '';
	return (
		`${schemaId === undefined ? '' : `schema id ${schemaId}, `}message type ${messageType}: the value has ${fields.join(', ')}${more}, which the schema does not declare. ` +
		'It was written with another schema than the one its schema id names (a producer that embeds a stale schema id, or a registry that holds ' +
		'another schema under that id). Decoded under this schema, those values would be dropped without a word, as protobufjs and Confluent\'s ' +
		'ProtobufConverter drop unknown fields; the message is refused instead (rule: no silent loss). Register the schema the producer writes ' +
		'with, and replay the message from the dead letters'
	);
}

/** What one declared field number takes on the wire. */
interface FieldPlan {
	field: Field;
	/** Bit n set: wire type n is this field's. */
	wireTypes: number;
	/** The message type to walk into: the field's, or a map's value type. */
	message?: Type;
	/** That message type's name, as a report names it. */
	holder: string;
	map?: { keyType: string; keyWireType: number; valueWireType: number };
}

const plans = new WeakMap<Type, Map<number, FieldPlan>>();

// Reflection is told apart by shape, not instanceof: the registry client may parse schemas with its own copy of protobufjs.
function isType(value: unknown): value is Type {
	return typeof value === 'object' && value !== null && Array.isArray((value as Partial<Type>).fieldsArray);
}

function isEnum(value: unknown): boolean {
	return typeof value === 'object' && value !== null && !isType(value) && typeof (value as { values?: unknown }).values === 'object';
}

/** A map field's key type (protobufjs' MapField), undefined for any other field. */
function mapKeyType(field: Field): string | undefined {
	const keyType = (field as unknown as { keyType?: unknown }).keyType;
	return field.map && typeof keyType === 'string' ? keyType : undefined;
}

/** The wire type of one value of `field` (a map's value), or undefined for a type protobufjs does not know. */
function valueWireType(field: Field): number | undefined {
	if (isType(field.resolvedType)) return field.delimited ? 3 : 2;
	if (isEnum(field.resolvedType)) return 0;
	return (protobuf.types.basic as Record<string, number | undefined>)[field.type];
}

function resolves(field: Field): boolean {
	try {
		field.resolve();
		return true;
	} catch {
		return false;
	}
}

function planOf(type: Type): Map<number, FieldPlan> {
	let plan = plans.get(type);
	if (plan !== undefined) return plan;
	plan = new Map();
	for (const field of type.fieldsArray) {
		const wireType = resolves(field) ? valueWireType(field) : undefined;
		const message = isType(field.resolvedType) ? field.resolvedType : undefined;
		const holder = message === undefined ? '' : message.fullName.slice(1);
		const keyType = mapKeyType(field);
		if (wireType === undefined) {
			// A type protobufjs cannot resolve or has no wire type for: nothing to hold the wire against
			// (its decoder resolved every field of a type it decoded, so this is not met in practice).
			plan.set(field.id, { field, wireTypes: 0xff, holder });
		} else if (keyType !== undefined) {
			const keyWireType = (protobuf.types.basic as Record<string, number | undefined>)[keyType] ?? 0;
			plan.set(field.id, { field, wireTypes: 1 << 2, message, holder, map: { keyType, keyWireType, valueWireType: wireType } });
		} else {
			// protobufjs reads an enum as an int32, packed or not.
			const scalar = isEnum(field.resolvedType) ? 'int32' : field.type;
			const packable = field.repeated && (protobuf.types.packed as Record<string, number | undefined>)[scalar] !== undefined;
			plan.set(field.id, { field, wireTypes: (1 << wireType) | (packable ? 1 << 2 : 0), message, holder });
		}
	}
	plans.set(type, plan);
	return plan;
}

function declaredAs(plan: FieldPlan): string {
	const { field } = plan;
	const keyType = mapKeyType(field);
	const kind = keyType !== undefined ? `map<${keyType}, ${field.type}>` : `${field.repeated ? 'repeated ' : ''}${field.type}`;
	return `${field.name} as ${kind}`;
}

/**
 * Where a message sits in the value. Its path is written only when a field in it is reported: the walk
 * of a value without unknown fields builds no text (a map key is not even read).
 */
interface Place {
	parent: Place | undefined;
	/** The field holding the message; for the top of an Any's packed message, the Any's whole path. */
	name: string;
	/** An element of a repeated field: its index. */
	index?: number;
	/** A map value: where its entry's key is in the bytes (undefined when the entry has none). */
	key?: { bytes: Uint8Array; start: number; keyType: string } | null;
	/** What the message is: its type's name, or what holds it (a map entry, an Any). */
	holder: string;
}

function pathOf(place: Place | undefined): string {
	if (place === undefined) return '';
	const parent = pathOf(place.parent);
	let path = parent === '' ? place.name : `${parent}.${place.name}`;
	if (place.index !== undefined) path += `[${place.index}]`;
	if (place.key !== undefined) path += `[${place.key === null ? '?' : mapKey(place.key.bytes, place.key.start, place.key.keyType)}]`;
	return path;
}

function report(found: UnknownProtobufField[], number: number, wireType: number, place: Place | undefined, entry?: FieldPlan): void {
	found.push({ number, wireType, at: pathOf(place), holder: place?.holder ?? '', ...(entry === undefined ? {} : { declared: declaredAs(entry) }) });
}

/**
 * The fields of `bytes`, a value of `type`, that `type` (or a message type it holds) does not declare;
 * empty for a value written with this schema. `at` and `holder` say where `bytes` sits when it is not
 * the top of the value (an Any's packed message). Throws protobufjs' reader errors for bytes that are
 * not a Protobuf value (call it after the value decoded).
 */
export function unknownProtobufFields(type: Type, bytes: Uint8Array, at = '', holder = ''): UnknownProtobufField[] {
	const found: UnknownProtobufField[] = [];
	const reader = protobuf.Reader.create(bytes);
	walk(reader, reader.len, type, at === '' ? undefined : { parent: undefined, name: at, holder }, found, 0, undefined);
	return found;
}

function walk(reader: protobuf.Reader, end: number, type: Type, place: Place | undefined, found: UnknownProtobufField[], depth: number, group: number | undefined): void {
	const plan = planOf(type);
	let counts: Map<number, number> | undefined;
	while (reader.pos < end) {
		const tag = reader.uint32();
		const number = tag >>> 3;
		const wireType = tag & 7;
		if (wireType === 4 && number === group) return;
		const entry = plan.get(number);
		if (entry === undefined || (entry.wireTypes & (1 << wireType)) === 0) {
			report(found, number, wireType, place, entry);
			reader.skipType(wireType, depth);
			continue;
		}
		const { field, message, map } = entry;
		if (map !== undefined) {
			const length = reader.uint32();
			walkMapEntry(reader, reader.pos + length, entry, place, found, depth + 1);
		} else if (message !== undefined && (wireType === 2 || wireType === 3)) {
			const inner: Place = { parent: place, name: field.name, holder: entry.holder };
			if (field.repeated) {
				counts ??= new Map();
				inner.index = counts.get(number) ?? 0;
				counts.set(number, inner.index + 1);
			}
			if (wireType === 2) {
				const length = reader.uint32();
				walk(reader, reader.pos + length, message, inner, found, depth + 1, undefined);
			} else {
				walk(reader, end, message, inner, found, depth + 1, number);
			}
		} else {
			reader.skipType(wireType, depth);
		}
	}
}

/** A map entry: its key (1) and value (2), the value walked into when it is a message; any other number is unknown. */
function walkMapEntry(reader: protobuf.Reader, end: number, entry: FieldPlan, place: Place | undefined, found: UnknownProtobufField[], depth: number): void {
	const map = entry.map as NonNullable<FieldPlan['map']>;
	let keyStart = -1;
	while (reader.pos < end) {
		const tag = reader.uint32();
		const number = tag >>> 3;
		const wireType = tag & 7;
		if (number === 1 && wireType === map.keyWireType) {
			keyStart = reader.pos;
			reader.skipType(wireType, depth);
		} else if (number === 2 && wireType === map.valueWireType && entry.message !== undefined && wireType === 2) {
			const length = reader.uint32();
			const key = keyStart === -1 ? null : { bytes: reader.buf, start: keyStart, keyType: map.keyType };
			walk(reader, reader.pos + length, entry.message, { parent: place, name: entry.field.name, key, holder: entry.holder }, found, depth + 1, undefined);
		} else if (number === 2 && wireType === map.valueWireType) {
			reader.skipType(wireType, depth);
		} else {
			report(found, number, wireType, { parent: place, name: entry.field.name, holder: `an entry of map ${entry.field.name}` });
			reader.skipType(wireType, depth);
		}
	}
}

/** A map key as the path shows it, read from where its entry holds it: a string quoted, a number as it is. */
function mapKey(bytes: Uint8Array, start: number, keyType: string): string {
	const reader = protobuf.Reader.create(bytes);
	reader.pos = start;
	if (keyType === 'string') return JSON.stringify(reader.string());
	// Reader has a method per scalar type (a 64-bit one gives a Long, whose String is its decimal).
	const read = (reader as unknown as Record<string, (() => unknown) | undefined>)[keyType];
	return read === undefined ? '?' : String(read.call(reader));
}
