// Doris Stream Load on On Error "Continue (using error output)" with its error output (the third) wired to
// the dead letters, One Item per Batch wired straight from the Kafka trigger, in real n8n: a message that
// does not decode at all (bytes that are not UTF-8) and one holding two JSON objects back to back are the
// `_parseError` items the trigger makes of them, which the node cannot load. (Text that merely is not
// JSON, `not json{`, is packed as a line and fails the whole batch in Doris, as README says; the
// failed batch then reaches the dead letters as its `packedRows`.) Each dead letter must hold the item's own fields (`_parseError.raw`,
// `_kafka.offset`) and the reason; a letter of only `{"error":…}` would not say which message failed nor
// keep its text, while its offset commits (reported in session 21).
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertTableEquals, DATABASE } from './support/doris';
import { startWorld, type E2eWorld } from './support/fixture';
import { packedStraightToStreamLoad } from './support/packed-to-load';
import { waitFor } from '../support/wait-for';

const COUNT = 12;
const UNDECODABLE_AT = 4;
// `{"id":4,"name":"<0xff>"}`: 0xff never occurs in UTF-8.
const UNDECODABLE = Buffer.concat([Buffer.from('{"id":4,"name":"'), Buffer.from([0xff]), Buffer.from('"}')]);
const TWO_AT = 8;
const TWO = `{"id":${TWO_AT},"name":"n${TWO_AT}"}{"id":100,"name":"n100"}`;

interface Letter {
	error?: unknown;
	_parseError?: { raw?: string; rawEncoding?: string };
	_kafka?: { offset?: string };
}

describe('Stream Load error output wired to the dead letters, in n8n: items it cannot decode', { timeout: 420_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('error-output-letters');
	});
	after(async () => {
		await world?.close();
	});

	it('are dead letters with their raw text, offset and reason; every other row loaded, offsets committed', async () => {
		const table = `error_output_${Date.now().toString(36)}`;
		// Trigger → Doris Stream Load, no Doris Schema node; the error output (third) leads to the dead letters,
		// Rejected leads nowhere, so n8n's handleNodeErrorOutput moves the failed items there.
		const s = await packedStraightToStreamLoad(world, table, 2);
		const id = await s.deploy();
		const values = Array.from({ length: COUNT }, (_, i) => (i === UNDECODABLE_AT ? UNDECODABLE : Buffer.from(i === TWO_AT ? TWO : JSON.stringify({ id: i, name: `n${i}` }))));
		const producer = world.kafka.kafka.producer();
		await producer.connect();
		try {
			await producer.send({ topic: s.topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value, partition: 0 })) });
		} finally {
			await producer.disconnect();
		}
		await waitFor('every offset committed', async () => (await world.kafka.lag(s.groupId, s.topic)) === 0, { timeoutMs: 90_000, intervalMs: 250 });
		const rows = Array.from({ length: COUNT }, (_, i) => ({ id: i, name: `n${i}` })).filter((r) => r.id !== UNDECODABLE_AT && r.id !== TWO_AT);
		assertTableEquals(world.doris.tableRows(DATABASE, table), rows, 'id', ['id', 'name']);
		const dead = await world.kafka.readAll(s.deadLetterTopic);
		const shown = dead.map((l) => l.value.slice(0, 300)).join(' | ');
		assert.equal(dead.length, 2, `dead letters: ${shown}`);
		const byOffset = new Map(dead.map((l) => JSON.parse(l.value) as Letter).map((letter) => [letter._kafka?.offset, letter]));
		for (const [offset, raw] of [[UNDECODABLE_AT, UNDECODABLE], [TWO_AT, Buffer.from(TWO)]] as const) {
			const letter = byOffset.get(String(offset));
			assert.ok(letter !== undefined, `no dead letter holds _kafka.offset ${offset}: ${shown}`);
			const encoding = letter._parseError?.rawEncoding === 'base64' ? 'base64' : 'utf8';
			assert.equal(letter._parseError?.raw, raw.toString(encoding), `dead letter at offset ${offset}: ${shown}`);
			assert.match(String(letter.error), /could not be decoded/, `dead letter at offset ${offset} says why: ${shown}`);
		}
		await world.n8n.deactivate(id);
	});
});
