// The CDC example in a running n8n, on the real broker and the Doris test server, fed a PostgreSQL
// delete as Debezium writes it under the default REPLICA IDENTITY: the old tuple holds the key alone and
// Debezium fills the NOT NULL columns of `before` with its fallbacks (name "", updated_at 0), so the
// sequence column (updated_at) read 1970-01-01. Before (review session 20, F1) that delete loaded with the
// sign, counted as loaded, its offset committed, and Doris ignored it (a sequence value below the stored
// row's): the row stayed with no word anywhere. Now it goes to Invalid, the example's dead-letter topic,
// with rule delete_sequence naming REPLICA IDENTITY FULL; the whole-row delete of another key applies.
// Needs `npm run build` and the broker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { datetime3 } from './support/events';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitForCommitted } from './support/progress';

const source = { connector: 'postgresql', db: 'inventory', schema: 'public', table: 'customers' };
const UPDATED_AT = Date.UTC(2026, 11, 7, 9, 0, 0);

describe('a PostgreSQL key-only delete (REPLICA IDENTITY DEFAULT) in the CDC example', { timeout: 300_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('pg-key-only-delete');
	});
	after(async () => {
		await world?.close();
	});

	it('goes to the dead-letter topic naming delete_sequence and REPLICA IDENTITY FULL; its row stays, visibly; a whole-row delete applies', async () => {
		const scenario = await prepareScenario(world, 'cdc-debezium', { partitions: 1, tableFrom: 'customers', ddl: 'cdc' });
		const row = (id: number) => ({ id, name: `Customer ${id}`, email: null, tier: 'gold', balance: '1.00', updated_at: UPDATED_AT });
		const event = (id: string, key: number, value: Record<string, unknown>) => ({ id, key: JSON.stringify({ id: key }), partition: 0, value: JSON.stringify({ ...value, ts_ms: 1, source }) });
		const events = [
			event('c7', 7, { before: null, after: row(7), op: 'c' }),
			event('c8', 8, { before: null, after: row(8), op: 'c' }),
			// DELETE FROM customers WHERE id = 7 under REPLICA IDENTITY DEFAULT.
			event('d7', 7, { before: { id: 7, name: '', email: null, tier: null, balance: null, updated_at: 0 }, after: null, op: 'd' }),
			// REPLICA IDENTITY FULL: the whole row.
			event('d8', 8, { before: row(8), after: null, op: 'd' }),
		];
		await scenario.deploy();
		await world.kafka.produce(scenario.topic, events, 100, 1);
		await waitForCommitted(world, scenario, 60_000);

		const deadLetters = (await world.kafka.readAll(scenario.deadLetterTopic)).map((m) => JSON.parse(m.value) as { payload?: { before?: { id?: number } }; before?: { id?: number }; _invalid?: { reasons: Array<{ rule: string; column: string; message: string }> } });
		assert.equal(deadLetters.length, 1, JSON.stringify(deadLetters));
		const [reason] = deadLetters[0]._invalid?.reasons ?? [];
		assert.equal(reason?.rule, 'delete_sequence');
		assert.equal(reason?.column, 'updated_at');
		assert.match(reason?.message ?? '', /is "1970-01-01 00:00:00\.000".*REPLICA IDENTITY FULL/);
		assert.equal((deadLetters[0].payload?.before ?? deadLetters[0].before)?.id, 7);
		const rows = world.doris.tableRows('demo', scenario.table);
		assert.deepEqual(rows.map((r) => ({ id: Number(r.id), updated_at: r.updated_at })), [{ id: 7, updated_at: datetime3(UPDATED_AT) }], 'id 7 stays (named in the dead letter), id 8 deleted');
	});
});
