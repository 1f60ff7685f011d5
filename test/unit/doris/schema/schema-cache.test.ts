// SchemaCache.reread (src/doris/schema/schema-cache.ts): the schema it answers with was read after
// `since`; within the rate limit it waits for the next read, which every waiting caller shares.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DorisConnection } from '../../../../src/doris/connection';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { SchemaCache } from '../../../../src/doris/schema/schema-cache';
import type { TableSchema } from '../../../../src/doris/schema/types';

const connection = { feUrls: ['http://127.0.0.1:8030'], queryPort: 9030, user: 'u', password: 'p', database: 'd' } as unknown as DorisConnection;

/** A reader whose table the test widens; `reads` counts reads, `fail` makes the next one fail. */
function fakeTable() {
	const state = { reads: 0, width: 4, fail: false };
	const reader = async (): Promise<TableSchema> => {
		state.reads++;
		if (state.fail) throw new Error('FE unreachable');
		return manualSchema('d', 't', [{ name: 'name', type: `VARCHAR(${state.width})` }]);
	};
	return { state, cache: new SchemaCache(reader) };
}
const widthOf = (schema: TableSchema | undefined) => schema?.columns[0].typeText;

describe('SchemaCache.reread', () => {
	it('a schema read after `since` answers at once; an older one waits for the next allowed read, shared by every caller', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
		const { state, cache } = fakeTable();
		await cache.get(connection, 'd', 't');
		assert.equal(widthOf(await cache.reread(connection, 'd', 't', 2_000, 1_000_000)), 'VARCHAR(4)', 'read at `since`: no wait');
		assert.equal(state.reads, 1);
		state.width = 32; // ALTER TABLE … MODIFY COLUMN
		t.mock.timers.tick(500);
		const since = Date.now();
		const waiting = [cache.reread(connection, 'd', 't', 2_000, since), cache.reread(connection, 'd', 't', 2_000, since)];
		let settled = false;
		void Promise.all(waiting).then(() => (settled = true));
		await Promise.resolve();
		t.mock.timers.tick(1_400);
		await Promise.resolve();
		assert.equal(settled, false, 'the stale schema is not handed out within the rate limit');
		t.mock.timers.tick(100);
		const answers = await Promise.all(waiting);
		assert.deepEqual(answers.map(widthOf), ['VARCHAR(32)', 'VARCHAR(32)']);
		assert.equal(state.reads, 2, 'one read for both callers');
	});

	it('a read that fails throws: the items cannot be judged', async () => {
		const { state, cache } = fakeTable();
		await cache.get(connection, 'd', 't');
		state.fail = true;
		await assert.rejects(cache.reread(connection, 'd', 't', 0, Date.now() + 1), /FE unreachable/);
		assert.equal(await cache.reread(connection, 'x', 'never-read', 0), undefined);
	});
});

describe('SchemaCache keys: names that differ only in case', () => {
	/** A reader that answers each table with a column named after it, counting reads per name. */
	function tablesByName() {
		const reads: string[] = [];
		const reader = async (_c: DorisConnection, database: string, table: string): Promise<TableSchema> => {
			reads.push(`${database}.${table}`);
			return manualSchema(database, table, [{ name: `${table}_col`, type: 'INT' }]);
		};
		return { reads, cache: new SchemaCache(reader) };
	}

	// Doris compares table names with their case by default (lower_case_table_names 0) and database
	// names always: before, the key was lower-cased and `users` got `Users`' schema.
	it('`Users` and `users`, `D.t` and `d.t` are read and kept apart', async () => {
		const { reads, cache } = tablesByName();
		assert.equal((await cache.get(connection, 'd', 'Users')).columns[0].name, 'Users_col');
		assert.equal((await cache.get(connection, 'd', 'users')).columns[0].name, 'users_col');
		assert.equal((await cache.get(connection, 'D', 'users')).database, 'D');
		assert.deepEqual(reads, ['d.Users', 'd.users', 'D.users']);
		await cache.get(connection, 'd', 'Users');
		assert.equal(reads.length, 3, 'each kept');
	});

	it('the host is one whatever its case', async () => {
		const { reads, cache } = tablesByName();
		await cache.get({ ...connection, queryHost: 'DORIS-FE' } as DorisConnection, 'd', 't');
		await cache.get({ ...connection, queryHost: 'doris-fe' } as DorisConnection, 'd', 't');
		assert.deepEqual(reads, ['d.t']);
	});

	// On a cluster with lower_case_table_names 1 or 2 the two spellings are one table: the Stream Load
	// node invalidating `users` after Doris refused a load must make the Doris Schema node's `Users` re-read.
	it('invalidate() marks every spelling of the name stale', async () => {
		const { reads, cache } = tablesByName();
		await cache.get(connection, 'd', 'Users');
		await cache.get(connection, 'd', 'other');
		cache.invalidate(connection, 'D', 'users');
		await cache.get(connection, 'd', 'Users');
		await cache.get(connection, 'd', 'other');
		assert.deepEqual(reads, ['d.Users', 'd.other', 'd.Users']);
	});
});
