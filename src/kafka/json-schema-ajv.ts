/**
 * The ajv that checks JSON Schema values for the Schema Registry decoder (given to
 * @kafkajs/confluent-schema-registry as its `ajvInstance`; the library adds a schema's references with
 * addSchema, then compiles it, each time in one synchronous run).
 *
 * - By the draft the schema declares in `$schema`: ajv's default class knows only draft-07, and
 *   refused to compile a schema declaring 2019-09 or 2020-12 (no schema with key or ref
 *   "https://json-schema.org/draft/2020-12/schema"), which Confluent's serializers write with
 *   json.schema.spec.version, so every message of such a topic went to Invalid. Each schema gets a new
 *   instance of the class for its draft (ajv/dist/2019, ajv/dist/2020), and its references with it.
 * - Not strict: ajv 8's strict mode refuses a keyword it does not know or a format it has no checker
 *   for, and JSON Schema allows both: Kafka Connect's JsonSchemaConverter writes connect.type /
 *   connect.index / connect.parameters on every field, and "format": "date-time" is everyday. Formats
 *   are annotations here, as in Confluent's own deserializer.
 * Draft-04 and draft-06 schemas still fail to compile, saying so (ajv 8 has no draft-04).
 */
import Ajv, { type AnySchema, type Options, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';

const OPTIONS: Options = { strict: false, validateFormats: false };

function ajvFor(schema: unknown): AjvCore {
	const declared = (schema as { $schema?: unknown } | null)?.$schema;
	const draft = typeof declared === 'string' ? declared : '';
	if (draft.includes('json-schema.org/draft/2020-12/')) return new Ajv2020(OPTIONS);
	if (draft.includes('json-schema.org/draft/2019-09/')) return new Ajv2019(OPTIONS);
	return new Ajv(OPTIONS);
}

export class DraftAwareAjv {
	private references: Array<{ schema: AnySchema | AnySchema[]; key?: string }> = [];

	/** A referenced schema, added to the instance that compiles the schema referring to it. */
	addSchema(schema: AnySchema | AnySchema[], key?: string): this {
		this.references.push({ schema, key });
		return this;
	}

	compile(schema: AnySchema): ValidateFunction {
		const ajv = ajvFor(schema);
		const references = this.references;
		this.references = [];
		for (const reference of references) ajv.addSchema(reference.schema, reference.key);
		return ajv.compile(schema);
	}
}
