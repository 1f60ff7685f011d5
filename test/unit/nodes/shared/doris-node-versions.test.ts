// The Doris Schema and Doris Stream Load nodes pick their database and table with resource locators
// from version 1.1 on; version-1 workflows (plain strings, examples saved before 1.1) keep their
// dropdowns through an editor save, and both versions read the same settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeHelpers, type INode, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';

// `.node.js`: without it Node resolves the codex file (<Node>.node.json) before the TypeScript source.
import { DorisSchema } from '../../../../nodes/DorisSchema/DorisSchema.node.js';
import { DorisStreamLoad } from '../../../../nodes/DorisStreamLoad/DorisStreamLoad.node.js';
import { readSchemaSettings } from '../../../../nodes/DorisSchema/actions/settings';
import { readSettings } from '../../../../nodes/DorisStreamLoad/settings';
import { locatedName } from '../../../../nodes/shared/settings';

const nodes: Array<[string, INodeTypeDescription]> = [
	['dorisSchema', new DorisSchema().description],
	['dorisStreamLoad', new DorisStreamLoad().description],
];

function node(type: string, typeVersion: number, parameters: INodeParameters = {}): INode {
	return { id: 'n', name: type, type: `n8n-nodes-doris-sinker.${type}`, typeVersion, position: [0, 0], parameters };
}

/** The parameters n8n keeps for a node saved with `stored` (as an editor save or an import does). */
function saved(description: INodeTypeDescription, type: string, version: number, stored: INodeParameters, withDefaults = false): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, { ...stored }, withDefaults, false, node(type, version, stored), description) ?? {};
}

const locator = (value: string, mode = 'list') => ({ __rl: true, mode, value });

function context(type: string, version: number, params: Record<string, unknown>) {
	return {
		getNode: () => node(type, version),
		getNodeParameter: ((name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback)) as never,
	};
}

describe('Doris node versions', () => {
	for (const [type, description] of nodes) {
		it(`${type}: new nodes are version 1.1, with resource locators for database and table`, () => {
			assert.deepEqual(description.version, [1, 1.1]);
			const fresh = saved(description, type, 1.1, {}, true);
			assert.deepEqual(fresh.database, locator(''));
			assert.deepEqual(fresh.table, locator(''));
			assert.equal(saved(description, type, 1, {}, true).table, '', 'version 1 keeps its dropdown');
			const kept = saved(description, type, 1.1, { database: locator('demo'), table: locator('orders', 'name') });
			assert.deepEqual(kept.table, locator('orders', 'name'));
		});

		it(`${type}: a version-1 workflow keeps its plain database and table through a save, with no issue`, () => {
			const stored = { database: 'demo', table: 'orders' };
			const kept = saved(description, type, 1, stored);
			assert.equal(kept.database, 'demo');
			assert.equal(kept.table, 'orders');
			assert.equal(NodeHelpers.getNodeParametersIssues(description.properties, node(type, 1, kept), description), null);
		});
	}

	it('both versions read the same database and table (a locator in list or name mode, or a string)', () => {
		for (const [database, table] of [
			['demo', 'orders'],
			[locator('demo'), locator('orders')],
			[locator('demo', 'name'), locator(' orders ', 'name')],
		]) {
			const load = readSettings(context('dorisStreamLoad', 1.1, { database, table }));
			assert.equal(load.database, 'demo');
			assert.equal(load.table, 'orders');
			const schema = readSchemaSettings(context('dorisSchema', 1.1, { database, table }));
			assert.equal(schema.database, 'demo');
			assert.equal(schema.table, 'orders');
		}
		assert.throws(() => readSettings(context('dorisStreamLoad', 1.1, { table: locator('') })), /Table is empty/);
		assert.equal(readSettings(context('dorisStreamLoad', 1.1, { database: locator(''), table: locator('t') })).database, '', 'empty = the credential default');
	});

	it('locatedName reads strings, numbers and locators; anything else is empty', () => {
		assert.equal(locatedName(' t '), 't');
		assert.equal(locatedName(locator('t')), 't');
		assert.equal(locatedName(undefined), '');
		assert.equal(locatedName({ value: 't' }), '');
	});

	it('Doris Stream Load is not a tool for AI agents; Doris Schema is', () => {
		assert.equal(new DorisStreamLoad().description.usableAsTool, undefined);
		assert.equal(new DorisSchema().description.usableAsTool, true);
	});
});
