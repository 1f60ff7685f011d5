// Partial Update with Strict Mode on, Doris 2.1 / 3.0 (the Doris test server by its @@version_comment):
// Doris filters every row whose key is not stored yet, without an error-log line (no ErrorURL), and with
// Max Filter Ratio 0 refuses the load. Through the Doris Stream Load node, and from the Kafka trigger on
// the real broker: such rows go to Rejected as `doris_new_key` with the reason and the fixes, the other
// rows load, the partition's offsets are committed. Before, a batch of mostly new keys (half its rows,
// or 50) was not searched: every delivery failed with "too many filtered rows", the partition stalled
// for good (review session 16, section 2). A refusal whose error log names a reason for most rows (bad
// values) still stops at once, as in any other load, rather than spending the load bound on each delivery
// (review session 17).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../nodes/DorisStreamLoad/execute';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { nodeContextsIn, useDorisDatabase } from './stream-load-support';

const broker = useKafkaAdmin();

const PARTIAL = { partialUpdate: 'fixed', columns: 'id, n', strictMode: true };
/** 60 of every 100 ids are new: ids i with i % 5 < 3 (runs of three new keys, two stored). */
const isNew = (id: number) => id % 5 < 3;
const IDS = Array.from({ length: 100 }, (_, i) => i);

interface Reason {
	rule: string;
	message: string;
	expected: string;
}
const reasonsOf = (out: INodeExecutionData[][]) => out[1].map((item) => (item.json._invalid as { reasons: Reason[] }).reasons[0]);

for (const version of ['2.1', '3.0'] as const) {
	describe(`Partial Update with Strict Mode on Doris ${version}: rows whose key is new`, () => {
		const db = useDorisDatabase({ server: { version }, sharedBatches: true, readsTables: true });
		const ctx = nodeContextsIn(db);
		const newTable = () => db.newTable({ name: uniqueName('keyed').replace(/[^a-z0-9]/gi, '_'), columns: 'id INT, v VARCHAR(16) NULL, n INT NULL', keys: 'UNIQUE KEY(id)' });
		/** The stored ids (those not new), each with v "old" and n 0. */
		const storeOld = (table: string) => db.server.sql(`INSERT INTO d.${table} VALUES ${IDS.filter((id) => !isNew(id)).map((id) => `(${id}, 'old', 0)`).join(', ')}`);
		const rowsOf = (table: string) => db.server.tableRows('d', table).map((r) => [Number(r.id), r.v, r.n] as const).sort((a, b) => a[0] - b[0]);
		const loadsInto = (table: string) => db.server.loads.filter((l) => l.table === table).length;

		it('60 new keys among 100 rows: the 60 on Rejected as doris_new_key with the reason, the 40 loaded', async () => {
			const table = await newTable();
			await storeOld(table);
			const out = await executeStreamLoad(ctx({ table, options: PARTIAL }, IDS.map((id) => ({ json: { id, n: id + 1 } })), { mode: 'manual', connected: [0, 1] }));
			assert.deepEqual(
				rowsOf(table),
				IDS.filter((id) => !isNew(id)).map((id) => [id, 'old', id + 1]),
				'the 40 stored keys updated (v kept), no new key inserted',
			);
			assert.deepEqual(out[1].map((item) => item.json.id).sort((a, b) => Number(a) - Number(b)), IDS.filter(isNew));
			for (const reason of reasonsOf(out)) {
				assert.equal(reason.rule, 'doris_new_key');
				assert.match(reason.message, /its key is not stored in the table yet, and in a partial update in strict mode Doris 2\.1 \/ 3\.0 refuse such a row/);
				assert.match(reason.message, /without Partial Update.*upgrade Doris to 3\.1/);
			}
			// The refused batch and the parts it was split into (20 runs of new keys among stored ones).
			const loads = loadsInto(table);
			assert.ok(loads > 1 && loads <= 1 + 128, `${loads} loads`);
		});

		it('a batch of new keys only: one load attempt, then every row on Rejected', async () => {
			const table = await newTable();
			const out = await executeStreamLoad(ctx({ table, options: PARTIAL }, IDS.map((id) => ({ json: { id, n: id } })), { mode: 'manual', connected: [0, 1] }));
			assert.equal(loadsInto(table), 1, 'not split: the refusal counted every row as a new key');
			assert.equal(out[1].length, 100);
			assert.ok(reasonsOf(out).every((r) => r.rule === 'doris_new_key'));
			assert.deepEqual(rowsOf(table), []);
		});

		it('Rejected leading nowhere: the execution fails naming the new keys and the fixes, not with a bare "too many filtered rows"', async () => {
			const table = await newTable();
			await storeOld(table);
			await assert.rejects(
				executeStreamLoad(ctx({ table, options: PARTIAL }, IDS.map((id) => ({ json: { id, n: id } })), { mode: 'manual', connected: [0] })),
				(error: Error) => {
					assert.match(error.message, /too many filtered rows — 60 row\(s\) whose key is not stored in table \S+ yet: a partial update in strict mode on Doris 2\.1 \/ 3\.0 refuses them/);
					assert.match(error.message, /rule doris_new_key.*without Partial Update.*upgrade Doris to 3\.1/);
					return true;
				},
			);
			assert.equal(loadsInto(table), 1, 'not split: no execution takes refused rows back');
		});

		// A refusal whose error log names a reason for most rows (bad values: new keys have no line) stops at
		// once as "widespread", as in any other load; with new keys searched for, it spent the 64-load bound
		// on every delivery (review session 17: 65 loads for 100 bad values).
		const badValue = (id: number) => ({ json: { id, n: 'x' } });
		it('100 rows, each a bad value: one load, the execution fails with Doris\' reason (not searched)', async () => {
			const table = await newTable();
			await storeOld(table);
			await assert.rejects(executeStreamLoad(ctx({ table, options: PARTIAL }, IDS.map(badValue), { mode: 'manual', connected: [0, 1] })), /Doris rejected rows/);
			assert.equal(loadsInto(table), 1);
		});

		it('40 bad values among 60 rows, more reasons than the refusal\'s 10-line read holds: the whole log is counted, one load', async () => {
			const table = await newTable();
			await storeOld(table);
			const items = IDS.slice(0, 60).map((id) => (id < 40 ? badValue(id) : { json: { id, n: id } }));
			await assert.rejects(executeStreamLoad(ctx({ table, options: PARTIAL }, items, { mode: 'manual', connected: [0, 1] })), /Doris rejected rows/);
			assert.equal(loadsInto(table), 1);
		});

		it('30 new keys, 30 bad values, 40 rows to update: searched (the log names 30 of the 60 filtered), new keys as doris_new_key, bad values with their reason', async () => {
			const table = await newTable();
			const newKey = (id: number) => id % 10 < 3;
			const bad = (id: number) => id % 10 >= 3 && id % 10 < 6;
			await db.server.sql(`INSERT INTO d.${table} VALUES ${IDS.filter((id) => !newKey(id)).map((id) => `(${id}, 'old', 0)`).join(', ')}`);
			const out = await executeStreamLoad(ctx({ table, options: PARTIAL }, IDS.map((id) => (bad(id) ? badValue(id) : { json: { id, n: id + 1 } })), { mode: 'manual', connected: [0, 1] }));
			const ruleOf = new Map(out[1].map((item) => [Number(item.json.id), (item.json._invalid as { reasons: Reason[] }).reasons[0].rule]));
			// Rows past the bound are handed back as doris_not_loaded, whatever they hold.
			for (const [id, rule] of ruleOf) if (rule !== 'doris_not_loaded') assert.equal(rule, newKey(id) ? 'doris_new_key' : bad(id) ? 'doris_rejected' : '(not refused)', `id ${id}`);
			assert.ok([...ruleOf.values()].includes('doris_new_key') && [...ruleOf.values()].includes('doris_rejected'));
			const updated = rowsOf(table).filter(([, , n]) => n !== 0).map(([id]) => id);
			assert.deepEqual([...updated, ...ruleOf.keys()].sort((a, b) => a - b), IDS, 'each row updated or on Rejected');
			// The bound stops the search inside the execution some of whose rows loaded: the rest is handed back (129 loads).
			assert.ok(loadsInto(table) > 1 && loadsInto(table) <= 1 + 128, `${loadsInto(table)} loads`);
		});

		it('from the Kafka trigger: the partition moves on, offsets committed, 40 loaded, 60 on Rejected', async () => {
			const table = await newTable();
			await storeOld(table);
			const topic = await broker.topic(1);
			const producer = broker.kafka.producer();
			await producer.connect();
			await producer.send({ topic, messages: IDS.map((id) => ({ value: JSON.stringify({ id, n: id + 1 }) })) });
			await producer.disconnect();
			const rejected: unknown[] = [];
			const n8n = new FakeN8n(async (execution) => {
				try {
					const out = await executeStreamLoad(ctx({ table, options: PARTIAL }, execution.items as INodeExecutionData[], { connected: [0, 1] }));
					rejected.push(...out[1].map((item) => item.json.id));
					return { ok: true };
				} catch (error) {
					return { ok: false, reason: (error as Error).message };
				}
			});
			const group = uniqueName('new-keys');
			const consumer = await SinkerConsumer.start(testOptions(topic, group, { keepPartitionOrder: true, maxRecordsPerExecution: 100, executionsInFlight: 1 }), n8n.run);
			try {
				await waitFor('offset 100 committed', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === 100n);
			} finally {
				await consumer.close();
			}
			assert.equal(n8n.succeeded.length, n8n.executions.length, 'no execution failed (none redelivered)');
			assert.deepEqual(rejected.map(Number).sort((a, b) => a - b), IDS.filter(isNew));
			assert.deepEqual(
				rowsOf(table),
				IDS.filter((id) => !isNew(id)).map((id) => [id, 'old', id + 1]),
			);
		});
	});
}

describe('Partial Update with Strict Mode on Doris 3.1: new keys insert (no change)', () => {
	const db = useDorisDatabase({ server: { version: '3.1' }, sharedBatches: true, readsTables: true });
	const ctx = nodeContextsIn(db);

	it('100 new keys: one load, all inserted, none on Rejected', async () => {
		const table = await db.newTable({ name: 'fresh', columns: 'id INT, v VARCHAR(16) NULL, n INT NULL', keys: 'UNIQUE KEY(id)' });
		const out = await executeStreamLoad(ctx({ table, options: PARTIAL }, IDS.map((id) => ({ json: { id, n: id } })), { mode: 'manual', connected: [0, 1] }));
		assert.equal(out[1].length, 0);
		assert.equal(db.server.tableRows('d', table).length, 100);
		assert.equal(db.server.loads.filter((l) => l.table === table).length, 1);
	});
});
