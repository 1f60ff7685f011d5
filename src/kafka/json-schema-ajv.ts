/**
 * The ajv that checks JSON Schema values for the Schema Registry decoder (given to
 * @kafkajs/confluent-schema-registry as its `ajvInstance`; the library adds a schema's references with
 * addSchema, then compiles it, each time in one synchronous run).
 *
 * - By the draft the schema declares in `$schema` (jsonSchemaDraftOf), each schema in a new instance
 *   for its draft, its references with it: draft-04, draft-06, draft-07 (also when `$schema` is
 *   absent, as in Confluent's deserializer and Kafka Connect's JsonSchemaConverter, which writes none),
 *   2019-09 and 2020-12. Producers write all five: Confluent's Java serializer generates draft-07 by
 *   default and draft-04 / -06 / 2019-09 / 2020-12 with json.schema.spec.version (its 5.5 releases
 *   generated draft-04 only); Confluent's .NET serializer registers draft-04 always (NJsonSchema).
 *   ajv's default class knows only draft-07: a draft-04 or -06 schema failed to compile (no schema with
 *   key or ref "http://json-schema.org/draft-04/schema#"), and so did the `http://…/draft/2020-12/schema#`
 *   that Confluent's generator writes, so every message of such a topic went to Invalid.
 * - Each draft's own rules, as Confluent's validator (everit) applies them: draft-04 names a schema's
 *   base URI with `id`, makes `exclusiveMaximum` / `exclusiveMinimum` booleans that turn `maximum` /
 *   `minimum` strict, and has no `const`, `contains`, `propertyNames` or `if`; draft-06 has no `if`.
 *   A keyword a draft does not have is an unknown keyword there, which JSON Schema ignores.
 * - Not strict: ajv 8's strict mode refuses a keyword it does not know or a format it has no checker
 *   for, and JSON Schema allows both: Kafka Connect's JsonSchemaConverter writes connect.type /
 *   connect.index / connect.parameters on every field, and "format": "date-time" is everyday. Formats
 *   are annotations here, as in Confluent's own deserializer.
 * A `$schema` naming no draft above is refused, naming it (UnknownJsonSchemaDraftError).
 */
import Ajv, { type AnySchema, type AnySchemaObject, type FuncKeywordDefinition, type Options, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';

// verbose: each error carries the value it is about, which the decoder names (schema-registry.ts).
const OPTIONS: Options = { strict: false, validateFormats: false, verbose: true };

export type JsonSchemaDraft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/**
 * The `$schema` URLs of each draft, as Confluent's SpecificationVersion reads them: at json-schema.org,
 * http or https, with or without the trailing `#` (the bare `schema` is draft-04's old "latest" URL).
 * The key is the URL's path.
 */
const DRAFT_OF_PATH: Readonly<Record<string, JsonSchemaDraft>> = {
	'schema': 'draft-04',
	'draft-04/schema': 'draft-04',
	'draft-06/schema': 'draft-06',
	'draft-07/schema': 'draft-07',
	'draft/2019-09/schema': '2019-09',
	'draft/2020-12/schema': '2020-12',
};

/** The key under which ajv holds each draft's meta-schema (ajv drops a trailing `#` from keys). */
const META_SCHEMA_KEY: Readonly<Record<Exclude<JsonSchemaDraft, 'draft-04'>, string>> = {
	'draft-06': 'http://json-schema.org/draft-06/schema',
	'draft-07': 'http://json-schema.org/draft-07/schema',
	'2019-09': 'https://json-schema.org/draft/2019-09/schema',
	'2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

export class UnknownJsonSchemaDraftError extends Error {
	override name = 'UnknownJsonSchemaDraftError';
}

/** The draft a schema declares in `$schema`; draft-07 when it declares none. Throws naming a `$schema` it does not know. */
export function jsonSchemaDraftOf(schema: unknown): JsonSchemaDraft {
	const declared = typeof schema === 'object' && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
	if (declared === undefined) return 'draft-07';
	const path = typeof declared === 'string' ? /^https?:\/\/json-schema\.org\/([^?#]*)#?$/.exec(declared)?.[1] : undefined;
	const draft = path !== undefined && Object.hasOwn(DRAFT_OF_PATH, path) ? DRAFT_OF_PATH[path] : undefined;
	if (draft !== undefined) return draft;
	throw new UnknownJsonSchemaDraftError(
		`JSON Schema declares $schema ${JSON.stringify(declared)}, a draft this decoder does not know: $schema must be the json-schema.org URL of draft-04, draft-06, draft-07, 2019-09 or 2020-12 (http or https, with or without "#"), or be absent (draft-07)`,
	);
}

/**
 * Draft-04's maximum / minimum: strict when the sibling exclusiveMaximum / exclusiveMinimum is true
 * (in draft-06 on, those are numbers of their own, and ajv reads them so).
 */
function draft04Limit(keyword: 'maximum' | 'minimum'): FuncKeywordDefinition {
	const exclusiveKeyword = keyword === 'maximum' ? 'exclusiveMaximum' : 'exclusiveMinimum';
	const validate: SchemaValidateFunction = (limit: number, data: number, parentSchema?: AnySchemaObject) => {
		const exclusive = parentSchema?.[exclusiveKeyword] === true;
		const comparison = keyword === 'maximum' ? (exclusive ? '<' : '<=') : exclusive ? '>' : '>=';
		const within = keyword === 'maximum' ? (exclusive ? data < limit : data <= limit) : exclusive ? data > limit : data >= limit;
		validate.errors = within ? [] : [{ keyword, message: `must be ${comparison} ${limit}`, params: { comparison, limit } }];
		return within;
	};
	return { keyword, type: 'number', schemaType: 'number', validate };
}

/**
 * Draft-04 on ajv's draft-07 class. Its meta-schema is not in ajv 8 (ajv-draft-04 has it, with a
 * vocabulary that also keeps const, contains, propertyNames and if, which draft-04 has not): a draft-04
 * schema is not checked against it, only compiled, which still refuses a keyword value of the wrong
 * type (a number in exclusiveMaximum, a type that is no JSON type).
 */
function draft04Ajv(): AjvCore {
	const ajv = new Ajv({ ...OPTIONS, schemaId: 'id', validateSchema: false });
	// ajv's "id" keyword throws (NOT SUPPORTED: keyword "id", use "$id"): in draft-04 it is the id, and $id is nothing.
	for (const keyword of ['id', '$id', 'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum', 'const', 'contains', 'propertyNames', 'if', 'then', 'else']) {
		ajv.removeKeyword(keyword);
	}
	ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
	ajv.addKeyword(draft04Limit('maximum'));
	ajv.addKeyword(draft04Limit('minimum'));
	ajv.addKeyword({ keyword: ['exclusiveMaximum', 'exclusiveMinimum'], schemaType: 'boolean' });
	return ajv;
}

/** Draft-06 on ajv's draft-07 class with draft-06's meta-schema (ajv ships it), without draft-07's if / then / else. */
function draft06Ajv(): AjvCore {
	const ajv = new Ajv(OPTIONS);
	ajv.addMetaSchema(draft06MetaSchema);
	for (const keyword of ['if', 'then', 'else']) ajv.removeKeyword(keyword);
	return ajv;
}

function ajvFor(draft: JsonSchemaDraft): AjvCore {
	switch (draft) {
		case 'draft-04':
			return draft04Ajv();
		case 'draft-06':
			return draft06Ajv();
		case 'draft-07':
			return new Ajv(OPTIONS);
		case '2019-09':
			return new Ajv2019(OPTIONS);
		case '2020-12':
			return new Ajv2020(OPTIONS);
	}
}

/**
 * ajv looks a schema's `$schema` up by that exact URL to check the schema against its meta-schema; the
 * other spellings of the instance's draft (http for https, `#` or not) are made names of that
 * meta-schema. A reference of another draft is left to fail, naming its `$schema`.
 */
function knowSpellingOf(ajv: AjvCore, schema: unknown, draft: JsonSchemaDraft): void {
	const declared = (schema as { $schema?: unknown } | null)?.$schema;
	if (draft === 'draft-04' || typeof declared !== 'string' || jsonSchemaDraftOf(schema) !== draft) return;
	const key = declared.replace(/#$/, '');
	if (key !== META_SCHEMA_KEY[draft] && ajv.refs[key] === undefined) ajv.refs[key] = META_SCHEMA_KEY[draft];
}

export class DraftAwareAjv {
	private references: Array<{ schema: AnySchema | AnySchema[]; key?: string }> = [];

	/** A referenced schema, added to the instance that compiles the schema referring to it. */
	addSchema(schema: AnySchema | AnySchema[], key?: string): this {
		this.references.push({ schema, key });
		return this;
	}

	compile(schema: AnySchema): ValidateFunction {
		const references = this.references;
		this.references = [];
		const draft = jsonSchemaDraftOf(schema);
		const ajv = ajvFor(draft);
		for (const reference of references) {
			for (const referenced of Array.isArray(reference.schema) ? reference.schema : [reference.schema]) knowSpellingOf(ajv, referenced, draft);
			ajv.addSchema(reference.schema, reference.key);
		}
		knowSpellingOf(ajv, schema, draft);
		return ajv.compile(schema);
	}
}
