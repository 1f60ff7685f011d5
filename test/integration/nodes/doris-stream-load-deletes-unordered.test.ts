/**
 * The Doris Stream Load node with rows flagged as deletes (`__DORIS_DELETE_SIGN__` 1) under Deletes (CDC)
 * Auto in an execution of a Kafka trigger whose Keep Order per Partition is off, against the Doris test
 * server. Two executions of a partition reach the shared batch in either order there, and a failed one
 * is delivered again after later ones loaded, so an update before the delete in Kafka could land after
 * it and bring the row back without a word. The trigger's activation refuses the settings that always
 * delete (Debezium Envelopes, Deletes Always); these deletes are known only per row (a flattened
 * record's __deleted, a producer's own sign), so the node takes them out (rule delete_unordered).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { nodeContextsIn, packedDeleteItem, useDorisDatabase, workflowWith } from '../stream-load-support';

const db = useDorisDatabase({ sharedBatches: true, readsTables: true });
const context = nodeContextsIn(db);

let tableNo = 0;
async function table(): Promise<string> {
	const name = `unordered${++tableNo}`;
	await db.server.sql(`CREATE TABLE d.${name} (id INT NOT NULL, v INT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("enable_unique_key_merge_on_write" = "true")`);
	return name;
}
const rows = (name: string) => db.server.tableRows('d', name).sort((a, b) => Number(a.id) - Number(b.id));
const rules = (items: INodeExecutionData[]) => items.map((i) => `${String(i.json.id)} ${(i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => r.rule).join()}`);

/** The node's context in an execution the node named `started` started (a Kafka trigger with `keepOrder`, or a webhook). */
function ctx(name: string, items: INodeExecutionData[], started: 'kafka' | 'kafka-ordered' | 'webhook', connected = [0, 1]) {
	const base = context({ table: name }, items, { connected });
	const trigger =
		started === 'webhook'
			? { name: 'Webhook', type: 'n8n-nodes-base.webhook', parameters: {} }
			: { name: 'Kafka Trigger', type: 'n8n-nodes-doris-sinker.kafkaTrigger', parameters: { options: started === 'kafka-ordered' ? { keepPartitionOrder: true } : {} } };
	const workflow = { ...workflowWith(connected).workflow, nodes: { [trigger.name]: trigger } };
	return { ...base, workflow, runExecutionData: { resultData: { runData: { [trigger.name]: [] } } } } as typeof base;
}

describe('Doris Stream Load node: deletes from a Kafka trigger without Keep Order per Partition', () => {
	it('Keep Order off: each delete goes to Rejected (delete_unordered) naming the trigger and the setting, per message and packed; the rest loads', async () => {
		const name = await table();
		await executeStreamLoad(ctx(name, [{ json: { id: 1, v: 1 } }, { json: { id: 2, v: 2 } }], 'kafka'));
		const [summary, rejected] = await executeStreamLoad(ctx(name, [{ json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 3, v: 3, __DORIS_DELETE_SIGN__: 0 } }], 'kafka'));
		assert.deepEqual(rules(rejected), ['1 delete_unordered']);
		assert.match((rejected[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /Kafka trigger "Kafka Trigger" has Keep Order per Partition off/);
		assert.equal(summary[0].json.rows, 1);
		const [, packedRejected] = await executeStreamLoad(ctx(name, [packedDeleteItem(['{"id":4,"v":4}', '{"id":2,"v":2,"__DORIS_DELETE_SIGN__":1}'])], 'kafka'));
		assert.deepEqual(rules(packedRejected), ['2 delete_unordered']);
		assert.deepEqual(rows(name).map((r) => r.id), [1, 2, 3, 4], 'nothing deleted');
		// Rejected leading nowhere: the execution fails before any load, saying why (nothing committed).
		await assert.rejects(executeStreamLoad(ctx(name, [{ json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }], 'kafka', [0])), /Keep Order per Partition off.*\(rule delete_unordered\)/);
	});

	it('Keep Order on, or an execution no Kafka trigger started: the deletes apply', async () => {
		const name = await table();
		await executeStreamLoad(ctx(name, [{ json: { id: 1, v: 1 } }, { json: { id: 2, v: 2 } }], 'kafka-ordered'));
		const [, ordered] = await executeStreamLoad(ctx(name, [{ json: { id: 1, v: 1, __DORIS_DELETE_SIGN__: 1 } }], 'kafka-ordered'));
		assert.deepEqual(ordered, []);
		const [, webhook] = await executeStreamLoad(ctx(name, [packedDeleteItem(['{"id":2,"v":2,"__DORIS_DELETE_SIGN__":1}'])], 'webhook'));
		assert.deepEqual(webhook, []);
		assert.deepEqual(rows(name), []);
	});
});
