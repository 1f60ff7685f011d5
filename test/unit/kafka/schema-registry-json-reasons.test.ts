/**
 * What an item on Invalid says when its JSON Schema value cannot be decoded: the schema's draft is one
 * the decoder does not know (a registry such as Confluent's stores such schemas; Apicurio refuses to
 * register them, so a local server stands in), or the schema refuses the value. The real registry and
 * broker are in test/integration/kafka-sinker-json-schema.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { createSchemaRegistryDecoder } from '../../../src/kafka/schema-registry';
import { SchemaRegistryUnavailableError } from '../../../src/kafka/schema-registry-errors';

const schemas = new Map<string, object>([
	['/schemas/ids/8', { $schema: 'http://example.com/my-meta#', type: 'object' }],
	[
		'/schemas/ids/9',
		{
			$schema: 'http://json-schema.org/draft-04/schema#',
			type: 'object',
			properties: { price: { type: 'number', maximum: 100, exclusiveMaximum: true }, sku: { type: 'string' } },
			required: ['sku'],
		},
	],
]);

let server: Server;
let url: string;

before(async () => {
	server = createServer((request, response) => {
		const schema = schemas.get(request.url ?? '');
		if (schema === undefined) {
			response.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40403,"message":"Schema not found"}');
			return;
		}
		response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify({ schemaType: 'JSON', schema: JSON.stringify(schema) }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function wire(schemaId: number, json: string): Buffer {
	const header = Buffer.alloc(5);
	header.writeInt32BE(schemaId, 1);
	return Buffer.concat([header, Buffer.from(json)]);
}

describe('Schema Registry decoder: why a JSON Schema value is undecodable', () => {
	it('a schema whose $schema names no draft the decoder knows: the value is undecodable (Invalid), naming the schema id and the $schema, not an outage', async () => {
		const decoder = createSchemaRegistryDecoder({ url });
		await assert.rejects(decoder.decode(wire(8, '{"id":1}')), (error: Error) => {
			assert.ok(!(error instanceof SchemaRegistryUnavailableError), error.message);
			assert.match(error.message, /^schema id 8: JSON Schema declares \$schema "http:\/\/example\.com\/my-meta#", a draft this decoder does not know: \$schema must be the json-schema\.org URL of draft-04, draft-06, draft-07, 2019-09 or 2020-12/);
			return true;
		});
	});

	it('a value the schema refuses: the reason names each field, its value, the rule and the keyword (the library says only "invalid payload")', async () => {
		const decoder = createSchemaRegistryDecoder({ url });
		assert.deepEqual(await decoder.decode(wire(9, '{"price":99.5,"sku":"T1"}')), { price: 99.5, sku: 'T1' });
		await assert.rejects(decoder.decode(wire(9, '{"price":100,"sku":"T1"}')), { message: 'invalid payload: /price 100 must be < 100 (maximum)' });
		await assert.rejects(decoder.decode(wire(9, '{"price":"cheap"}')), { message: `invalid payload: / {"price":"cheap"} must have required property 'sku' (required)` });
	});
});
