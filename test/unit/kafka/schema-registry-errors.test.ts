// Which decode failures are about the message (invalid output) and which about the registry (hold and
// retry). The errors are shaped as @kafkajs/confluent-schema-registry 4.1 throws them; the real
// registry behind a proxy that breaks (refused, 503, 401, no answer, unknown id) is in
// test/reliability/schema-registry.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfluentSchemaRegistryArgumentError } from '@kafkajs/confluent-schema-registry/dist/errors';

import { explainDecodeFailure, SchemaRegistryUnavailableError, type SchemaLookup } from '../../../src/kafka/schema-registry-errors';

const URL = 'http://registry:8081';
const wire = Buffer.from([0, 0, 0, 0, 42, 1, 2]);

function responseError(status: number, message: string, url = `GET ${URL}/schemas/ids/42`): Error {
	return Object.assign(new Error(`n8n-doris-sinker - ${message}`), { name: 'ResponseError', status, url });
}

const never = async (): Promise<SchemaLookup> => assert.fail('no lookup expected');

describe('Schema Registry decode failures', () => {
	it('about the message: no magic byte, bytes that do not fit the schema', async () => {
		const magic = new ConfluentSchemaRegistryArgumentError('Message encoded with magic byte {"type":"Buffer","data":[123]}, expected {"type":"Buffer","data":[0]}');
		assert.equal(await explainDecodeFailure(magic, Buffer.from('{"a":1}'), URL, never), magic);
		const truncated = new Error('truncated buffer');
		assert.equal(await explainDecodeFailure(truncated, wire, URL, never), truncated);
	});

	it('about the registry: network error, timeout, 5xx, 401, 403', async () => {
		for (const [status, message, reason] of [
			[400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081', /could not be reached for schema id 42: .*ECONNREFUSED/],
			[400, 'Error, status 400: Timeout (5000ms)', /Timeout/],
			[503, 'Error, status 503', /answered HTTP 503 for schema id 42/],
			[401, 'Unauthorized', /refused the credentials \(HTTP 401\)/],
			[403, 'Forbidden', /refused the credentials \(HTTP 403\)/],
		] as const) {
			const explained = await explainDecodeFailure(responseError(status, message), wire, URL, never);
			assert.ok(explained instanceof SchemaRegistryUnavailableError, `${status} ${message}`);
			assert.match(explained.message, reason);
			assert.match(explained.message, /^Schema Registry http:\/\/registry:8081 /);
		}
	});

	it('a 404 is "no such schema" only when the registry says so', async () => {
		const notFound = responseError(404, "No content with ID '42' was found.");
		const asked: number[] = [];
		const registrySays = async (id: number): Promise<SchemaLookup> => (asked.push(id), { status: 404, errorCode: 40403 });
		assert.equal(await explainDecodeFailure(notFound, wire, URL, registrySays), notFound);
		assert.deepEqual(asked, [42], 'the schema id from the wire header');
		// A proxy or a wrong base URL: 404 without a registry error code.
		const wrongUrl = await explainDecodeFailure(notFound, wire, URL, async () => ({ status: 404 }));
		assert.ok(wrongUrl instanceof SchemaRegistryUnavailableError);
		assert.match(wrongUrl.message, /without a registry error code: is the URL the registry's Confluent-compatible API\?/);
		// The registry went away between the two requests.
		const gone = await explainDecodeFailure(notFound, wire, URL, async () => Promise.reject(new Error('connect ECONNREFUSED')));
		assert.ok(gone instanceof SchemaRegistryUnavailableError);
		// The schema is there, a schema it references is not: the registry answered about this message.
		const reference = responseError(404, 'Subject not found', `GET ${URL}/subjects/other/versions/1`);
		assert.equal(await explainDecodeFailure(reference, wire, URL, async () => ({ status: 200 })), reference);
	});
});
