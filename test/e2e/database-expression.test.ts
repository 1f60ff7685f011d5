// A Database given as an expression in real n8n: Kafka Trigger (one item per message) → Doris Schema →
// Doris Stream Load (the orders example's wiring), both Doris nodes' Database `={{ $json.region === "b"
// ? "<other>" : "demo" }}`. Each row must load into its own database's table of the same name; before,
// both nodes read the Database for item 0 only and every row of an execution loaded into item 0's
// database, the execution succeeding and its offsets committed.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import { after, before, describe, it } from 'node:test';

import { assertTableEquals, DATABASE } from './support/doris';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitFor } from '../support/wait-for';

const OTHER = 'demo_other';
const COUNT = 40;

describe('a Database expression, in n8n: each row in its own database', { timeout: 420_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('database-expression');
		await world.doris.sql(`CREATE DATABASE ${OTHER}`);
	});
	after(async () => {
		await world?.close();
	});

	it('rows of region "b" load into the other database, the rest into demo; every offset committed', async () => {
		const table = `regions_${Date.now().toString(36)}`;
		for (const database of [DATABASE, OTHER]) {
			await world.doris.sql(
				`CREATE TABLE ${database}.${table} (id BIGINT NOT NULL, name VARCHAR(64) NULL, region VARCHAR(8) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`,
			);
		}
		const database = `={{ $json.region === "b" ? "${OTHER}" : "${DATABASE}" }}`;
		const s = await prepareScenario(world, 'orders-low-frequency', {
			partitions: 1,
			tableFrom: 'orders',
			ddl: 'orders',
			overrides: { trigger: { output: 'message', format: 'json' }, schema: { database, table }, streamLoad: { database, table } },
		});
		const id = await s.deploy();
		const rows = Array.from({ length: COUNT }, (_, i) => ({ id: i, name: `n${i}`, region: i % 3 === 1 ? 'b' : 'a' }));
		const producer = world.kafka.kafka.producer();
		await producer.connect();
		try {
			await producer.send({ topic: s.topic, acks: -1, messages: rows.map((row) => ({ key: `k${row.id}`, value: JSON.stringify(row), partition: 0 })) });
		} finally {
			await producer.disconnect();
		}
		await waitFor('every offset committed', async () => (await world.kafka.lag(s.groupId, s.topic)) === 0, { timeoutMs: 90_000, intervalMs: 250 });
		const columns = ['id', 'name', 'region'];
		assertTableEquals(world.doris.tableRows(DATABASE, table), rows.filter((r) => r.region === 'a'), 'id', columns);
		assertTableEquals(world.doris.tableRows(OTHER, table), rows.filter((r) => r.region === 'b'), 'id', columns);
		await world.n8n.deactivate(id);
	});
});
