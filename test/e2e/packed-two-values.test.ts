// One Item per Batch wired straight into Doris Stream Load, in real n8n: a message holding two JSON
// objects back to back (`{"id":10,…}{"id":100,…}`) among plain ones. Packed as a line, Doris' JSON
// reader loaded its first object and dropped the second without a word (no simdjson at_end(); the test
// server reads it so: test/ground/doris/load-source.ts firstValueOnly), and its offset was committed
// (review session 21, P2). Now the trigger makes it the `_parseError` item the per-message output makes,
// which the Stream Load node hands back on Rejected, here wired to the dead letters, with its raw text;
// every other row loads, every offset commits.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertTableEquals, DATABASE } from './support/doris';
import { startWorld, type E2eWorld } from './support/fixture';
import { packedStraightToStreamLoad } from './support/packed-to-load';
import { waitFor } from '../support/wait-for';

const COUNT = 20;
const TWO_AT = 10;
const TWO = `{"id":${TWO_AT},"name":"n${TWO_AT}"}{"id":100,"name":"n100"}`;

describe('One Item per Batch straight into Stream Load, in n8n: a message of two JSON objects', { timeout: 420_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('packed-two-values');
	});
	after(async () => {
		await world?.close();
	});

	it('is a dead letter with its raw text, not a row short: every other row loaded, offsets committed past it', async () => {
		const table = `two_values_${Date.now().toString(36)}`;
		// Trigger → Doris Stream Load, no Doris Schema node; On Error "Continue (using error output)" with the error
		// output leading nowhere, so what it cannot load goes to Rejected (the dead letters) with its own fields.
		const s = await packedStraightToStreamLoad(world, table, 1);
		const id = await s.deploy();
		const values = Array.from({ length: COUNT }, (_, i) => (i === TWO_AT ? TWO : JSON.stringify({ id: i, name: `n${i}` })));
		const producer = world.kafka.kafka.producer();
		await producer.connect();
		try {
			await producer.send({ topic: s.topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value, partition: 0 })) });
		} finally {
			await producer.disconnect();
		}
		await waitFor('every offset committed', async () => (await world.kafka.lag(s.groupId, s.topic)) === 0, { timeoutMs: 90_000, intervalMs: 250 });
		const rows = Array.from({ length: COUNT }, (_, i) => ({ id: i, name: `n${i}` })).filter((r) => r.id !== TWO_AT);
		assertTableEquals(world.doris.tableRows(DATABASE, table), rows, 'id', ['id', 'name']);
		const dead = await world.kafka.readAll(s.deadLetterTopic);
		assert.equal(dead.length, 1, `dead letters: ${dead.map((l) => l.value.slice(0, 200)).join(' | ')}`);
		const letter = JSON.parse(dead[0].value) as { _parseError: { raw: string }; _kafka: { offset: string } };
		assert.equal(letter._parseError.raw, TWO);
		assert.equal(letter._kafka.offset, String(TWO_AT));
		await world.n8n.deactivate(id);
	});
});
