/**
 * A table with HLL / BITMAP columns (no JSON value fills one) through the Stream Load client, against
 * the Doris test server acting as Doris' planner does (test/ground/doris/sketches.ts): with a Columns
 * expression for each the rows load; without, Doris refuses the load at once, and the failure says
 * which Columns expression to add.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { StreamLoadClient } from '../../src/doris/stream-load/client';
import { StreamLoadError } from '../../src/doris/stream-load/errors';
import { buildLoadHeaders } from '../../src/doris/stream-load/headers';
import { useDorisDatabase } from './stream-load-support';

const clients: StreamLoadClient[] = [];
const db = useDorisDatabase({
	tables: [{ name: 'visits', columns: 'id INT NOT NULL, hits BIGINT SUM, uv HLL HLL_UNION, users BITMAP BITMAP_UNION', keys: 'AGGREGATE KEY(id)' }],
	teardown: () => {
		for (const c of clients) c.close();
	},
});
let n = 0;

function load(columns?: string[]) {
	const client = new StreamLoadClient({
		feUrls: db.server.feUrls,
		user: db.server.user,
		password: db.server.password,
		retry: { maxRetries: 2, initialDelayMs: 20, maxDelayMs: 100, maxElapsedMs: 5_000 },
		requestTimeoutMs: 5000,
		labelWait: { pollIntervalMs: 50, maxWaitMs: 5000 },
	});
	clients.push(client);
	const label = `sketch_${process.pid}_${++n}`;
	const rows = [{ id: 1, hits: 1, user_id: 7 }, { id: 1, hits: 1, user_id: 8 }, { id: 1, hits: 1, user_id: 7 }];
	const body = [Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n')];
	return client.load({ database: 'd', table: 'visits', label, headers: buildLoadHeaders(columns === undefined ? { format: 'json' } : { format: 'json', columns }, label), body });
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
