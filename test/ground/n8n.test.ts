// Proves the n8n test host: real n8n 2.40.7 starts with the built package loaded under its own name
// (as the community-nodes installer loads it), lists our node and credential types, serves our icons,
// runs a workflow published before start, stops cleanly, and comes back after kill -9 with its
// database. Needs `npm run build` first (scripts/test.sh builds) and n8n in .cache/n8n
// (scripts/n8n.sh install; the host runs it when missing).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_NAME, REPO_ROOT } from './n8n/install';
import { startN8n, type N8nHost, type WorkflowJson } from './n8n/host';

const NODE_TYPES = ['kafkaTrigger', 'dorisSchema', 'dorisStreamLoad'].map((name) => `${PACKAGE_NAME}.${name}`);
const CREDENTIAL_TYPES = ['dorisApi', 'kafkaDorisSinkApi'];

/** The Doris Schema node's newest version, read from the build, so the workflow never goes stale. */
function dorisSchemaVersion(): number {
	const load = createRequire(__filename);
	const exported = load(path.join(REPO_ROOT, 'dist/nodes/DorisSchema/DorisSchema.node.js')) as Record<string, unknown>;
	for (const value of Object.values(exported)) {
		if (typeof value !== 'function') continue;
		const instance = new (value as new () => { description?: { name?: string; version?: number | number[] } })();
		const version = instance.description?.version;
		if (instance.description?.name === 'dorisSchema' && version !== undefined) {
			return Array.isArray(version) ? Math.max(...version) : version;
		}
	}
	throw new Error('dist/nodes/DorisSchema/DorisSchema.node.js exports no dorisSchema node');
}

const credential = {
	id: 'smokeDorisCred01',
	name: 'Doris (smoke)',
	type: 'dorisApi',
	data: { feUrls: 'http://127.0.0.1:8030', queryPort: 9030, user: 'root', password: '', database: 'demo' },
};

const hourly = { rule: { interval: [{ field: 'hours' }] } };

// A Schedule trigger that fires hourly (so never during the test) feeding our Doris Schema node.
// Imported and published by the CLI, which (unlike the REST API) does not check node parameters, so
// this stays valid whatever parameters the node grows.
function smokeWorkflow(): WorkflowJson {
	return {
		id: 'smokeWorkflow0001',
		name: 'n8n host smoke',
		nodes: [
			{
				id: '6f1c2d9e-0000-4000-8000-000000000001',
				name: 'Every hour',
				type: 'n8n-nodes-base.scheduleTrigger',
				typeVersion: 1.2,
				position: [0, 0],
				parameters: hourly,
			},
			{
				id: '6f1c2d9e-0000-4000-8000-000000000002',
				name: 'Doris Schema',
				type: `${PACKAGE_NAME}.dorisSchema`,
				typeVersion: dorisSchemaVersion(),
				position: [240, 0],
				parameters: {},
				credentials: { dorisApi: { id: credential.id, name: credential.name } },
			},
		],
		connections: { 'Every hour': { main: [[{ node: 'Doris Schema', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Built-in nodes only: the REST API validates node parameters on activation. */
const toggleWorkflow: WorkflowJson = {
	id: 'toggleWorkflow001',
	name: 'n8n host toggle',
	nodes: [
		{
			id: '6f1c2d9e-0000-4000-8000-000000000011',
			name: 'Every hour',
			type: 'n8n-nodes-base.scheduleTrigger',
			typeVersion: 1.2,
			position: [0, 0],
			parameters: hourly,
		},
		{ id: '6f1c2d9e-0000-4000-8000-000000000012', name: 'Nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} },
	],
	connections: { 'Every hour': { main: [[{ node: 'Nothing', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

function iconPaths(iconUrl: unknown): string[] {
	if (typeof iconUrl === 'string') return [iconUrl];
	if (iconUrl !== null && typeof iconUrl === 'object') return Object.values(iconUrl).filter((v): v is string => typeof v === 'string');
	return [];
}

describe('n8n test host', { timeout: 300_000 }, () => {
	let n8n: N8nHost;
	const workflow = smokeWorkflow();

	before(async () => {
		n8n = await startN8n({ credentials: [credential], workflows: [workflow], editorUi: true });
		console.log(`n8n start (ms): ${JSON.stringify(n8n.timings)}`);
	});
	after(async () => {
		await n8n?.close();
	});

	it('loads the package under its own name, not as CUSTOM.*', async () => {
		const names = new Set((await n8n.rest.nodeTypes()).map((t) => t.name));
		for (const type of NODE_TYPES) assert.ok(names.has(type), `${type} is not among n8n's node types`);
		assert.ok(![...names].some((name) => name.startsWith('CUSTOM.')), 'the package was loaded as a custom extension');
	});

	it('lists the two credential types', async () => {
		const names = new Set((await n8n.rest.credentialTypes()).map((t) => t.name));
		for (const type of CREDENTIAL_TYPES) assert.ok(names.has(type), `${type} is not among n8n's credential types`);
	});

	it("serves the package's icons", async () => {
		const nodes = (await n8n.rest.nodeTypes()).filter((t) => NODE_TYPES.includes(t.name));
		const credentials = (await n8n.rest.credentialTypes()).filter((t) => CREDENTIAL_TYPES.includes(t.name));
		const urls = [...nodes, ...credentials].flatMap((t) => iconPaths(t.iconUrl));
		assert.ok(urls.length >= NODE_TYPES.length + CREDENTIAL_TYPES.length, `icon urls: ${urls.join(', ')}`);
		for (const url of urls) {
			assert.ok(url.startsWith(`icons/${PACKAGE_NAME}/`), url);
			const res = await fetch(`${n8n.baseUrl}/${url}`);
			assert.equal(res.status, 200, url);
			assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/, url);
			assert.match(await res.text(), /<svg[\s>]/, url);
		}
	});

	it('has the workflow published before start running, with our node in it', async () => {
		const status = await n8n.rest.publicationStatus(workflow.id!);
		assert.equal(status.status, 'published');
		assert.deepEqual(status.triggers.map((t) => t.status), ['activated']);
		assert.ok((await n8n.rest.activeWorkflowIds()).includes(workflow.id!));
		const stored = await n8n.rest.workflow(workflow.id!);
		assert.equal(stored.activeVersionId, stored.versionId);
		assert.ok(JSON.stringify(stored.nodes).includes(`"${PACKAGE_NAME}.dorisSchema"`));
	});

	it("resolves the runtime dependencies from the package, and n8n-workflow only from n8n's copy", () => {
		const nodeDir = path.join(n8n.userFolder, '.n8n/nodes/node_modules', PACKAGE_NAME, 'dist/nodes/DorisSchema');
		for (const dependency of ['kafkajs', 'undici', 'mysql2', 'prom-client', '@kafkajs/confluent-schema-registry']) {
			assert.ok(require.resolve(dependency, { paths: [nodeDir] }), dependency);
		}
		// n8n appends its own node_modules to NODE_PATH at start; nothing nearer may shadow it.
		assert.throws(() => require.resolve('n8n-workflow', { paths: [nodeDir] }), { code: 'MODULE_NOT_FOUND' });
	});

	it('creates a credential and a workflow through the REST API', async () => {
		const id = await n8n.addCredential({ id: 'restKafkaCred', name: 'Kafka (smoke)', type: 'kafkaDorisSinkApi', data: { brokers: '127.0.0.1:9092' } });
		assert.equal(n8n.credentialIds.get('restKafkaCred'), id);
		const stored = await n8n.rest.request<Array<{ id: string; type: string }>>('GET', '/rest/credentials');
		assert.deepEqual(stored.map((c) => c.type).sort(), ['dorisApi', 'kafkaDorisSinkApi']);
		assert.equal(await n8n.addWorkflow(toggleWorkflow), toggleWorkflow.id);
		assert.equal((await n8n.rest.publicationStatus(toggleWorkflow.id!)).status, 'published');
	});

	it('deactivates and activates a workflow at run time', async () => {
		const id = toggleWorkflow.id!;
		await n8n.deactivate(id);
		assert.equal((await n8n.rest.publicationStatus(id)).status, 'not_published');
		assert.ok(!(await n8n.rest.activeWorkflowIds()).includes(id));
		await n8n.activate(id);
		assert.equal((await n8n.rest.publicationStatus(id)).status, 'published');
	});

	it('comes back after kill -9 with its database, the workflow active again', async () => {
		const before = n8n.pid;
		await n8n.kill();
		assert.equal(n8n.running, false);
		await n8n.restart();
		assert.notEqual(n8n.pid, before);
		console.log(`n8n restart after kill -9 (ms): ${JSON.stringify(n8n.timings)}`);
		for (const id of [workflow.id!, toggleWorkflow.id!]) assert.equal((await n8n.rest.publicationStatus(id)).status, 'published');
		assert.ok((await n8n.rest.executions({ workflowId: workflow.id! })).every((e) => e.workflowId === workflow.id));
	});

	it('stops cleanly on SIGTERM', async () => {
		const pid = n8n.pid;
		assert.ok(pid);
		const { ms, forced } = await n8n.stop();
		console.log(`n8n stop (SIGTERM): ${ms} ms`);
		assert.equal(forced, false, 'n8n needed SIGKILL');
		assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
		assert.match(n8n.logText(), /Stopping n8n/);
	});
});
