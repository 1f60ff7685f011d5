// A message nested 8,000 levels deep (16 KB) among normal ones, in real n8n: Kafka Trigger → Doris
// Schema → Doris Stream Load (the orders example's wiring, dead letters included), per message and
// One Item per Batch. JSON.parse reads it, but serialising it after that overflows the stack (~4,400
// levels for JSON.stringify on n8n's main thread): the execution failed on every delivery and the
// partition stalled for ever. Now it is a `_parseError` item naming its depth and the limit, on the
// dead-letter topic with its raw text and offset; every other row loads and every offset commits.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertTableEquals, DATABASE } from './support/doris';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { nestedJson } from '../support/deep-json';
import { waitFor } from '../support/wait-for';

const COUNT = 20;
const DEEP_AT = 10;
const DEEP = nestedJson(8000);

describe('a value nested too deep, in n8n: on the dead letters, the partition goes on', { timeout: 420_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('deep-json');
	});
	after(async () => {
		await world?.close();
	});

	for (const output of ['message', 'batch']) {
		it(`${output === 'batch' ? 'One Item per Batch' : 'per message'}: all normal rows loaded, the deep one a dead letter with its reason, offsets committed past it`, async () => {
			const table = `deep_${output}_${Date.now().toString(36)}`;
			await world.doris.sql(
				`CREATE TABLE ${DATABASE}.${table} (id BIGINT NOT NULL, name VARCHAR(64) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`,
			);
			const s = await prepareScenario(world, 'orders-low-frequency', {
				partitions: 1,
				tableFrom: 'orders',
				ddl: 'orders',
				overrides: { trigger: { output, format: 'json' }, schema: { table }, streamLoad: { table } },
			});
			const id = await s.deploy();
			const values = Array.from({ length: COUNT }, (_, i) => (i === DEEP_AT ? DEEP : JSON.stringify({ id: i, name: `n${i}` })));
			const producer = world.kafka.kafka.producer();
			await producer.connect();
			try {
				await producer.send({ topic: s.topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value, partition: 0 })) });
			} finally {
				await producer.disconnect();
			}
			await waitFor('every offset committed', async () => (await world.kafka.lag(s.groupId, s.topic)) === 0, { timeoutMs: 90_000, intervalMs: 250 });
			const rows = Array.from({ length: COUNT }, (_, i) => ({ id: i, name: `n${i}` })).filter((r) => r.id !== DEEP_AT);
			assertTableEquals(world.doris.tableRows(DATABASE, table), rows, 'id', ['id', 'name']);
			const letters = await world.kafka.readAll(s.deadLetterTopic);
			assert.equal(letters.length, 1, `dead letters: ${letters.map((l) => l.value.slice(0, 200)).join(' | ')}`);
			const letter = JSON.parse(letters[0].value) as { _parseError: { raw: string }; _kafka: { offset: string } };
			assert.equal(letter._parseError.raw, DEEP);
			assert.equal(letter._kafka.offset, String(DEEP_AT));
			assert.match(letters[0].headers['x-dead-letter-reason'], /nests 8000 levels of arrays\/objects, deeper than the 1024 allowed/);
			await world.n8n.deactivate(id);
		});
	}
});
