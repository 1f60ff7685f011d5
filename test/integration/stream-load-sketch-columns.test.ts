/**
 * A table with HLL / BITMAP columns (no JSON value fills one) through the Stream Load client, against
 * the Doris test server acting as Doris' planner does (test/ground/doris/sketches.ts): with a Columns
 * expression for each the rows load; without, Doris refuses the load at once, and the failure says
 * which Columns expression to add.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { jsonLoadRequest, streamLoadClientsIn, useDorisDatabase } from './stream-load-support';

const db = useDorisDatabase({
	tables: [{ name: 'visits', columns: 'id INT NOT NULL, hits BIGINT SUM, uv HLL HLL_UNION, users BITMAP BITMAP_UNION', keys: 'AGGREGATE KEY(id)' }],
	teardown: () => clients.closeAll(),
});
const clients = streamLoadClientsIn(db, { retry: { maxRetries: 2, initialDelayMs: 20, maxDelayMs: 100, maxElapsedMs: 5_000 } });

function load(columns?: string[]) {
	const rows = [{ id: 1, hits: 1, user_id: 7 }, { id: 1, hits: 1, user_id: 8 }, { id: 1, hits: 1, user_id: 7 }];
	return clients.make().load(jsonLoadRequest('sketch', rows, 'visits', columns));
}

describe('Stream Load into a table with HLL / BITMAP columns', () => {
	it('without a Columns expression for them, Doris refuses the load at once and the error says what to add', async () => {
		const error = await load().catch((e: unknown) => e);
		assert.ok(error instanceof StreamLoadError, String(error));
		assert.equal(error.attempts, 1);
		assert.match(error.message, /HLL column must use hll_hash function, like uv=hll_hash\(xxx\)/);
		assert.match(error.message, /hint: .*Columns.*uv = hll_hash\(<field>\)/);
		assert.deepEqual(db.server.tableRows('d', 'visits'), []);
	});

	it('with Columns expressions the rows load, the sketches merged by their union', async () => {
		await load(['id', 'hits', 'user_id', 'uv = hll_hash(user_id)', 'users = to_bitmap(user_id)']);
		assert.deepEqual(db.server.tableRows('d', 'visits'), [{ id: 1, hits: 3, uv: '7,8', users: '7,8' }]);
	});
});
