// A Debezium change stream written by Confluent's AvroConverter (keys and values in the Schema
// Registry's wire format) through examples/cdc-database.json in real n8n, its trigger on Message Format
// Schema Registry, into a Doris database that has none of the tables: Create Missing Tables must create
// each with UNIQUE KEY on the decoded Kafka key and the Avro types (a double of 3.0 is DOUBLE), so the 3.5
// after it loads. Before: `_kafka.key` was the key's bytes as base64, every table was refused ("the
// message carries no Kafka key") and every row dead-lettered. Needs `npm run build`, the broker and the
// registry (scripts/ground.sh start).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

import { logicalTypeHook } from '../../src/kafka/avro-logical-types';
import { avroSchemaOfValue, avroValueOf } from '../fixtures/debezium/avro';
import { uniqueName } from '../ground/kafka/helpers';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { waitFor } from '../support/wait-for';
import { withCredentials } from './support/cdc-database';
import { NODE_TYPES, nodeOfType, readExample } from './support/examples';
import { startWorld, type E2eWorld } from './support/fixture';
import { deployWorkflow } from './support/n8n-setup';

const ROW = {
	type: 'struct',
	optional: true,
	fields: [
		{ type: 'int64', optional: false, field: 'id' },
		{ type: 'float64', optional: false, field: 'price' },
		{ type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' }, field: 'amount' },
		{ type: 'int64', optional: true, name: 'io.debezium.time.MicroTimestamp', version: 1, field: 'placed_at' },
	],
};

function envelope(table: string): Record<string, unknown> {
	const row = { ...ROW, name: `dbserver1.inventory.${table}.Value` };
	return { type: 'struct', name: `dbserver1.inventory.${table}.Envelope`, optional: false, fields: [{ ...row, field: 'before' }, { ...row, field: 'after' }, { type: 'string', optional: false, field: 'op' }] };
}

function eventText(table: string, id: number, price: string): string {
	// 12.50 as Decimal(10,2) (unscaled 1250, base64 "BOI="); 2024-05-01T12:00:00.123456.
	return `{"schema":${JSON.stringify(envelope(table))},"payload":{"before":null,"after":{"id":${id},"price":${price},"amount":"BOI=","placed_at":1714564800123456},"op":"c"}}`;
}

function keyText(table: string, id: number): string {
	return `{"schema":{"type":"struct","name":"dbserver1.inventory.${table}.Key","optional":false,"fields":[{"type":"int64","optional":false,"field":"id"}]},"payload":{"id":${id}}}`;
}

describe('Debezium in Avro through the Schema Registry, tables created in n8n', { timeout: 600_000 }, () => {
	let world: E2eWorld;
	let reachable = false;

	before(async () => {
		reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
		if (reachable) world = await startWorld('cdc-registry');
	});
	after(async () => {
		await world?.close();
	});

	it('each table is created with UNIQUE KEY on the decoded key and the Avro types, and every change loads (a 3.5 after a 3.0)', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const tag = uniqueName('cdcreg').replace(/[^a-z0-9]/gi, '').slice(-10).toLowerCase();
		const server = `e2e${tag}`;
		const database = `cdcreg_${tag}`;
		const deadLetters = `${server}-dead-letters`;
		const tables = ['orders', 'refunds'];
		await world.doris.sql(`CREATE DATABASE ${database}`);
		await world.kafka.createTopic(deadLetters, 1);
		const registry = new SchemaRegistry({ host: schemaRegistryUrl }, { [SchemaType.AVRO]: { typeHook: logicalTypeHook } });
		for (const table of tables) {
			const topic = `${server}.inventory.${table}`;
			await world.kafka.createTopic(topic, 1);
			const register = async (text: string, suffix: string) =>
				(await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(avroSchemaOfValue(text)) }, { subject: `${topic}-${suffix}` })).id;
			const valueId = await register(eventText(table, 1, '3.0'), 'value');
			const keyId = await register(keyText(table, 1), 'key');
			const changes = [
				[1, '3.0'],
				[2, '3.5'],
				[1, '4.25'],
			] as const;
			await world.kafka.produce(
				topic,
				await Promise.all(
					changes.map(async ([id, price], i) => ({
						id: `${table}:${i}`,
						key: await registry.encode(keyId, avroValueOf(keyText(table, id))),
						value: await registry.encode(valueId, avroValueOf(eventText(table, id, price))),
						partition: 0,
					})),
				),
			);
		}

		const workflow = readExample('cdc-database');
		workflow.name = `e2e cdc-registry ${server}`;
		const trigger = nodeOfType(workflow, NODE_TYPES.trigger);
		trigger.parameters = {
			...trigger.parameters,
			topics: `^${server}\\.inventory\\.[^.]+$`,
			groupId: `${server}-group`,
			format: 'schemaRegistry',
			schemaRegistryUrl,
			schemaRegistryUsername: '',
			schemaRegistryPassword: '',
		};
		const schema = nodeOfType(workflow, NODE_TYPES.schema);
		schema.parameters = { ...schema.parameters, database: { __rl: true, mode: 'name', value: database } };
		const load = nodeOfType(workflow, NODE_TYPES.streamLoad);
		load.parameters = { ...load.parameters, batchIntervalSeconds: 1 };
		nodeOfType(workflow, NODE_TYPES.deadLetters).parameters.topic = deadLetters;
		await deployWorkflow(world.n8n, withCredentials(workflow, world));

		// The table is created by the workflow: none until then.
		const rowsOf = (table: string) => {
			try {
				return world.doris.tableRows(database, table);
			} catch {
				return [];
			}
		};
		for (const table of tables) {
			await waitFor(`${database}.${table}: both rows, id 1 updated`, () => rowsOf(table).some((r) => Number(r.id) === 1 && Number(r.price) === 4.25), {
				timeoutMs: 120_000,
				intervalMs: 500,
				progress: () => `${JSON.stringify(rowsOf(table))}; log ${world.n8n.logPath}`,
			});
			const rows = world.doris.tableRows(database, table).map((r) => [Number(r.id), Number(r.price), String(r.amount), String(r.placed_at)]);
			assert.deepEqual(rows.sort(), [
				[1, 4.25, '12.50', '2024-05-01 12:00:00.123456'],
				[2, 3.5, '12.50', '2024-05-01 12:00:00.123456'],
			]);
			const desc = (await world.doris.sql(`DESC ${database}.${table}`)) as Array<{ Field: string; Type: string; Key: string }>;
			assert.deepEqual(
				desc.map((c) => [c.Field, c.Type.toUpperCase().replace(/\s/g, ''), c.Key]),
				[
					['id', 'BIGINT', 'true'],
					['price', 'DOUBLE', 'false'],
					['amount', 'DECIMAL(10,2)', 'false'],
					['placed_at', 'DATETIME(6)', 'false'],
				],
			);
		}
		assert.deepEqual(await world.kafka.readAll(deadLetters, 3_000), [], 'no change event dead-lettered');
		assert.match(world.n8n.logText(), new RegExp(`created table ${database}\\.orders: CREATE TABLE`));
	});
});
