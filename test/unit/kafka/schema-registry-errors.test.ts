// Which decode failures are about the message (invalid output) and which about the registry (hold and
// retry). The errors are shaped as @kafkajs/confluent-schema-registry 4.1 throws them; the real
// registry behind a proxy that breaks (refused, 503, 401, no answer, unknown id) is in
// test/reliability/schema-registry.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfluentSchemaRegistryArgumentError } from '@kafkajs/confluent-schema-registry/dist/errors';

import { explainDecodeFailure, MissingSchemaIds, SchemaRegistryUnavailableError, type SchemaLookup } from '../../../src/kafka/schema-registry-errors';

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

	// A registry of several replicas answers 40403 for a schema registered a moment ago until the replica
	// asked has read it. Before, the first answer dead-lettered the message (and every other of the new
	// schema until the replica caught up).
	it('a schema the registry says it lacks is asked for again a second later, once per id: found then, the message is decoded again', async () => {
		const notFound = responseError(404, 'Schema not found');
		const slept: number[] = [];
		const recheck = { afterMs: 1000, missing: new MissingSchemaIds(), sleep: async (ms: number) => void slept.push(ms) };
		const answers = (...statuses: number[]) => {
			const asked: number[] = [];
			return { asked, lookup: async (id: number): Promise<SchemaLookup> => (asked.push(id), statuses.length > 1 ? { status: statuses.shift() as number, errorCode: 40403 } : { status: statuses[0], errorCode: 40403 }) };
		};
		const lagging = answers(404, 200);
		const appeared = await explainDecodeFailure(notFound, wire, URL, lagging.lookup, recheck);
		assert.ok(appeared instanceof SchemaRegistryUnavailableError, 'held and decoded again, not dead-lettered');
		assert.match(appeared.message, /did not have schema id 42 a moment ago and has it now/);
		assert.deepEqual([lagging.asked, slept], [[42, 42], [1000]]);
		// Missing both times: the message's own error (dead letter), and the id is not waited for again.
		const gone = answers(404);
		assert.equal(await explainDecodeFailure(notFound, wire, URL, gone.lookup, recheck), notFound);
		assert.equal(await explainDecodeFailure(notFound, wire, URL, gone.lookup, recheck), notFound);
		assert.deepEqual([gone.asked, slept], [[42, 42, 42], [1000, 1000]]);
		// Found by the first lookup right after the decode's own request for the id failed.
		const caughtUp = answers(200);
		const again = await explainDecodeFailure(notFound, wire, URL, caughtUp.lookup, { ...recheck, missing: new MissingSchemaIds() });
		assert.ok(again instanceof SchemaRegistryUnavailableError);
		// Unreachable on the second lookup: held, as any registry outage.
		const flaky = await explainDecodeFailure(notFound, wire, URL, (() => { let n = 0; return async () => (n++ === 0 ? { status: 404, errorCode: 40403 } : Promise.reject(new Error('connect ECONNREFUSED'))); })(), { ...recheck, missing: new MissingSchemaIds() });
		assert.ok(flaky instanceof SchemaRegistryUnavailableError);
	});
});
