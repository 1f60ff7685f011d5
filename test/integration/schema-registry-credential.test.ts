// The Schema Registry credential against the real registry (Apicurio, Confluent API) behind a
// basic-auth gate like Confluent Cloud's (test/ground/registry-gate.ts): the credential test names what
// is wrong, and messages decode with the credential's login.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

import { toSchemaRegistrySettings } from '../../nodes/shared/credentials';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { checkSchemaRegistry } from '../../src/kafka/schema-registry-check';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { startRegistryGate, type RegistryGate } from '../ground/registry-gate';
import { registerAvroRecord } from './kafka-sinker-helpers';

const USER = 'registry-reader';
const PASSWORD = 'registry-Secret-9';

let reachable = false;
let gate: RegistryGate | undefined;
let gatedUrl = '';

before(async () => {
	reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
	if (!reachable) return;
	gate = await startRegistryGate(schemaRegistryUrl, { username: USER, password: PASSWORD });
	gatedUrl = gate.url;
});

after(() => gate?.close());

describe('Schema Registry credential on the real registry', () => {
	it('the credential test: connected with the right login; the wrong password, no login, a wrong path and no server are named', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const settings = toSchemaRegistrySettings({ url: gatedUrl, authentication: 'basicAuth', username: USER, password: PASSWORD });
		const ok = await checkSchemaRegistry(settings);
		assert.equal(ok.ok, true, ok.message);
		assert.match(ok.message, /^Connected: \d+ subject\(s\)$/);

		const wrong = await checkSchemaRegistry({ ...settings, password: 'not-it' });
		assert.deepEqual([wrong.ok, /refused user "registry-reader" \(HTTP 401\)/.test(wrong.message)], [false, true], wrong.message);
		const anonymous = await checkSchemaRegistry(toSchemaRegistrySettings({ url: gatedUrl, authentication: 'none' }));
		assert.match(anonymous.message, /refused no authentication \(HTTP 401\)/);

		const root = new URL(schemaRegistryUrl);
		const wrongPath = await checkSchemaRegistry({ url: `${root.protocol}//${root.host}/` });
		assert.equal(wrongPath.ok, false);
		assert.match(wrongPath.message, /apis\/ccompat\/v7/);

		const closed = await checkSchemaRegistry({ url: 'http://127.0.0.1:9/' });
		assert.match(closed.message, /^Cannot reach the Schema Registry at http:\/\/127\.0\.0\.1:9: /);
		for (const result of [ok, wrong, anonymous, wrongPath, closed]) assert.doesNotMatch(result.message, new RegExp(PASSWORD));
	});

	it("a message decodes with the credential's login; without it the registry refuses", async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl });
		const id = await registerAvroRecord(registry, 'Order', 'credential.test', [{ name: 'order_id', type: 'long' }, { name: 'status', type: 'string' }], 'credential');
		const encoded = await registry.encode(id, { order_id: 7, status: 'paid' });
		const decoder = createSchemaRegistryDecoder(toSchemaRegistrySettings({ url: gatedUrl, authentication: 'basicAuth', username: USER, password: PASSWORD }));
		assert.deepEqual(await decoder.decode(encoded), { order_id: 7, status: 'paid' });
		const anonymous = createSchemaRegistryDecoder(toSchemaRegistrySettings({ url: gatedUrl, authentication: 'none' }));
		await assert.rejects(anonymous.decode(encoded), /401|Unauthorized/);
	});
});
