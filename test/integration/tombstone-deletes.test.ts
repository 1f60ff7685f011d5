// Tombstones "Delete the Row of Its Key" on the real broker: upserts, then tombstones for some keys on a
// compacted topic (a changelog without Debezium's envelope: ExtractNewRecordState without delete
// rewriting, or any compacted changelog), through the trigger's message parser, the Doris Schema
// mapper and Stream Load into the Doris test server. The deleted rows must be gone, the others kept,
// counts exact; JSON keys, Kafka Connect envelope keys and an Avro key through the Schema Registry
// (Apicurio); one item per message and One Item per Batch. Before, the tombstones were skipped (or
// emitted onto Invalid) and every deleted row stayed in Doris.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

import { loadIntoDoris, type DorisTargetConfig } from '../../src/batch/doris-target';
import { DELETE_SIGN_COLUMN } from '../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../src/doris/schema/route-items';
import type { RowMapperOptions } from '../../src/doris/schema/row-mapper';
import type { MessageParserOptions, OutputMode } from '../../src/kafka/message-parser';
import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { committedOffsets, FakeN8n, testOptions, uniqueName, useKafkaAdmin } from './kafka-sinker-helpers';
import { routeToRows, usePipelineDoris } from './pipeline-support';

let registryUp = false;
const broker = useKafkaAdmin({ when: async () => ((registryUp = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false)), true) });
const doris = usePipelineDoris();

const COMPACTED = { 'cleanup.policy': 'compact' };
const IDS = Array.from({ length: 30 }, (_, i) => i + 1);
/** Every third key is deleted; key 6 comes back after its tombstone (a re-insert of a deleted key). */
const DELETED = IDS.filter((id) => id % 3 === 0 && id !== 6);

interface Change {
	id: number;
	/** null: the key's tombstone. */
	name: string | null;
}

/** Upserts of every key, tombstones of every third, then key 6 inserted again and key 1 updated. */
function changelog(): Change[] {
	return [
		...IDS.map((id) => ({ id, name: `n${id}` })),
		...IDS.filter((id) => id % 3 === 0).map((id) => ({ id, name: null })),
		{ id: 6, name: 'back' },
		{ id: 1, name: 'updated' },
	];
}

function expectedRows(): Array<{ id: number; name: string }> {
	const rows = new Map<number, string>();
	for (const c of changelog()) {
		if (c.name === null) rows.delete(c.id);
		else rows.set(c.id, c.name);
	}
	return [...rows].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id);
}

function tableRows(table: string): Array<{ id: number; name: string }> {
	return doris.server
		.tableRows('demo', table)
		.map((r) => ({ id: Number(r.id), name: String(r.name) }))
		.sort((a, b) => a.id - b.id);
}

async function produce(topic: string, messages: Array<{ key: Buffer | string | null; value: Buffer | string | null }>): Promise<void> {
	const producer = broker.kafka.producer();
	await producer.connect();
	await producer.send({ topic, messages });
	await producer.disconnect();
}

interface Sunk {
	invalid: Array<Record<string, unknown>>;
	loadedRows: number;
	/** Rows Doris refused (the Doris Stream Load node's Rejected output). */
	rejected: number;
}

/** Trigger → Doris Schema → Stream Load (Deletes Auto: the sign when a row has it), until every offset is committed. */
async function sink(topic: string, table: string, parser: MessageParserOptions, messages: number, mapperOptions: Partial<RowMapperOptions> = {}): Promise<Sunk> {
	const mapper = await doris.mapper(table, mapperOptions);
	const labels = { workflow: 'tombstones', node: 'Doris Schema' };
	const sunk: Sunk = { invalid: [], loadedRows: 0, rejected: 0 };
	const n8n = new FakeN8n(async (execution, signal) => {
		const rows = routeToRows(execution.items, mapper, labels, sunk.invalid);
		if (rows.length === 0) return { ok: true };
		const deleteSign = rows.some((r) => r[DELETE_SIGN_COLUMN] !== undefined);
		const target = doris.target(table, 'tombstones', { deleteSign });
		const result = await loadIntoDoris(target, rows, { signal });
		sunk.rejected += result.rejected.length;
		sunk.loadedRows += rows.length - result.rejected.length;
		return { ok: true };
	});
	const group = uniqueName('tombstones');
	const consumer = await SinkerConsumer.start(testOptions(topic, group, { parser, executionsInFlight: 3, keepPartitionOrder: true, maxRecordsPerExecution: 7 }), n8n.run);
	try {
		await waitFor(`offset ${messages} committed`, async () => (await committedOffsets(broker.admin, group, topic)).get(0) === BigInt(messages));
	} finally {
		await consumer.close();
	}
	assert.equal(sunk.rejected, 0, 'no row refused by Doris');
	return sunk;
}

/** A target of demo.`table` for rows loaded straight, with the delete sign: each call's rows in a batch of their own (10 ms), no retries. */
function directTarget(table: string, labelPrefix: string): DorisTargetConfig {
	return {
		...doris.target(table, labelPrefix, { deleteSign: true }),
		batch: { maxRows: 1000, maxBytes: 1024 * 1024, maxIntervalMs: 10, maxBufferedBytes: 1024 * 1024, maxInFlight: 1 },
		retry: { maxRetries: 0, initialDelayMs: 10, maxDelayMs: 10, maxElapsedMs: 1000 },
	};
}

function uniqueTable(prefix: string, keyModel: 'UNIQUE' | 'DUPLICATE'): string {
	return `${prefix}_${keyModel.toLowerCase()}_${uniqueName('t').replace(/[^a-z0-9]/gi, '_')}`;
}

async function createTable(table: string, keyModel: 'UNIQUE' | 'DUPLICATE'): Promise<void> {
	await doris.server.sql(`CREATE TABLE demo.${table} (id INT NOT NULL, name VARCHAR(20)) ${keyModel} KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
}

describe('tombstones "Delete the Row of Its Key": a compacted changelog into Doris', () => {
	for (const output of ['message', 'batch'] as OutputMode[]) {
		it(`JSON keys (${output}): the tombstoned keys' rows are gone, the others kept, a deleted key inserted again is back`, async () => {
			const topic = await broker.topic(1, COMPACTED);
			const table = uniqueTable('json', 'UNIQUE');
			await createTable(table, 'UNIQUE');
			const changes = changelog();
			await produce(topic, changes.map((c) => ({ key: JSON.stringify({ id: c.id }), value: c.name === null ? null : JSON.stringify({ id: c.id, name: c.name }) })));
			const sunk = await sink(topic, table, { format: 'json', includeMetadata: false, tombstones: 'delete', output }, changes.length);
			const rows = tableRows(table);
			for (const id of DELETED) assert.ok(!rows.some((r) => r.id === id), `row ${id} deleted`);
			assert.deepEqual(rows, expectedRows());
			assert.equal(rows.length, IDS.length - DELETED.length);
			assert.deepEqual(sunk.invalid, []);
			assert.equal(sunk.loadedRows, changes.length, 'every upsert and every tombstone loaded as a row');
		});
	}

	it('Kafka Connect JSON with schemas (ExtractNewRecordState, drop.tombstones=false): envelope keys, values read at source path "payload"', async () => {
		const topic = await broker.topic(1, COMPACTED);
		const table = uniqueTable('connect', 'UNIQUE');
		await createTable(table, 'UNIQUE');
		const keySchema = { type: 'struct', name: 'dbserver1.inventory.customers.Key', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }] };
		const valueSchema = { type: 'struct', name: 'dbserver1.inventory.customers.Value', optional: false, fields: [{ field: 'id', type: 'int32', optional: false }, { field: 'name', type: 'string', optional: true }] };
		const changes = changelog();
		await produce(
			topic,
			changes.map((c) => ({
				key: JSON.stringify({ schema: keySchema, payload: { id: c.id } }),
				value: c.name === null ? null : JSON.stringify({ schema: valueSchema, payload: { id: c.id, name: c.name } }),
			})),
		);
		const sunk = await sink(topic, table, { format: 'json', includeMetadata: true, tombstones: 'delete', output: 'message' }, changes.length, { sourcePath: 'payload' });
		assert.deepEqual(sunk.invalid, []);
		assert.deepEqual(tableRows(table), expectedRows());
	});

	for (const output of ['message', 'batch'] as OutputMode[]) {
		it(`Avro keys and values through the Schema Registry (${output}): the key decoded by its own schema id deletes its row`, async (t) => {
			if (!registryUp) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
			const topic = await broker.topic(1, COMPACTED);
			const table = uniqueTable('avro', 'UNIQUE');
			await createTable(table, 'UNIQUE');
			const registry = new SchemaRegistry({ host: schemaRegistryUrl });
			const subject = uniqueName('tombstones.customers');
			const keyId = (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Key', namespace: 'shop', fields: [{ name: 'id', type: 'int' }] }) }, { subject: `${subject}-key` })).id;
			const valueId = (
				await registry.register(
					{ type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Value', namespace: 'shop', fields: [{ name: 'id', type: 'int' }, { name: 'name', type: ['null', 'string'], default: null }] }) },
					{ subject: `${subject}-value` },
				)
			).id;
			assert.notEqual(keyId, valueId, 'the key has a schema of its own');
			const changes = changelog();
			const messages = await Promise.all(
				changes.map(async (c) => ({ key: await registry.encode(keyId, { id: c.id }), value: c.name === null ? null : await registry.encode(valueId, { id: c.id, name: c.name }) })),
			);
			await produce(topic, messages);
			const parser: MessageParserOptions = { format: 'schemaRegistry', includeMetadata: true, tombstones: 'delete', output, schemaRegistry: createSchemaRegistryDecoder({ url: schemaRegistryUrl }) };
			const sunk = await sink(topic, table, parser, changes.length);
			assert.deepEqual(sunk.invalid, []);
			assert.deepEqual(tableRows(table), expectedRows());
		});
	}

	it('a DUPLICATE KEY table: each tombstone on Invalid with delete_unsupported, every upsert loaded; a null key on Invalid saying so', async () => {
		const topic = await broker.topic(1);
		const table = uniqueTable('json', 'DUPLICATE');
		await createTable(table, 'DUPLICATE');
		const changes = changelog();
		const messages: Array<{ key: string | null; value: string | null }> = changes.map((c) => ({ key: JSON.stringify({ id: c.id }), value: c.name === null ? null : JSON.stringify({ id: c.id, name: c.name }) }));
		messages.push({ key: null, value: null });
		await produce(topic, messages);
		const sunk = await sink(topic, table, { format: 'json', includeMetadata: false, tombstones: 'delete', output: 'batch' }, messages.length);
		const rules = sunk.invalid.map((r) => (r[INVALID_FIELD] as InvalidInfo).reasons[0]);
		const tombstones = changes.filter((c) => c.name === null).length;
		assert.equal(rules.filter((r) => r.rule === 'delete_unsupported').length, tombstones);
		assert.match(rules[0].message, /DUPLICATE KEY table/);
		const nullKey = rules.filter((r) => r.rule === 'parse_error');
		assert.equal(nullKey.length, 1);
		assert.match(nullKey[0].message, /deletes the row of its key, but its key is null/);
		assert.equal(sunk.invalid.length, tombstones + 1);
		assert.equal(doris.server.tableRows('demo', table).length, changes.length - tombstones, 'every upsert is a row of the DUPLICATE KEY table');
	});

	// A mirror of a MySQL table: NOT NULL value columns without defaults. Doris filters a row with NULL in
	// one, a delete too, so before every tombstone went to Invalid (not_null) and every deleted row
	// stayed. Now each delete carries the type's zero there (never read: the key's row is deleted).
	for (const mergeOnWrite of [true, false]) {
		it(`NOT NULL value columns without a default (${mergeOnWrite ? 'merge-on-write' : 'merge-on-read'}): the tombstoned keys' rows are gone, the others kept`, async () => {
			const topic = await broker.topic(1, COMPACTED);
			const table = uniqueTable(mergeOnWrite ? 'mow' : 'mor', 'UNIQUE');
			await doris.server.sql(
				`CREATE TABLE demo.${table} (id INT NOT NULL, name VARCHAR(20) NOT NULL, qty INT NOT NULL, price DECIMAL(10, 2) NOT NULL, born DATE NOT NULL, seen DATETIME(3) NOT NULL, ` +
					`active BOOLEAN NOT NULL, doc JSON NOT NULL, tags ARRAY<INT> NOT NULL, note VARCHAR(20) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 ` +
					`PROPERTIES ("enable_unique_key_merge_on_write" = "${mergeOnWrite}")`,
			);
			const value = (c: Change) => ({ id: c.id, name: c.name, qty: c.id, price: `${c.id}.50`, born: '2024-01-02', seen: '2024-01-02 03:04:05.678', active: true, doc: { k: c.id }, tags: [c.id] });
			const changes = changelog();
			await produce(topic, changes.map((c) => ({ key: JSON.stringify({ id: c.id }), value: c.name === null ? null : JSON.stringify(value(c)) })));
			const sunk = await sink(topic, table, { format: 'json', includeMetadata: false, tombstones: 'delete', output: 'message' }, changes.length);
			assert.deepEqual(sunk.invalid, []);
			assert.equal(sunk.loadedRows, changes.length, 'every upsert and every tombstone loaded as a row');
			assert.deepEqual(tableRows(table), expectedRows());
			const kept = doris.server.tableRows('demo', table).find((r) => Number(r.id) === 6);
			assert.equal(kept?.qty, 6, 'a key inserted again after its delete has its own values, no placeholder');
		});
	}

	// Plain keys (one value: a Kafka producer's 42, a StringSerializer's user-7): with Tombstone Key Column
	// for Plain Keys the key names that column; without it every such tombstone went to Invalid and the
	// deleted rows stayed.
	it('plain keys with Tombstone Key Column for Plain Keys: numbers into an INT key, JSON strings and plain text into a VARCHAR key, NOT NULL value columns', async () => {
		const numbers = uniqueTable('plainint', 'UNIQUE');
		const texts = uniqueTable('plaintext', 'UNIQUE');
		await doris.server.sql(`CREATE TABLE demo.${numbers} (id INT NOT NULL, name VARCHAR(20) NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		await doris.server.sql(`CREATE TABLE demo.${texts} (id VARCHAR(20) NOT NULL, name VARCHAR(20) NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		const changes = changelog();
		const numberTopic = await broker.topic(1, COMPACTED);
		await produce(numberTopic, changes.map((c) => ({ key: String(c.id), value: c.name === null ? null : JSON.stringify({ id: c.id, name: c.name }) })));
		// Text keys: JSON strings for even ids, plain text (StringSerializer) for odd ones; "1.50" is a key of its own.
		const textKey = (id: number): string => (id % 2 === 0 ? JSON.stringify(`k-${id}`) : `k-${id}`);
		const textTopic = await broker.topic(1, COMPACTED);
		const textMessages = [
			...changes.map((c) => ({ key: textKey(c.id), value: c.name === null ? null : JSON.stringify({ id: `k-${c.id}`, name: c.name }) })),
			{ key: '"1.5"', value: '{"id":"1.5","name":"kept"}' },
			{ key: '1.50', value: '{"id":"1.50","name":"gone"}' },
			{ key: '1.50', value: null },
		];
		await produce(textTopic, textMessages);
		const parser = { format: 'json', includeMetadata: false, tombstones: 'delete', tombstoneKeyColumn: 'id' } as const;
		const sunkNumbers = await sink(numberTopic, numbers, parser, changes.length);
		const sunkTexts = await sink(textTopic, texts, { ...parser, output: 'batch' }, textMessages.length);
		assert.deepEqual([...sunkNumbers.invalid, ...sunkTexts.invalid], []);
		assert.deepEqual(tableRows(numbers), expectedRows());
		const textRows = doris.server
			.tableRows('demo', texts)
			.map((r) => ({ id: String(r.id), name: String(r.name) }))
			.sort((a, b) => a.id.localeCompare(b.id));
		const expected = [...expectedRows().map((r) => ({ id: `k-${r.id}`, name: r.name })), { id: '1.5', name: 'kept' }].sort((a, b) => a.id.localeCompare(b.id));
		assert.deepEqual(textRows, expected);
	});

	it('plain keys without Tombstone Key Column for Plain Keys: each tombstone on Invalid saying which setting names the column, the rows stay', async () => {
		const topic = await broker.topic(1, COMPACTED);
		const table = uniqueTable('plainoff', 'UNIQUE');
		await createTable(table, 'UNIQUE');
		await produce(topic, [
			{ key: '1', value: '{"id":1,"name":"a"}' },
			{ key: '1', value: null },
		]);
		const sunk = await sink(topic, table, { format: 'json', includeMetadata: false, tombstones: 'delete' }, 2);
		const reasons = sunk.invalid.map((r) => (r[INVALID_FIELD] as InvalidInfo).reasons[0]);
		assert.deepEqual(reasons.map((r) => r.rule), ['parse_error']);
		assert.match(reasons[0].message, /is a number, not an object naming the key columns; set Tombstone Key Column for Plain Keys/);
		assert.equal(tableRows(table).length, 1);
	});

	// A sequence column: Doris applies a delete only with a sequence value at least the stored row's, and
	// a key carries none. No placeholder there (it would be a low value that loses: the delete counted,
	// the row kept); the delete stays on Invalid, saying why.
	it('a table with a sequence column: the tombstone is on Invalid with delete_sequence, the row stays', async () => {
		const topic = await broker.topic(1, COMPACTED);
		const table = uniqueTable('seq', 'UNIQUE');
		await doris.server.sql(
			`CREATE TABLE demo.${table} (id INT NOT NULL, name VARCHAR(20), qty INT NOT NULL, ver BIGINT NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "ver")`,
		);
		await produce(topic, [
			{ key: '{"id":1}', value: '{"id":1,"name":"a","qty":2,"ver":5}' },
			{ key: '{"id":1}', value: null },
		]);
		const sunk = await sink(topic, table, { format: 'json', includeMetadata: false, tombstones: 'delete' }, 2);
		assert.deepEqual(sunk.invalid.map((r) => (r[INVALID_FIELD] as InvalidInfo).reasons.map((x) => [x.column, x.rule])), [[['qty', 'not_null'], ['ver', 'delete_sequence']]]);
		assert.equal(tableRows(table).length, 1, 'the row stays, its delete is on Invalid');
	});

	// A UNIQUE KEY table created while the FE config enable_batch_delete_by_default was false has no hidden
	// __DORIS_DELETE_SIGN__, and Doris drops `hidden_columns: __DORIS_DELETE_SIGN__` without a word
	// (Load.initColumns / NereidsLoadScanProvider: `column != null && !column.isVisible()`). Before, each
	// tombstone's placeholder row loaded as an upsert: the deleted rows stayed, their values zeroed
	// (name '', qty 0), counted as loaded. Now every delete there is on Invalid saying why, the rows untouched.
	it('a table without the hidden delete sign (enable_batch_delete_by_default false): the tombstones on Invalid with delete_unsupported, no row zeroed', async () => {
		const topic = await broker.topic(1, COMPACTED);
		const table = uniqueTable('nosign', 'UNIQUE');
		await doris.server.sql('ADMIN SET FRONTEND CONFIG ("enable_batch_delete_by_default" = "false")');
		try {
			await doris.server.sql(`CREATE TABLE demo.${table} (id INT NOT NULL, name VARCHAR(20) NOT NULL, qty INT NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		} finally {
			await doris.server.sql('ADMIN SET FRONTEND CONFIG ("enable_batch_delete_by_default" = "true")');
		}
		const ids = [1, 2, 3, 4];
		await produce(topic, [
			...ids.map((id) => ({ key: JSON.stringify({ id }), value: JSON.stringify({ id, name: `n${id}`, qty: id }) })),
			{ key: '{"id":2}', value: null },
			{ key: '{"id":4}', value: null },
		]);
		const sunk = await sink(topic, table, { format: 'json', includeMetadata: false, tombstones: 'delete' }, ids.length + 2);
		const reasons = sunk.invalid.map((r) => (r[INVALID_FIELD] as InvalidInfo).reasons);
		assert.deepEqual(reasons.map((rs) => rs.map((x) => x.rule)), [['delete_unsupported'], ['delete_unsupported']]);
		assert.match(reasons[0][0].message, /has no hidden delete sign column __DORIS_DELETE_SIGN__/);
		const stored = doris.server
			.tableRows('demo', table)
			.map((r) => ({ id: Number(r.id), name: String(r.name), qty: Number(r.qty) }))
			.sort((a, b) => a.id - b.id);
		assert.deepEqual(stored, ids.map((id) => ({ id, name: `n${id}`, qty: id })), 'every row as loaded, none zeroed by a delete Doris took for an upsert');
		// What Doris does with such a delete row: the sign is dropped, the row is an upsert.
		const target = directTarget(table, 'tombstones-nosign');
		await loadIntoDoris(target, [{ id: 1, name: '', qty: 0, [DELETE_SIGN_COLUMN]: 1 }]);
		assert.equal(doris.server.tableRows('demo', table).find((r) => Number(r.id) === 1)?.qty, 0, 'loaded as an upsert');
	});

	it('the Doris test server filters a delete lacking a NOT NULL column, as Doris does, and applies it with a value there', async () => {
		const table = uniqueTable('direct', 'UNIQUE');
		await doris.server.sql(`CREATE TABLE demo.${table} (id INT NOT NULL, name VARCHAR(20), qty INT NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1`);
		const target = directTarget(table, 'tombstones-direct');
		await loadIntoDoris(target, [{ id: 1, name: 'a', qty: 2, [DELETE_SIGN_COLUMN]: 0 }]);
		const direct = await loadIntoDoris(target, [{ id: 1, [DELETE_SIGN_COLUMN]: 1 }]);
		assert.equal(direct.rejected.length, 1, 'Doris refuses the delete');
		assert.match(JSON.stringify(direct.rejected[0]), /qty/);
		assert.equal(tableRows(table).length, 1);
		const placeholder = await loadIntoDoris(target, [{ id: 1, qty: 0, [DELETE_SIGN_COLUMN]: 1 }]);
		assert.equal(placeholder.rejected.length, 0);
		assert.equal(tableRows(table).length, 0, 'the delete with a value in the NOT NULL column deletes the row');
	});
});
