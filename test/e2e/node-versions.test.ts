// The package as n8n 2.40.7 sees it: each node's codex file (<Node>.node.json, built into dist/) gives
// its categories and documentation links in n8n's node types; and the two versions of the Doris nodes
// both load: a workflow saved before resource locators (typeVersion 1, plain database and table names,
// as examples/ held them) and the current one (1.1, resource locators) each land their orders in Doris.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../ground/n8n/install';
import { DATABASE } from './support/doris';
import { orderEvents } from './support/events';
import { asVersion1, LOCATOR_VERSION, NODE_TYPES, nodeOfType } from './support/examples';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { timeUntil } from '../support/wait-for';

interface Codex {
	categories?: string[];
	resources?: { primaryDocumentation?: Array<{ url: string }>; credentialDocumentation?: Array<{ url: string }> };
}

const NODES = { kafkaTrigger: 'KafkaTrigger', dorisSchema: 'DorisSchema', dorisStreamLoad: 'DorisStreamLoad' } as const;

function sourceCodex(folder: string): Codex {
	return JSON.parse(readFileSync(path.join(REPO_ROOT, 'nodes', folder, `${folder}.node.json`), 'utf8')) as Codex;
}

describe('the nodes as n8n loads them: codex, and both versions of the Doris nodes', { timeout: 300_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('node-versions', { editorUi: true });
	});
	after(async () => {
		await world?.close();
	});

	it("shows each node's codex categories and documentation links in n8n's node types", async () => {
		const types = await world.n8n.rest.nodeTypes();
		for (const [name, folder] of Object.entries(NODES)) {
			const expected = sourceCodex(folder);
			const versions = types.filter((t) => t.name === `n8n-nodes-doris-sinker.${name}`);
			assert.ok(versions.length > 0, `n8n lists no ${name}`);
			for (const type of versions) {
				const codex = type.codex as Codex | undefined;
				assert.deepEqual(codex?.categories, expected.categories, `${name} ${String(type.version)}: categories`);
				assert.deepEqual(codex?.resources?.primaryDocumentation, expected.resources?.primaryDocumentation, `${name}: documentation`);
				assert.deepEqual(codex?.resources?.credentialDocumentation, expected.resources?.credentialDocumentation, `${name}: credential documentation`);
			}
		}
		const streamLoad = types.filter((t) => t.name === NODE_TYPES.streamLoad).flatMap((t) => (Array.isArray(t.version) ? t.version : [t.version]));
		assert.deepEqual([...new Set(streamLoad)].sort(), [1, LOCATOR_VERSION]);
		const links = sourceCodex('DorisStreamLoad').resources?.primaryDocumentation?.map((d) => d.url) ?? [];
		assert.ok(links.some((url) => url.includes('doris.apache.org') && url.includes('stream-load-manual')), "Stream Load links Doris' manual");
	});

	for (const saved of ['version 1 (plain names)', `version ${LOCATOR_VERSION} (resource locators)`]) {
		it(`a workflow saved with ${saved} loads its orders into Doris`, async (t) => {
			const scenario = await prepareScenario(world, 'orders-low-frequency', { partitions: 1, tableFrom: 'orders', ddl: 'orders' });
			const workflow = saved.startsWith('version 1 ') ? asVersion1(scenario.workflow) : scenario.workflow;
			const load = nodeOfType(workflow, NODE_TYPES.streamLoad);
			const schema = nodeOfType(workflow, NODE_TYPES.schema);
			if (saved.startsWith('version 1 ')) {
				assert.equal(load.typeVersion, 1);
				assert.equal(load.parameters.table, scenario.table);
			} else {
				assert.equal(schema.typeVersion, LOCATOR_VERSION);
				assert.deepEqual(load.parameters.table, { __rl: true, mode: 'list', value: scenario.table });
			}
			const orders = orderEvents(20, 1);
			await world.kafka.produce(scenario.topic, orders);
			const { id: _exampleId, ...body } = workflow;
			const { id } = await world.n8n.rest.createWorkflow(body);
			await world.n8n.activate(id);
			const tookMs = await timeUntil(`${orders.length} orders in ${scenario.table}`, () => world.doris.tableRows(DATABASE, scenario.table).length === orders.length, {
				timeoutMs: 60_000,
				progress: () => `${world.doris.tableRows(DATABASE, scenario.table).length} rows`,
			});
			await timeUntil('every offset committed', async () => (await world.kafka.lag(scenario.groupId, scenario.topic)) === 0, 30_000);
			const stored = await world.n8n.rest.workflow(id);
			const storedLoad = (stored.nodes as Array<{ type: string; typeVersion: number }>).find((n) => n.type === NODE_TYPES.streamLoad);
			assert.equal(storedLoad?.typeVersion, load.typeVersion, 'n8n keeps the version the workflow was saved with');
			await world.n8n.deactivate(id);
			t.diagnostic(`${saved}: ${orders.length} orders in Doris ${tookMs} ms after activation`);
		});
	}
});
