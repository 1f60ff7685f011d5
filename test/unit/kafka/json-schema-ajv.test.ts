/**
 * JSON Schema values are checked by the draft their schema declares in $schema, by that draft's rules
 * (as Confluent's validator, everit, applies them). The registry round trip, through the real broker,
 * is in test/integration/kafka-sinker-json-schema.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DraftAwareAjv, jsonSchemaDraftOf, UnknownJsonSchemaDraftError } from '../../../src/kafka/json-schema-ajv';

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';
const DRAFT_06 = 'http://json-schema.org/draft-06/schema#';

/** The errors of one value as "path message", [] when it passes. */
function refusals(schema: object, value: unknown, references: object[] = []): string[] {
	const ajv = new DraftAwareAjv();
	for (const reference of references) ajv.addSchema(reference);
	const validate = ajv.compile(schema);
	return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe('JSON Schema values by their draft', () => {
	it('draft-04: exclusiveMaximum / exclusiveMinimum are booleans that make maximum / minimum strict', () => {
		const price = { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 100, exclusiveMaximum: true };
		const schema = { $schema: DRAFT_04, type: 'object', properties: { price, qty: { type: 'integer', minimum: 1, maximum: 10, exclusiveMaximum: false } } };
		assert.deepEqual(refusals(schema, { price: 99.5, qty: 10 }), [], 'below the strict maximum, at the inclusive one');
		assert.deepEqual(refusals(schema, { price: 100 }), ['/price must be < 100']);
		assert.deepEqual(refusals(schema, { price: 0 }), ['/price must be > 0']);
		assert.deepEqual(refusals(schema, { price: 1, qty: 11 }), ['/qty must be <= 10']);
		assert.deepEqual(refusals(schema, { price: 1, qty: 0 }), ['/qty must be >= 1']);
		// A draft-06 exclusiveMaximum (a number) is no draft-04 schema: refused at compile, naming the keyword.
		assert.throws(() => refusals({ $schema: DRAFT_04, maximum: 5, exclusiveMaximum: 4 }, 3), /exclusiveMaximum value must be \["boolean"\]/);
	});

	it('draft-04: id names a schema (its base URI, a $ref target; in a reference too); const, contains, propertyNames and if are not draft-04 keywords', () => {
		const schema = { $schema: DRAFT_04, id: 'http://shop.test/order.json', definitions: { sku: { id: '#sku', type: 'string', maxLength: 4 } }, properties: { sku: { $ref: '#sku' } } };
		assert.deepEqual(refusals(schema, { sku: 'T1' }), []);
		assert.deepEqual(refusals(schema, { sku: 'T-1000' }), ['/sku must NOT have more than 4 characters']);
		// The library adds a reference under its $id, which a draft-04 schema has not: its id names it.
		const price = { $schema: DRAFT_04, id: 'http://shop.test/price.json', type: 'number', maximum: 10, exclusiveMaximum: true };
		const order = { $schema: DRAFT_04, properties: { price: { $ref: 'http://shop.test/price.json' } } };
		assert.deepEqual(refusals(order, { price: 9 }, [price]), []);
		assert.deepEqual(refusals(order, { price: 10 }, [price]), ['/price must be < 10']);
		// Draft-06 / -07 keywords are unknown in draft-04, and JSON Schema ignores unknown keywords (so does everit for draft 4).
		const later = { $schema: DRAFT_04, properties: { kind: { const: 'order' }, tags: { contains: { type: 'string' } } }, propertyNames: { maxLength: 4 }, if: { required: ['kind'] }, then: { required: ['tags'] } };
		assert.deepEqual(refusals(later, { kind: 'refund', tags: [1], quantity: 2 }), []);
	});

	it('draft-06: exclusiveMaximum is a number, const and contains apply, if / then / else (draft-07) do not; checked against its own meta-schema', () => {
		const schema = { $schema: DRAFT_06, type: 'object', properties: { qty: { type: 'integer', exclusiveMaximum: 10 }, kind: { const: 'order' }, tags: { contains: { type: 'string' } } } };
		assert.deepEqual(refusals(schema, { qty: 9, kind: 'order', tags: [1, 'a'] }), []);
		assert.deepEqual(refusals(schema, { qty: 10 }), ['/qty must be < 10']);
		assert.deepEqual(refusals(schema, { kind: 'refund' }), ['/kind must be equal to constant']);
		assert.deepEqual(refusals(schema, { tags: [1] }), ['/tags must contain at least 1 valid item(s)']);
		const conditional = { $schema: DRAFT_06, if: { required: ['kind'] }, then: { required: ['tags'] } };
		assert.deepEqual(refusals(conditional, { kind: 'order' }), [], 'draft-06 has no if: ignored');
		assert.deepEqual(refusals({ ...conditional, $schema: 'http://json-schema.org/draft-07/schema#' }, { kind: 'order' }), [" must have required property 'tags'"], 'draft-07 has');
		// A draft-04 exclusiveMaximum (a boolean) is no draft-06 schema: its meta-schema refuses it.
		assert.throws(() => refusals({ $schema: DRAFT_06, maximum: 5, exclusiveMaximum: true }, 3), /schema is invalid: data\/exclusiveMaximum must be number/);
	});

	it("every spelling of a draft's URL names it, as Confluent reads $schema: http or https, with or without '#' (its generator writes http://json-schema.org/draft/2020-12/schema#)", () => {
		const spellings: Array<[string, string]> = [];
		for (const [path, draft] of [['draft-04/schema', 'draft-04'], ['schema', 'draft-04'], ['draft-06/schema', 'draft-06'], ['draft-07/schema', 'draft-07'], ['draft/2019-09/schema', '2019-09'], ['draft/2020-12/schema', '2020-12']]) {
			for (const scheme of ['http', 'https']) for (const hash of ['', '#']) spellings.push([`${scheme}://json-schema.org/${path}${hash}`, draft]);
		}
		for (const [url, draft] of spellings) {
			assert.equal(jsonSchemaDraftOf({ $schema: url }), draft, url);
			assert.deepEqual(refusals({ $schema: url, properties: { id: { type: 'integer' } } }, { id: 'seven' }), ['/id must be integer'], url);
		}
		// Checked by that draft, not by draft-07: dependentRequired is a 2019-09 / 2020-12 keyword.
		for (const url of ['http://json-schema.org/draft/2020-12/schema#', 'http://json-schema.org/draft/2019-09/schema#']) {
			assert.deepEqual(refusals({ $schema: url, dependentRequired: { card: ['cvc'] } }, { card: '4111' }), [' must have property cvc when property card is present'], url);
		}
		assert.equal(jsonSchemaDraftOf({ type: 'object' }), 'draft-07', 'no $schema: draft-07, as Confluent');
	});

	it('a $schema naming no draft it knows is refused, naming the value, the rule and the drafts it knows', () => {
		for (const declared of ['http://example.com/my-meta#', 'http://json-schema.org/draft-03/schema#', 'https://json-schema.org/draft/2030-01/schema', 7]) {
			assert.throws(
				() => new DraftAwareAjv().compile({ $schema: declared, type: 'object' } as object),
				(error: Error) =>
					error instanceof UnknownJsonSchemaDraftError &&
					error.message.includes(`$schema ${JSON.stringify(declared)}`) &&
					error.message.includes('must be the json-schema.org URL of draft-04, draft-06, draft-07, 2019-09 or 2020-12'),
				String(declared),
			);
		}
	});
});
