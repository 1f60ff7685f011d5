/**
 * What the decoder makes of an HTTP server at the registry URL that answers 200 with something that
 * is not a schema (a web page, a health endpoint, another API under that path): the registry could
 * not be asked, so the partition is held; the messages are not undecodable. A local server stands in.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';

import avro from 'avsc';

import { createSchemaRegistryDecoder } from '../../../src/kafka/schema-registry';
import { SchemaRegistryUnavailableError } from '../../../src/kafka/schema-registry-errors';

const ORDER = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }] };

/** Path → [content type, body] answered with 200. */
const answers = new Map<string, [string, string]>([
	['/page/schemas/ids/7', ['text/html', '<html><body>Welcome</body></html>']],
	['/health/schemas/ids/7', ['application/json', '{"status":"UP"}']],
	['/registry/schemas/ids/7', ['application/vnd.schemaregistry.v1+json', JSON.stringify({ schema: JSON.stringify(ORDER) })]],
	// A registry behind a proxy that labels its answers text/plain: the schema is still there.
	['/relabelled/schemas/ids/7', ['text/plain', JSON.stringify({ schema: JSON.stringify(ORDER) })]],
]);

let server: Server;
let base: string;

before(async () => {
	server = createServer((request, response) => {
		const answer = answers.get(request.url ?? '');
		if (answer === undefined) {
			response.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40403,"message":"Schema not found"}');
			return;
		}
		response.writeHead(200, { 'content-type': answer[0] }).end(answer[1]);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An Avro value of schema id 7 in the wire format. */
const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), avro.Type.forSchema(ORDER as avro.Schema).toBuffer({ id: 42 })]);

describe('Schema Registry decoder: answers that are not a schema', () => {
	for (const [path, what] of [
		['/page', 'a web page'],
		['/health', 'JSON without a schema'],
	] as const) {
		it(`a URL answering 200 with ${what} holds the partition (the registry could not be asked), naming the URL`, async () => {
			const decoder = createSchemaRegistryDecoder({ url: `${base}${path}` });
			await assert.rejects(decoder.decode(value), (error: Error) => {
				assert.ok(error instanceof SchemaRegistryUnavailableError, `${error.name}: ${error.message}`);
				assert.ok(error.message.includes(`${base}${path}`), error.message);
				assert.match(error.message, /no schema/);
				assert.match(error.message, /Confluent-compatible API/);
				return true;
			});
		});
	}

	it('a registry answer decodes as before, also when a proxy labels it text/plain', async () => {
		for (const path of ['/registry', '/relabelled']) {
			const decoder = createSchemaRegistryDecoder({ url: `${base}${path}` });
			assert.deepEqual(await decoder.decode(value), { id: 42 }, path);
		}
	});
});
