// Message values holding the Doris nodes' own top-level names (src/common/item-contract.ts), against the
// real broker, per message and One Item per Batch (pretty-printed, so they travel as items of their own
// there too). The stand-in for n8n reads each item as the Doris nodes do: a `packedRows` that is no
// packed item fails the execution (the Doris Schema node's BrokenPackedItemError), a passed `_doris`
// deadline fails it (the Stream Load node does not start a load past it). Before: both failed on every
// redelivery, the partition stalled at the first of them; a value's `_doris.table` reached the Stream
// Load node and `_kafka.topic` the Doris Schema node's topic routing. Now the `packedRows` values are
// `_parseError` items (`reserved_field`), the others load without the foreign fields (kept aside in the
// item's `_doris.ownFields` since session 17), all commits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readDorisInfo } from '../../src/common/doris-info';
import { DORIS_FIELD, PARSE_ERROR_FIELD } from '../../src/common/item-contract';
import { readPackedRows } from '../../src/common/packed-rows';
import { topicOfItem } from '../../src/doris/schema/target';
import type { ExecutionOutcome, SinkExecution } from '../../src/kafka/consumer-options';
import type { OutputMode } from '../../src/kafka/message-parser';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';

const broker = useKafkaAdmin();

const VALUES = [
	'{"id":"row-0"}',
	'{\n"id":"row-1","packedRows":"batch-7"}',
	'{\n"id":"row-2","packedRows":{"jsonLines":"{\\"id\\":\\"row-99\\"}\\n","count":1,"sources":[]}}',
	'{\n"id":"row-3","_doris":{"table":"other","loadBy":1}}',
	'{\n"id":"row-4","_kafka":{"topic":"elsewhere","partition":0,"offset":"9"}}',
	'{"id":"row-5"}',
];

/** What the Doris nodes make of an execution's items: a failure where they would fail it. */
async function dorisNodes(execution: SinkExecution): Promise<ExecutionOutcome> {
	for (const { json } of execution.items) {
		const packed = readPackedRows(json);
		if (packed instanceof Error) return { ok: false, reason: `broken packed item: ${packed.message}` };
		const info = readDorisInfo(json[DORIS_FIELD]);
		if (info instanceof Error) return { ok: false, reason: info.message };
		if (info?.loadBy !== undefined && info.loadBy < Date.now()) return { ok: false, reason: 'past its deadline' };
	}
	return { ok: true };
}

describe('sinker consumer: values holding the Doris nodes\' own field names', () => {
	for (const output of ['message', 'batch'] as OutputMode[]) {
		it(`${output === 'batch' ? 'One Item per Batch' : 'per message'}: packedRows values go to Invalid, _doris and _kafka are not taken for the nodes' own, everything commits`, async () => {
			const topic = await broker.topic(1);
			const producer = broker.kafka.producer();
			await producer.connect();
			await producer.send({ topic, messages: VALUES.map((value) => ({ value })) });
			await producer.disconnect();
			const group = uniqueName('reserved-fields');
			const n8n = new FakeN8n(dorisNodes);
			const consumer = await SinkerConsumer.start(testOptions(topic, group, { parser: { format: 'json', includeMetadata: false, tombstones: 'skip', output } }), n8n.run);
			try {
				await waitFor('the partition committed to its end', async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(VALUES.length), { timeoutMs: 30_000 });
				assert.equal(consumer.stats.redeliveries, 0, 'no execution failed');
				const items = n8n.executions.flatMap((e) => e.items.map((i) => i.json));
				const errors = items.filter((json) => json[PARSE_ERROR_FIELD] !== undefined).map((json) => (json[PARSE_ERROR_FIELD] as { kind: string; raw: string }));
				assert.deepEqual(errors.map((e) => [e.kind, e.raw]), [['reserved_field', VALUES[1]], ['reserved_field', VALUES[2]]]);
				const plain = items.filter((json) => json[PARSE_ERROR_FIELD] === undefined && readPackedRows(json) === undefined);
				// Per message rows 0 and 5 are items too; in One Item per Batch they are packed lines.
				// The value's own field stays in the item's _doris.ownFields (a Doris Schema node under Unknown
				// Fields Reject refuses the row for it), never read as the item's table, deadline or topic.
				const expected = [
					{ id: 'row-3', _doris: { ownFields: { _doris: { table: 'other', loadBy: 1 } } } },
					{ id: 'row-4', _doris: { ownFields: { _kafka: { topic: 'elsewhere', partition: 0, offset: '9' } } } },
				];
				for (const json of plain) {
					const info = readDorisInfo(json[DORIS_FIELD]);
					assert.ok(!(info instanceof Error) && info?.table === undefined && info?.loadBy === undefined, JSON.stringify(json));
				}
				assert.deepEqual(plain, output === 'message' ? [{ id: 'row-0' }, ...expected, { id: 'row-5' }] : expected, 'no _doris table or deadline, no topic of another message');
				assert.equal(plain.map((json) => topicOfItem(json)).filter((t) => t !== undefined).length, 0);
			} finally {
				await consumer.close();
			}
		});
	}
});
