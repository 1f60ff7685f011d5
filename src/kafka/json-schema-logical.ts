/**
 * Kafka Connect logical types in JSON Schema values, as Kafka Connect's JsonSchemaConverter writes them
 * (io.confluent.connect.json.JsonSchemaData, Confluent schema-registry): the Connect schema's name is
 * the JSON schema's `title` (io.debezium.time.Date, org.apache.kafka.connect.data.Decimal, …), its
 * parameters `connect.parameters`, an optional field `oneOf: [{type: null}, schema]`; the value is the
 * Connect form (days, µs since the epoch, ms of the day, a decimal as a JSON number or base64 bytes).
 * Without this a Debezium topic written with that converter gave a DATE column 19844, a VARCHAR holding
 * a time of day 36930250123, where the Avro and Connect-JSON paths give `2024-05-01` and
 * `10:15:30.250123`: values are decoded here by the declared name, as avro-logical-types.ts does for
 * `connect.name`, into the same exact text. A value that does not fit its declared type throws naming
 * the field, and the message goes to the invalid output with it.
 */
import { LogicalValueError } from '../common/connect-logical';
import type { JsonValue } from '../common/exact-json';
import { setOwn } from '../common/own-property';
import { plainConnectDecoder } from './avro-logical-types';

type JsonSchemaNode = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` with every field whose schema names a Connect logical type decoded; `path` names it in errors. */
export function decodeConnectTitles(schema: unknown, value: JsonValue, path = ''): JsonValue {
	if (value === null || !isObject(schema)) return value;
	const node = nonNullBranch(schema);
	const decode = plainConnectDecoder(node.title, connectParameters(node));
	if (decode !== undefined) {
		try {
			return decode(value) as JsonValue;
		} catch (error) {
			if (!(error instanceof LogicalValueError)) throw error;
			throw new Error(`JSON Schema field "${path || '(value)'}": ${error.message}, as ${String(node.title)} requires`, { cause: error });
		}
	}
	if (Array.isArray(value)) return isObject(node.items) ? value.map((element, i) => decodeConnectTitles(node.items, element, `${path}[${i}]`)) : value;
	if (!isObject(value)) return value;
	const properties = isObject(node.properties) ? node.properties : undefined;
	// Connect's map with string keys: an object whose values all follow additionalProperties.
	const rest = isObject(node.additionalProperties) ? node.additionalProperties : undefined;
	if (properties === undefined && rest === undefined) return value;
	const out: Record<string, JsonValue> = {};
	for (const [key, field] of Object.entries(value)) {
		const fieldSchema = properties !== undefined && Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : rest;
		setOwn(out, key, decodeConnectTitles(fieldSchema, field, path === '' ? key : `${path}.${key}`));
	}
	return out;
}

/** The schema an optional field's `oneOf: [{type: null}, schema]` stands for; any other schema as it is. */
function nonNullBranch(schema: JsonSchemaNode): JsonSchemaNode {
	const branches = schema.oneOf;
	if (!Array.isArray(branches)) return schema;
	const others = branches.filter((branch) => !(isObject(branch) && branch.type === 'null'));
	return others.length === 1 && isObject(others[0]) ? others[0] : schema;
}

function connectParameters(node: JsonSchemaNode): Record<string, string> {
	const parameters = node['connect.parameters'];
	return isObject(parameters) ? (parameters as Record<string, string>) : {};
}
