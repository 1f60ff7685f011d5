// End to end, on the real parts: the Kafka broker of the test ground, the Doris test server (in this
// process), and n8n 2.40.7 running the package as users install it, with the examples of examples/.
// Needs `npm run build` (n8n loads dist/) and the broker (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { loadedRows, successfulLabels, assertTableEquals } from './support/doris';
import { cdcEvents, datetime3, logEvents, type TestEvent } from './support/events';
import { prepareScenario, startWorld, type E2eWorld, type Scenario } from './support/fixture';
import { uncommitted } from './support/kafka';
import { waitForCommitted } from './support/progress';
import { parseJsonExact } from '../../src/common/exact-json';
import { expectedDorisRow, FINAL_SOURCE_ROWS, dorisDdl, type Variant } from '../fixtures/debezium/rows';
import { fixtureMessages } from '../fixtures/debezium/read';

const LOG_EVENTS = 100_000;
const PACKED_LOG_EVENTS = 50_000;
const LOG_COLUMNS = ['seq', 'ts', 'level', 'service', 'host', 'status', 'latency_ms', 'message'] as const;

interface DeadLetter {
	id: string;
	rule: string;
	column: string | null;
	message: string;
	header: string;
}

/** Reads the dead-letter topic back: which message each one was, and the first reason given. */
async function deadLetters(world: E2eWorld, topic: string, idOf: (json: Record<string, unknown>) => string): Promise<DeadLetter[]> {
	const messages = await world.kafka.readAll(topic);
	return messages.map(({ value, headers }) => {
		const json = JSON.parse(value) as Record<string, unknown>;
		const invalid = json._invalid as { reasons: Array<{ rule: string; column: string | null; message: string }> } | undefined;
		assert.ok(invalid && invalid.reasons.length > 0, `dead letter without _invalid reasons: ${value.slice(0, 300)}`);
		const [first] = invalid.reasons;
		return { id: idOf(json), rule: first.rule, column: first.column, message: first.message, header: headers['x-dead-letter-reason'] ?? '' };
	});
}

function assertDeadLetters(letters: DeadLetter[], events: TestEvent[]): void {
	const expected = events.filter((e) => e.invalid);
	assert.equal(letters.length, expected.length, `dead letters: ${letters.length}, invalid messages produced: ${expected.length}`);
	const byId = new Map(letters.map((l) => [l.id, l]));
	for (const event of expected) {
		const letter = byId.get(event.id);
		assert.ok(letter, `invalid message ${event.id} (${event.invalid?.rule}) is not on the dead-letter topic`);
		assert.equal(letter.rule, event.invalid?.rule, `message ${event.id}: rule`);
		assert.equal(letter.column, event.invalid?.column, `message ${event.id}: column`);
		assert.ok(letter.message.length > 0 && letter.header.length > 0, `message ${event.id}: reason text "${letter.message}" / header "${letter.header}"`);
	}
}

describe('Kafka → Doris Schema → Doris Stream Load in n8n', { timeout: 600_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		const started = Date.now();
		world = await startWorld('pipeline');
		console.log(`# n8n and the Doris test server up in ${Date.now() - started} ms (n8n: ${JSON.stringify(world.n8n.timings)})`);
	});

	after(async () => {
		const started = Date.now();
		await world?.close();
		console.log(`# closed in ${Date.now() - started} ms`);
	});

	/** The logs example end to end: every valid row in Doris once, every offset committed, every invalid message dead-lettered. */
	async function sinkLogs(t: TestContext, count: number, output: 'message' | 'batch'): Promise<void> {
		const scenario = await prepareScenario(world, 'logs-high-frequency', {
			partitions: 4,
			tableFrom: 'app_logs',
			ddl: 'logs',
			// The example's 50 000 rows / 60 s suit a firehose; a test wants its batches sooner.
			overrides: {
				trigger: { maxRecordsPerExecution: 2000, executionsInFlight: 20, output },
				streamLoad: { batchRows: 20_000, batchIntervalSeconds: 1 },
			},
		});
		await scenario.deploy();
		const events = logEvents(count, 4);
		const started = Date.now();
		const produced = await world.kafka.produce(scenario.topic, events);
		const produceMs = Date.now() - started;
		assert.equal(produced.length, count);
		await waitForCommitted(world, scenario, 240_000);
		const elapsedMs = Date.now() - started;

		const valid = events.filter((e) => e.row).map((e) => e.row as Record<string, unknown>);
		assertTableEquals(world.doris.tableRows('demo', scenario.table), valid, 'seq', LOG_COLUMNS);
		assert.deepEqual(uncommitted(await world.kafka.offsets(scenario.groupId, scenario.topic)), []);
		const labels = successfulLabels(world.doris, scenario.table);
		assert.equal(new Set(labels).size, labels.length, 'a Stream Load label was loaded twice');
		assert.equal(loadedRows(world.doris, scenario.table), valid.length, 'rows loaded (sum over loads) ≠ valid rows: something was loaded twice');

		const letters = await deadLetters(world, scenario.deadLetterTopic, (json) => {
			if (typeof json.seq === 'number') return String(json.seq);
			const raw = (json._parseError as { raw?: string } | undefined)?.raw ?? '';
			return /"seq": (\d+)/.exec(raw)?.[1] ?? '?';
		});
		assertDeadLetters(letters, events);
		t.diagnostic(
			`${count} events, one item per ${output} (${valid.length} rows, ${letters.length} dead letters) in ${elapsedMs} ms: ${Math.round((valid.length / elapsedMs) * 1000)} rows/s end to end; produced in ${produceMs} ms; ${labels.length} Stream Loads`,
		);
	}

	it(`sinks ${LOG_EVENTS} log events: every valid row in Doris, every offset committed, invalid ones dead-lettered`, (t) => sinkLogs(t, LOG_EVENTS, 'message'));

	it(`does the same with one item per Kafka batch (packed rows, ${PACKED_LOG_EVENTS} events)`, (t) => sinkLogs(t, PACKED_LOG_EVENTS, 'batch'));

	// The change-stream cases below each take a few seconds, nearly all of it waiting (a deploy, the
	// 1 s batch interval, the commit): each has its own topic, group and table, so they run side by side
	// in the one n8n (one after the other they took ~25 s). The two log volumes above stay one at a time:
	// they keep n8n's main thread busy.
	describe('change streams, side by side', { concurrency: 7 }, () => {
		it('applies Debezium creates, updates and deletes to a UNIQUE KEY table', async (t) => {
			const scenario = await prepareScenario(world, 'cdc-debezium', {
				partitions: 3,
				tableFrom: 'customers',
				ddl: 'cdc',
				overrides: { streamLoad: { batchIntervalSeconds: 1 } },
			});
			const { events, finalRows } = cdcEvents(1500, 3);
			// A truncate has no row to load: it must be dead-lettered, not dropped.
			events.push({ id: 'truncate', partition: 0, value: JSON.stringify({ before: null, after: null, op: 't', ts_ms: 1 }), invalid: { rule: 'envelope', column: null } });
			await scenario.deploy();
			const started = Date.now();
			await world.kafka.produce(scenario.topic, events, 1000, 1);
			await waitForCommitted(world, scenario, 120_000);
			const elapsedMs = Date.now() - started;

			assertTableEquals(world.doris.tableRows('demo', scenario.table), [...finalRows.values()], 'id', ['id', 'name', 'email', 'tier', 'balance', 'updated_at']);
			const loads = world.doris.loads.filter((l) => l.table === scenario.table && l.status === 'Success');
			console.log(JSON.stringify(loads[0]?.headers));
			const letters = await deadLetters(world, scenario.deadLetterTopic, (json) => ((json.payload ?? json) as { op?: string }).op === 't' ? 'truncate' : '?');
			assertDeadLetters(letters, events);
			t.diagnostic(`${events.length} change events → ${finalRows.size} rows in ${elapsedMs} ms; ${loads.length} Stream Loads`);
		});

		/** A Debezium change event's op and row images, with or without its envelope. */
		interface Change {
			op: string;
			before: Record<string, unknown> | null;
			after: Record<string, unknown> | null;
		}
		const CUSTOMER_COLUMNS = ['id', 'name', 'email', 'tier', 'balance', 'updated_at'];

		/**
		 * Deploys the scenario, produces its change records (1,000 at a time, one producer), waits until the
		 * group committed them all and checks that none is left, that the table holds the source's final
		 * state and that nothing was dead-lettered. Returns the milliseconds from producing to the last commit.
		 */
		async function loadsToFinalState(scenario: Scenario & { deploy(): Promise<string> }, records: TestEvent[], finalRows: Map<number, Record<string, unknown>>): Promise<number> {
			await scenario.deploy();
			const started = Date.now();
			await world.kafka.produce(scenario.topic, records, 1000, 1);
			await waitForCommitted(world, scenario, 120_000);
			const elapsedMs = Date.now() - started;
			assert.deepEqual(uncommitted(await world.kafka.offsets(scenario.groupId, scenario.topic)), []);
			assertTableEquals(world.doris.tableRows('demo', scenario.table), [...finalRows.values()], 'id', CUSTOMER_COLUMNS);
			assert.deepEqual(await world.kafka.readAll(scenario.deadLetterTopic, 2000), [], 'nothing dead-lettered');
			return elapsedMs;
		}

		/**
		 * Change events rewritten by `toRecord` into records without an envelope, through a workflow with
		 * Debezium Envelopes off and Add New Columns on, one item per `output`: the table must end equal to
		 * the source's final state, with no column added, nothing dead-lettered and every offset committed.
		 */
		async function loadsRecordsToFinalState(t: TestContext, output: 'message' | 'batch', toRecord: (change: Change, index: number) => Record<string, unknown>, what: string): Promise<void> {
			const scenario = await prepareScenario(world, 'cdc-debezium', {
				partitions: 3,
				tableFrom: 'customers',
				ddl: 'cdc',
				overrides: { trigger: { output }, schema: { options: { cdc: false, evolve: true } }, streamLoad: { batchIntervalSeconds: 1 } },
			});
			const { events, finalRows } = cdcEvents(300, 3);
			let deletes = 0;
			const records = events.map((e, k) => {
				const json = JSON.parse(e.value as string) as Record<string, unknown>;
				const change = (json.payload ?? json) as Change;
				if (change.op === 'd') deletes++;
				return { ...e, value: JSON.stringify(toRecord(change, k)) };
			});
			const elapsedMs = await loadsToFinalState(scenario, records, finalRows);
			const desc = (await world.doris.sql(`DESC demo.${scenario.table}`)) as Array<{ Field: string }>;
			assert.deepEqual(desc.map((c) => c.Field), CUSTOMER_COLUMNS, 'no column was added');
			assert.ok(deletes > 50);
			t.diagnostic(`${records.length} ${what} (${deletes} deletes) → ${finalRows.size} rows in ${elapsedMs} ms`);
		}

		// Debezium records flattened by ExtractNewRecordState with delete rewriting
		// (delete.handling.mode=rewrite, or delete.tombstone.handling.mode=rewrite since 2.5): no envelope,
		// a create or update is the `after` image plus `__deleted: "false"`, a delete the `before` image plus
		// `__deleted: "true"`. With Debezium Envelopes off, the marker deletes the row (op d rules) and is
		// never a column, also with Add New Columns on. Before dffd395 the deleted rows stayed in Doris.
		for (const output of ['message', 'batch'] as const) {
			it(`applies flattened Debezium records (__deleted "true" deletes, one item per ${output}); __deleted never becomes a column`, (t) =>
				loadsRecordsToFinalState(t, output, (change) => (change.op === 'd' ? { ...change.before, __deleted: 'true' } : { ...change.after, __deleted: 'false' }), 'flattened records'));
		}

		// A producer of its own writing Doris' delete sign into each record (Debezium Envelopes off): a sign
		// Doris reads as a delete (1, true) deletes the row, 0 or none upserts it, and the field never becomes
		// a column. Before 96189ee the Doris Schema node left the field out of the row: the deletes loaded as
		// upserts and the deleted rows stayed in Doris, with nothing dead-lettered.
		for (const output of ['message', 'batch'] as const) {
			it(`applies a record's own __DORIS_DELETE_SIGN__ (1 or true deletes, one item per ${output})`, (t) =>
				loadsRecordsToFinalState(
					t,
					output,
					(change, k) =>
						change.op === 'd' ? { ...change.before, __DORIS_DELETE_SIGN__: k % 2 === 0 ? 1 : true } : k % 2 === 0 ? { ...change.after, __DORIS_DELETE_SIGN__: 0 } : { ...change.after },
					'records carrying their own delete sign',
				));
		}

		// A compacted changelog whose tombstones are the deletes (ExtractNewRecordState without delete
		// rewriting, drop.tombstones=false): creates and updates are the `after` image, a delete is only the
		// tombstone of its key. With the trigger's Tombstones "Delete the Row of Its Key" the key {"id": n}
		// becomes the row with Doris' delete sign and the row goes; before, it stayed in Doris. The table has
		// no sequence column (a key carries no sequence value: delete_sequence) and mirrors a MySQL table:
		// NOT NULL value columns without a default, which each delete fills with a placeholder (before, every
		// tombstone went to Invalid with not_null and every deleted row stayed). Odd ids have plain keys
		// ("7"), which Tombstone Key Column for Plain Keys names (before, Invalid: a number names no column).
		it('Tombstones "Delete the Row of Its Key": a changelog\'s tombstones delete their keys\' rows, NOT NULL columns, plain keys (one item per batch)', async (t) => {
			const scenario = await prepareScenario(world, 'cdc-debezium', {
				partitions: 3,
				tableFrom: 'customers',
				ddl: 'cdc',
				overrides: {
					trigger: { output: 'batch', options: { includeMetadata: true, keepPartitionOrder: true, executionTimeoutSeconds: 120, tombstones: 'delete', tombstoneKeyColumn: 'id' } },
					schema: { options: { cdc: false } },
					streamLoad: { batchIntervalSeconds: 1 },
				},
			});
			await world.doris.sql(`DROP TABLE demo.${scenario.table}`);
			await world.doris.sql(
				`CREATE TABLE demo.${scenario.table} (id BIGINT NOT NULL, name VARCHAR(128) NOT NULL, email VARCHAR(256) NULL, tier VARCHAR(16) NOT NULL, balance DECIMAL(14, 2) NOT NULL, updated_at DATETIME(3) NOT NULL) ` +
					'UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1", "enable_unique_key_merge_on_write" = "true")',
			);
			const { events, finalRows } = cdcEvents(300, 3);
			let tombstones = 0;
			let plainKeys = 0;
			const records = events.map((e) => {
				const json = JSON.parse(e.value as string) as Record<string, unknown>;
				const change = (json.payload ?? json) as Change;
				if (change.op !== 'd') return { ...e, value: JSON.stringify(change.after) };
				tombstones++;
				const id = Number(change.before?.id);
				if (id % 2 === 0) return { ...e, value: null };
				plainKeys++;
				return { ...e, key: String(id), value: null };
			});
			const elapsedMs = await loadsToFinalState(scenario, records, finalRows);
			assert.ok(tombstones > 50);
			assert.ok(plainKeys > 20);
			t.diagnostic(`${records.length} changes (${tombstones} tombstones, ${plainKeys} with plain keys) → ${finalRows.size} rows in ${elapsedMs} ms`);
		});

		// A table with a hidden sequence column: the Stream Load node's Sequence Column names the field that
		// fills it. Doris loads a change without a value and keeps the stored row (a delete deletes
		// nothing), so such changes must come out on Rejected into the dead-letter topic.
		it('Sequence Column into a hidden sequence column: changes without a value are dead-lettered with their rule, the rest apply', async (t) => {
			const scenario = await prepareScenario(world, 'cdc-debezium', {
				partitions: 3,
				tableFrom: 'customers',
				ddl: 'cdc',
				overrides: { streamLoad: { batchIntervalSeconds: 1, options: { sequenceColumn: 'updated_at' } } },
			});
			await world.doris.sql(`DROP TABLE demo.${scenario.table}`);
			await world.doris.sql(
				`CREATE TABLE demo.${scenario.table} (id BIGINT NOT NULL, name VARCHAR(128) NULL, email VARCHAR(256) NULL, tier VARCHAR(16) NULL, balance DECIMAL(14, 2) NULL, updated_at DATETIME(3) NULL) ` +
					'UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1", "function_column.sequence_type" = "DATETIME")',
			);
			const { events, finalRows } = cdcEvents(300, 3);
			type Change = { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null };
			const changeOf = (e: TestEvent) => {
				const json = JSON.parse(e.value as string) as Record<string, unknown>;
				return { json, change: ((json.payload ?? json) as Change) };
			};
			let keyOnly = 0;
			for (const [k, e] of events.entries()) {
				const { json, change } = changeOf(e);
				const id = Number((change.before ?? change.after)?.id);
				// Every other delete comes with the key only (PostgreSQL's default REPLICA IDENTITY): the row stays.
				if (change.op !== 'd' || id % 6 !== 3) continue;
				const before = change.before as Record<string, unknown>;
				finalRows.set(id, { ...before, updated_at: datetime3(Number(before.updated_at)) });
				change.before = { id, name: null, email: null, tier: null, balance: null, updated_at: null };
				events[k] = { ...e, id: `seq-delete-${id}`, value: JSON.stringify(json), invalid: { rule: 'delete_sequence', column: 'updated_at' } };
				keyOnly++;
			}
			// Updates without a value, after everything else of their key: the row keeps its last change.
			const nulled = [...finalRows.keys()].filter((id) => id % 10 === 2);
			for (const id of nulled) {
				const after = { ...(finalRows.get(id) as Record<string, unknown>), tier: 'lost', updated_at: null };
				events.push({ id: `seq-null-${id}`, key: JSON.stringify({ id }), partition: id % 3, value: JSON.stringify({ before: null, after, op: 'u', ts_ms: 1 }), invalid: { rule: 'null_sequence', column: 'updated_at' } });
			}
			await scenario.deploy();
			await world.kafka.produce(scenario.topic, events, 1000, 1);
			await waitForCommitted(world, scenario, 120_000);
			assertTableEquals(world.doris.tableRows('demo', scenario.table), [...finalRows.values()], 'id', ['id', 'name', 'email', 'tier', 'balance', 'updated_at']);
			const letters = await deadLetters(world, scenario.deadLetterTopic, (json) => {
				const rule = (json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule;
				return `${rule === 'delete_sequence' ? 'seq-delete' : 'seq-null'}-${String(json.id)}`;
			});
			assertDeadLetters(letters, events);
			assert.ok(keyOnly > 10 && nulled.length > 10);
			t.diagnostic(`${events.length} change events: ${keyOnly} key-only deletes and ${nulled.length} updates without updated_at dead-lettered, ${finalRows.size} rows as expected`);
		});

		it('a Debezium MySQL stream with logical types (DATE, DATETIME(6), DATETIME(3), DECIMAL(20,4), JSON) lands value for value', async (t) => {
			const mysql: Variant = { connector: 'mysql', time: 'adaptive_time_microseconds', decimal: 'precise' };
			const table = `orders_logical_${Date.now() % 1_000_000}`;
			// The CDC example as users import it, pointed at a table shaped like the source (Epoch Unit left
			// as the example has it: the values' Connect schemas declare their types).
			const scenario = await prepareScenario(world, 'cdc-debezium', {
				partitions: 1,
				tableFrom: 'customers',
				ddl: 'cdc',
				overrides: { schema: { table }, streamLoad: { table, batchIntervalSeconds: 1 } },
			});
			await world.doris.sql(dorisDdl('demo', table, 'mysql'));
			const messages = fixtureMessages(mysql);
			await scenario.deploy();
			// The tombstone after the delete is a null value, as Debezium writes it.
			await world.kafka.produce(scenario.topic, messages.map((m, i) => ({ id: String(i), key: m.key, value: m.value as string, partition: 0 })), 100, 1);
			await waitForCommitted(world, scenario, 120_000);
			const rows = world.doris
				.tableRows('demo', table)
				.map((r) => ({ ...r, id: Number(r.id), doc: r.doc === null ? null : parseJsonExact(String(r.doc)) }))
				.sort((a, b) => a.id - b.id);
			const expected = FINAL_SOURCE_ROWS.map((r) => expectedDorisRow(r, mysql)).map((r) => ({ ...r, doc: r.doc === null ? null : parseJsonExact(String(r.doc)) }));
			assert.deepEqual(rows, expected);
			assert.deepEqual(await world.kafka.readAll(scenario.deadLetterTopic), [], 'no change event dead-lettered');
			t.diagnostic(`${messages.length} change events → ${rows.length} rows, every value equal to the source row`);
		});
	});
});
