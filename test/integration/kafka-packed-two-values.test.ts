/**
 * One Item per Batch wired straight into the Doris Stream Load node, on the real broker and the Doris
 * test server: a Kafka value holding two JSON values back to back (`{"id":2}{"id":3}`, with a blank or a
 * comma between) is not packed as a line. Doris' default JSON reader loads the first value of such a
 * line and never looks past it (be/src/vec/exec/format/json/new_json_reader.cpp, no simdjson at_end();
 * the test server reads it so, test/ground/doris/load-source.ts firstValueOnly): packed, {"id":3} was
 * gone with its offset committed and 1 row counted for 1 line (review session 21, P2). Now it travels
 * as the per-message output makes it, a `_parseError` item, which the Stream Load node refuses by name
 * (here: the error branch n8n's Continue On Fail would feed). A value with an array of objects still
 * packs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { firstUnloadable, loadSortedItems, sortItemsForLoad } from '../../src/batch/load-items';
import { PACKED_ROWS_FIELD, PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import type { JsonObject } from '../../src/common/exact-json';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { targetsIn, useDorisDatabase } from './stream-load-support';

const VALUES = [
	'{"id":1,"v":"a"}',
	'{"id":2,"v":"b"}{"id":3,"v":"c"}',
	'{"id":4,"v":"d"} {"id":5,"v":"e"}',
	'{"id":6,"v":"f"},{"id":7,"v":"g"}',
	'{"id":8,"v":"h","parts":[{"x":1},{"y":2}],"note":"a } { in a string"}',
];
const ALL_IDS = [1, 2, 3, 4, 5, 6, 7, 8];

let topic: string;
const broker = useKafkaAdmin({
	setup: async () => {
		topic = await broker.topic(1);
		const producer = broker.kafka.producer();
		await producer.connect();
		await producer.send({ topic, messages: VALUES.map((value) => ({ value, partition: 0 })) });
		await producer.disconnect();
	},
});
const db = useDorisDatabase({ sharedBatches: true });
const target = targetsIn(db, { labelPrefix: 'two', batch: { maxIntervalMs: 50 } });

describe('One Item per Batch straight into Stream Load: a value of two JSON values', () => {
	it('is not loaded as its first value only: every id is in Doris or in a visible _parseError item, nothing else lost', async () => {
		const table = await db.newTable();
		/** The raw text of every _parseError item, as an error branch would receive it. */
		const undecodable: string[] = [];
		const n8n = new FakeN8n(async (execution) => {
			const sorted = sortItemsForLoad(execution.items, { format: 'json', deletes: 'auto' });
			for (const index of sorted.undecodable) undecodable.push(String((execution.items[index].json[PARSE_ERROR_FIELD] as JsonObject).raw));
			assert.deepEqual(sorted.refused, [], JSON.stringify(firstUnloadable({ ...sorted, undecodable: [] })));
			if (sorted.loadable.length > 0) await loadSortedItems(target(table), sorted, { flushNow: true });
			return { ok: true };
		});
		const group = uniqueName('two-values');
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { parser: { format: 'json', includeMetadata: true, tombstones: 'skip', output: 'batch' } }), n8n.run);
		try {
			await waitFor('the partition committed to its end', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(VALUES.length));
		} finally {
			await consumer.close();
		}
		const loaded = db.server.tableRows('d', table).map((r) => Number(r.id));
		const visible = undecodable.flatMap((raw) => [...raw.matchAll(/"id":(\d+)/g)].map((m) => Number(m[1])));
		const nowhere = ALL_IDS.filter((id) => !loaded.includes(id) && !visible.includes(id));
		assert.deepEqual(nowhere, [], `ids neither in Doris nor in a _parseError item (loaded ${JSON.stringify(loaded)}, parse errors ${JSON.stringify(undecodable)})`);
		assert.deepEqual(undecodable, VALUES.slice(1, 4), 'each value of two JSON values, as it came');
		assert.deepEqual(loaded.sort((a, b) => a - b), [1, 8], 'the single values loaded, the one holding an array of objects too');
		const packedLines = n8n.executions.flatMap((e) => e.items).filter((item) => item.json[PACKED_ROWS_FIELD] !== undefined).length;
		assert.ok(packedLines >= 1, 'the single values travelled packed');
	});

	it('the Doris test server reads such a line as Doris does: its first value, counted as one row', async () => {
		const table = await db.newTable();
		const sorted = sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: { jsonLines: '{"id":1,"v":"a"}{"id":2,"v":"b"}\n', count: 1, sources: [] } } }], { format: 'json', deletes: 'auto' });
		const result = await loadSortedItems(target(table), sorted, { flushNow: true });
		assert.deepEqual(result.rejected, []);
		assert.deepEqual(db.server.tableRows('d', table), [{ id: 1, v: 'a' }], 'Doris loads the first object and says nothing of the second');
	});
});
