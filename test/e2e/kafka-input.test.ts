// More ways in, in real n8n, Kafka Trigger → Doris Schema → Doris Stream Load (the orders example's
// wiring, dead letters included):
// - One Item per Batch with Add Kafka Fields: the message key, a header and the offset land in Doris
//   columns (before, the lines carried only the value); a malformed JSON value reaches the dead-letter
//   topic with its own text and offset (before, with the fields spliced into its text);
// - delimited text (CSV) messages named by Column Names and loaded with Stream Load's CSV format; a
//   malformed record reaches the dead-letter topic with its reason and nothing is lost, and so does a
//   record whose value a CSV line cannot carry (a line break), from Stream Load's Rejected output;
// - the same CSV in One Item per Batch (rows as JSON lines).
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { assertTableEquals, DATABASE } from './support/doris';
import { prepareScenario, startWorld, type E2eWorld } from './support/fixture';
import { waitForCommitted } from './support/progress';
import { waitFor } from '../support/wait-for';

const COLUMNS = ['id', 'event_key', 'tenant', 'src_offset', 'name', 'amount', 'note'] as const;

describe('Kafka input in n8n: key and headers as columns, delimited text', { timeout: 420_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('kafka-input');
	});
	after(async () => {
		await world?.close();
	});

	/** The orders example pointed at a table of this test's own columns. */
	async function scenario(name: string, trigger: Record<string, unknown>, streamLoad: Record<string, unknown> = {}) {
		const table = `kin_${name}_${Date.now().toString(36)}`;
		await world.doris.sql(
			`CREATE TABLE ${DATABASE}.${table} (id BIGINT NOT NULL, event_key VARCHAR(32) NULL, tenant VARCHAR(32) NULL, src_offset BIGINT NULL, name VARCHAR(64) NULL, amount DECIMAL(10, 2) NULL, note STRING NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`,
		);
		const prepared = await prepareScenario(world, 'orders-low-frequency', {
			partitions: 1,
			tableFrom: 'orders',
			ddl: 'orders',
			overrides: { trigger, schema: { table }, streamLoad: { table, ...streamLoad } },
		});
		return { ...prepared, table };
	}

	async function produce(topic: string, messages: Array<{ key?: string; value: string; headers?: Record<string, string> }>) {
		const producer = world.kafka.kafka.producer();
		await producer.connect();
		try {
			await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition: 0 })) });
		} finally {
			await producer.disconnect();
		}
	}

	async function waitForRows(table: string, count: number) {
		await waitFor(`${count} rows in ${DATABASE}.${table}`, () => world.doris.tableRows(DATABASE, table).length >= count, {
			timeoutMs: 90_000,
			progress: () => `${world.doris.tableRows(DATABASE, table).length} rows`,
			intervalMs: 250,
		});
	}

	it('One Item per Batch with Add Kafka Fields: key, header and offset are columns', async () => {
		const fields = [
			{ source: 'key', name: 'event_key' },
			{ source: 'header', header: 'tenant-id', name: 'tenant' },
			{ source: 'offset', name: 'src_offset' },
		];
		const s = await scenario('fields', { output: 'batch', format: 'json', options: { includeMetadata: true, kafkaFields: { field: fields } } });
		const id = await s.deploy();
		const sent = Array.from({ length: 30 }, (_, i) => ({
			key: `key-${i}`,
			value: JSON.stringify({ id: i, name: `n${i}`, amount: `${i}.25`, note: i === 3 ? null : 'ok' }),
			headers: (i % 5 === 0 ? {} : { 'tenant-id': `t${i % 3}` }) as Record<string, string>,
		}));
		// Malformed values that start with "{": no fields are spliced in, so each dead letter carries the produced text.
		const malformed = ['{"id":100,', '{"id":101} trailing', ' {"id":102,"name":"x",}'];
		await produce(s.topic, [...sent, ...malformed.map((value, k) => ({ key: `bad-${k}`, value, headers: { 'tenant-id': 't1' } }))]);
		await waitForRows(s.table, sent.length);
		await waitForCommitted(world, s, 90_000);
		const letters = (await world.kafka.readAll(s.deadLetterTopic)).map((l) => JSON.parse(l.value) as Record<string, { raw?: string; offset?: string }>);
		assert.deepEqual(
			letters.map((l) => [l._kafka?.offset, l._parseError?.raw]),
			malformed.map((value, k) => [String(sent.length + k), value]),
			`dead letters: ${JSON.stringify(letters)}`,
		);
		const expected = sent.map((m, i) => ({
			id: i,
			event_key: m.key,
			tenant: m.headers['tenant-id'] ?? null,
			src_offset: i,
			name: `n${i}`,
			amount: `${i}.25`,
			note: i === 3 ? null : 'ok',
		}));
		assertTableEquals(world.doris.tableRows(DATABASE, s.table), expected, 'id', COLUMNS);
		await world.n8n.deactivate(id);
	});

	// Review session 17, leftover 3: on One Item per Message the trigger moves a value's own `_doris` into
	// the item's `_doris.ownFields`; a table column named `_doris` then got NULL (or the execution failed on
	// the item's information mapped into it), where a packed line's value loaded.
	it('per message, a value\'s own _doris lands in a table column of that name, through n8n', async () => {
		const table = `kin_own_doris_${Date.now().toString(36)}`;
		await world.doris.sql(`CREATE TABLE ${DATABASE}.${table} (id BIGINT NOT NULL, _doris VARCHAR(64) NULL, name VARCHAR(64) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`);
		const s = await prepareScenario(world, 'orders-low-frequency', {
			partitions: 1,
			tableFrom: 'orders',
			ddl: 'orders',
			overrides: { trigger: { output: 'message', format: 'json' }, schema: { table }, streamLoad: { table } },
		});
		const id = await s.deploy();
		const values = [{ id: 1, _doris: 'own one', name: 'a' }, { id: 2, name: 'b' }, { id: 3, _doris: 'own three', name: 'c' }];
		await produce(s.topic, values.map((v) => ({ value: JSON.stringify(v) })));
		await waitForRows(table, values.length);
		await waitForCommitted(world, s, 90_000);
		assertTableEquals(world.doris.tableRows(DATABASE, table), values.map((v) => ({ _doris: null, ...v })), 'id', ['id', '_doris', 'name']);
		assert.deepEqual(await world.kafka.readAll(s.deadLetterTopic), []);
		await world.n8n.deactivate(id);
	});

	const csvTrigger = { format: 'csv', csvColumns: 'id, name, amount, note', csvSeparator: '|', csvQuote: '"' };
	const csvMessages = [
		'1|Ann|12.50|plain',
		'2|"Doe | J"|3.00|"say ""hi"""',
		'3|Cy|\\N|no amount',
		'4|Dee|7.5', // one field short: malformed
		'5|Eve|1.00|"two\nlines"',
		'6|Fay|abc|not a decimal', // parses, but the Doris Schema node rejects the amount
		'7|Gus|2.345|rounds', // a third decimal: Doris would round it into 2.35, so it is rejected too
	];
	const csvRows = [
		{ id: 1, name: 'Ann', amount: '12.50', note: 'plain' },
		{ id: 2, name: 'Doe | J', amount: '3.00', note: 'say "hi"' },
		{ id: 3, name: 'Cy', amount: null, note: 'no amount' },
		{ id: 5, name: 'Eve', amount: '1.00', note: 'two\nlines' },
	];

	async function checkDeadLetters(topic: string, csvLoad = false) {
		const letters = await world.kafka.readAll(topic);
		const reasons = letters.map((l) => l.headers['x-dead-letter-reason']).sort();
		assert.equal(letters.length, csvLoad ? 4 : 3, `dead letters: ${JSON.stringify(letters)}`);
		if (csvLoad) {
			// A Doris CSV line cannot hold a line break: the Stream Load node's Rejected output hands the row back.
			assert.match(reasons.join('\n'), /Column "note" holds a line break: Doris would end the row there; use the JSON format for free text/);
			assert.ok(letters.some((l) => l.value.includes('"note":"two\\nlines"') && l.value.includes('csv_unwritable')), 'the row travels with rule csv_unwritable');
		}
		assert.match(reasons.join('\n'), /could not be decoded \(csv\): the record has 3 field\(s\), expected 4 \(id, name, amount, note\)/);
		assert.ok(letters.some((l) => l.value.includes('4|Dee|7.5')), 'the malformed record travels with its raw text');
		assert.ok(letters.some((l) => l.value.includes('"amount":"abc"')), 'the bad amount travels with its row');
		assert.match(reasons.join('\n'), /amount: more than 2 fractional digits: Doris would round the value/);
		assert.ok(letters.some((l) => l.value.includes('"amount":"2.345"')), 'the amount Doris would round travels with its row');
	}

	it('delimited text per message, loaded with Stream Load CSV: rows by column name, malformed records to the dead letters', async () => {
		const s = await scenario('csv', csvTrigger, { format: 'csv', csvColumns: 'id, name, amount, note' });
		const id = await s.deploy();
		// Record 5's note holds a line break, which a Doris CSV line cannot: it comes out on Rejected
		// (before, its execution failed on every delivery and the partition stalled).
		await produce(s.topic, csvMessages.map((value, i) => ({ key: `c${i}`, value })));
		const rows = csvRows.filter((r) => r.id !== 5);
		await waitForRows(s.table, rows.length);
		await waitFor('every offset committed', async () => (await world.kafka.lag(s.groupId, s.topic)) === 0, { timeoutMs: 60_000, intervalMs: 250 });
		assertTableEquals(world.doris.tableRows(DATABASE, s.table), rows, 'id', ['id', 'name', 'amount', 'note']);
		const loads = world.doris.loads.filter((l) => l.table === s.table && l.status === 'Success');
		assert.ok(loads.length > 0 && loads.every((l) => l.headers.format === 'csv'), `loaded as CSV: ${JSON.stringify(loads.map((l) => l.headers.format))}`);
		await checkDeadLetters(s.deadLetterTopic, true);
		await world.n8n.deactivate(id);
	});

	it('delimited text in One Item per Batch with the key as a column', async () => {
		const s = await scenario('csvbatch', { ...csvTrigger, output: 'batch', options: { kafkaFields: { field: [{ source: 'key', name: 'event_key' }] } } });
		const id = await s.deploy();
		await produce(s.topic, csvMessages.map((value, i) => ({ key: `c${i}`, value })));
		await waitForRows(s.table, csvRows.length);
		await waitFor('every offset committed', async () => (await world.kafka.lag(s.groupId, s.topic)) === 0, { timeoutMs: 60_000, intervalMs: 250 });
		const keyed = csvRows.map((r) => ({ ...r, event_key: `c${r.id - 1}` }));
		assertTableEquals(world.doris.tableRows(DATABASE, s.table), keyed, 'id', ['id', 'event_key', 'name', 'amount', 'note']);
		await checkDeadLetters(s.deadLetterTopic);
		await world.n8n.deactivate(id);
	});
});
