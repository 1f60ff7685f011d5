/**
 * What the editor lists for the Doris nodes, read over the Doris test server's MySQL port: the Database
 * and Table resource locators' searches (version 1.1), the version-1 dropdowns, and Field Mapping's
 * columns with their Doris types, for a database and table stored either way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { getColumns, getTables, searchDatabases, searchTables } from '../../../nodes/shared/doris-methods';
import { closeDorisPools } from '../../../src/doris/mysql';
import { useDorisDatabase } from '../stream-load-support';

const db = useDorisDatabase({
	tables: [
		{ name: 'Orders', columns: 'id INT NOT NULL, amount DECIMAL(10, 2) NULL, created DATETIME(3) NULL', keys: 'UNIQUE KEY(id)' },
		{ name: 'order_lines', columns: 'id INT, sku VARCHAR(16)' },
		{ name: 'customers', columns: 'id INT, name VARCHAR(16)' },
	],
	teardown: closeDorisPools,
});

function context(parameters: Record<string, unknown>, credentialDatabase = 'd'): ILoadOptionsFunctions {
	return {
		getCredentials: async () => ({
			feUrls: db.server.feUrls.join(','),
			queryPort: db.server.mysqlPort,
			user: db.server.user,
			password: db.server.password,
			database: credentialDatabase,
		}),
		getCurrentNodeParameter: (name: string) => parameters[name],
	} as unknown as ILoadOptionsFunctions;
}

const locator = (value: string) => ({ __rl: true, mode: 'list', value });
const names = (results: Array<{ name: string }>) => results.map((r) => r.name);

describe('Doris lists for the editor', () => {
	it('searchDatabases: the credential default first, marked; a search filters without case', async () => {
		await db.server.sql('CREATE DATABASE other');
		const all = await searchDatabases.call(context({}));
		assert.deepEqual(all.results[0], { name: 'd (credential default)', value: 'd' });
		assert.ok(names(all.results).includes('other'));
		assert.deepEqual(names((await searchDatabases.call(context({}), 'OTH')).results), ['other']);
	});

	it('searchTables: the tables of the chosen database (locator or string), else of the credential default; filtered by the search', async () => {
		const tables = ['Orders', 'customers', 'order_lines'].sort();
		assert.deepEqual(names((await searchTables.call(context({ database: locator('d') }))).results).sort(), tables);
		assert.deepEqual(names((await searchTables.call(context({ database: locator('') }))).results).sort(), tables, 'empty = the credential default');
		assert.deepEqual(names((await searchTables.call(context({ database: 'd' }), 'order')).results).sort(), ['Orders', 'order_lines']);
		assert.deepEqual((await searchTables.call(context({ database: locator('') }, ''))).results, [], 'no database anywhere: nothing to list');
		assert.deepEqual((await getTables.call(context({ database: 'd' }))).map((o) => o.value).sort(), tables, 'the version-1 dropdown');
	});

	it("getColumns: the chosen table's columns with their types, for version 1 and 1.1; nothing without a table", async () => {
		const v11 = await getColumns.call(context({ database: locator('d'), table: locator('Orders') }));
		assert.deepEqual(v11, [
			{ name: 'id', value: 'id', description: 'INT, key, NOT NULL' },
			{ name: 'amount', value: 'amount', description: 'DECIMAL(10,2)' },
			{ name: 'created', value: 'created', description: 'DATETIME(3)' },
		]);
		assert.deepEqual(await getColumns.call(context({ database: 'd', table: 'Orders' })), v11);
		assert.deepEqual(await getColumns.call(context({ database: locator('d'), table: locator('') })), []);
		assert.deepEqual(await getColumns.call(context({ table: '={{ $json.table }}' })), [], 'an expression resolves only with an item');
	});
});
