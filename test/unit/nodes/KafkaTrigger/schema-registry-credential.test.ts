// The Schema Registry's URL and login come from a credential from version 1.1 on; version-1 workflows
// keep the node parameters they were saved with, also through an editor save.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

// `.node.js`: without it Node resolves the codex file (<Node>.node.json) before the TypeScript source.
import { KafkaTrigger } from '../../../../nodes/KafkaTrigger/KafkaTrigger.node.js';
import { readSchemaRegistryCredential, readTriggerSettings, schemaRegistrySettings } from '../../../../nodes/KafkaTrigger/settings';
import { toSchemaRegistrySettings } from '../../../../nodes/shared/credentials';

const description = new KafkaTrigger().description;

function node(typeVersion: number, credentials?: INode['credentials']): INode {
	return { id: 'n', name: 'Kafka Trigger', type: 'n8n-nodes-doris-sinker.kafkaTrigger', typeVersion, position: [0, 0], parameters: {}, credentials };
}

function context(params: Record<string, unknown>, typeVersion: number) {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getNode: () => node(typeVersion),
		getMode: () => 'trigger',
		getWorkflow: () => ({ id: 'wf1', name: 'w', active: true }),
	} as unknown as Parameters<typeof readTriggerSettings>[0];
}

const legacy = {
	topics: 'orders',
	groupId: 'g',
	format: 'schemaRegistry',
	schemaRegistryUrl: 'http://registry:8081/',
	schemaRegistryUsername: ' reader ',
	schemaRegistryPassword: 'old-secret',
};

describe('Schema Registry credential', () => {
	it('new nodes are version 1.1 and have no registry parameters, so no password in the workflow', () => {
		assert.equal(description.defaultVersion, 1.1);
		const saved = NodeHelpers.getNodeParameters(description.properties, { ...legacy } as INodeParameters, false, false, node(1.1), description);
		assert.deepEqual(Object.keys(saved ?? {}).filter((k) => k.startsWith('schemaRegistry')), [], 'an editor save drops them at 1.1');
		assert.throws(() => readTriggerSettings(context(legacy, 1.1)), /needs a Schema Registry credential/);
	});

	it('a version-1 workflow keeps its URL, username and password through an editor save, and they are used', () => {
		const saved = NodeHelpers.getNodeParameters(description.properties, { ...legacy } as INodeParameters, false, false, node(1), description);
		assert.equal(saved?.schemaRegistryUrl, legacy.schemaRegistryUrl);
		assert.equal(saved?.schemaRegistryPassword, legacy.schemaRegistryPassword);
		const text = (name: string) => String((legacy as Record<string, unknown>)[name] ?? '');
		assert.deepEqual(schemaRegistrySettings(context(legacy, 1), text, undefined), {
			url: 'http://registry:8081/',
			username: 'reader',
			password: 'old-secret',
		});
		assert.ok(readTriggerSettings(context(legacy, 1)).consumer.parser.schemaRegistry);
		assert.throws(() => readTriggerSettings(context({ ...legacy, schemaRegistryUrl: '' }, 1)), /Schema Registry credential, or the Schema Registry URL parameter/);
	});

	it('the credential wins over version-1 parameters', () => {
		const credential = { url: 'https://sr.example:8081', authentication: 'basicAuth', username: 'key', password: 'secret' };
		const text = (name: string) => String((legacy as Record<string, unknown>)[name] ?? '');
		assert.deepEqual(schemaRegistrySettings(context(legacy, 1), text, credential), { url: credential.url, username: 'key', password: 'secret' });
		assert.ok(readTriggerSettings(context({ topics: 'orders', groupId: 'g', format: 'schemaRegistry' }, 1.1), credential).consumer.parser.schemaRegistry);
	});

	it('the credential is read only when the node has one and decodes the Schema Registry', async () => {
		const read: string[] = [];
		const ctx = (format: string, credentials?: INode['credentials']) => ({
			getNodeParameter: (name: string) => (name === 'format' ? format : undefined),
			getNode: () => node(1.1, credentials),
			getCredentials: async (type: string) => (read.push(type), { url: 'http://x' }),
		});
		const attached = { schemaRegistryDorisSinkApi: { id: '1', name: 'Registry' } };
		assert.equal(await readSchemaRegistryCredential(ctx('schemaRegistry') as never), undefined);
		assert.equal(await readSchemaRegistryCredential(ctx('json', attached) as never), undefined);
		assert.deepEqual(await readSchemaRegistryCredential(ctx('schemaRegistry', attached) as never), { url: 'http://x' });
		assert.deepEqual(read, ['schemaRegistryDorisSinkApi']);
	});

	it('credential fields: none, basic auth, and the bad ones named', () => {
		assert.deepEqual(toSchemaRegistrySettings({ url: ' http://r:8081 ', authentication: 'none', username: 'ignored' }), { url: 'http://r:8081' });
		assert.deepEqual(toSchemaRegistrySettings({ url: 'http://r', authentication: 'basicAuth', username: 'u', password: 'p' }), {
			url: 'http://r',
			username: 'u',
			password: 'p',
		});
		assert.throws(() => toSchemaRegistrySettings({ url: '' }), /URL is empty/);
		assert.throws(() => toSchemaRegistrySettings({ url: 'http://r', authentication: 'basicAuth' }), /needs a username/);
		assert.throws(() => toSchemaRegistrySettings({ url: 'http://r', authentication: 'oauth' }), /"oauth" is not one of/);
	});

	it('a version-1 node with a registry URL has no issue without the credential (n8n would refuse to activate it)', () => {
		const v1 = { ...node(1), parameters: { ...legacy } };
		assert.equal(NodeHelpers.getNodeParametersIssues(description.properties, v1, description), null);
		const credentialEntry = description.credentials?.find((c) => c.name === 'schemaRegistryDorisSinkApi');
		assert.equal(credentialEntry?.required, false);
	});
});
