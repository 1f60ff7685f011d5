// A key written by Kafka's LongSerializer that looks like the Schema Registry's wire format (review
// session 18, R2): 42,041,601 is the bytes 00 00 00 00 02 81 81 01, "schema id 2" followed by one complete
// Avro long. On a registry holding another topic's Debezium key record {id: long} at id 2, the key
// decoded as {"id": -8257}, and Create Missing Tables created UNIQUE KEY(id) from it, or refused the
// right Key Columns. Now id 2 is asked for its subjects (key-subjects.ts): not "orders-key", not trusted.
// The real decoder, a local registry answering as Confluent and Apicurio's ccompat API do.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { KafkaMessage } from 'kafkajs';

import { designTable } from '../../../src/doris/schema/table-design';
import { createMessageParser } from '../../../src/kafka/message-parser';
import { createSchemaRegistryDecoder } from '../../../src/kafka/schema-registry';

const VALUE_SCHEMA = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'user_id', type: 'long' }, { name: 'id', type: 'long' }, { name: 'price', type: 'double' }] });
const CUSTOMERS_KEY_SCHEMA = JSON.stringify({ type: 'record', name: 'Key', namespace: 'dbserver1.inventory.customers', fields: [{ name: 'id', type: 'long' }] });
const ANSWERS: Record<string, unknown> = {
	'/schemas/ids/7': { schema: VALUE_SCHEMA },
	'/schemas/ids/2': { schema: CUSTOMERS_KEY_SCHEMA },
	'/schemas/ids/7/versions': [{ subject: 'orders-value', version: 1 }],
	'/schemas/ids/2/versions': [{ subject: 'dbserver1.inventory.customers-key', version: 1 }],
};
let server: http.Server;
let url = '';
before(async () => {
	server = http.createServer((req, res) => {
		const body = ANSWERS[req.url ?? ''];
		res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body ?? { error_code: 40403, message: 'Schema not found' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function avroLong(n: bigint): number[] {
	let v = (n << 1n) ^ (n >> 63n);
	const out: number[] = [];
	while (v >= 0x80n) {
		out.push(Number((v & 0x7fn) | 0x80n));
		v >>= 7n;
	}
	out.push(Number(v));
	return out;
}

function avroValue(userId: bigint, id: bigint, price: number): Buffer {
	const head = Buffer.alloc(5);
	head.writeInt32BE(7, 1);
	const double = Buffer.alloc(8);
	double.writeDoubleLE(price);
	return Buffer.concat([head, Buffer.from(avroLong(userId)), Buffer.from(avroLong(id)), double]);
}

describe('a LongSerializer key that looks like the wire format, on a registry with another topic\'s key schema at its "id"', () => {
	it('is not trusted as the key: Key Columns create the table, and without them the refusal names the subject', async () => {
		const key = Buffer.alloc(8);
		key.writeBigInt64BE(42_041_601n);
		assert.deepEqual([...key], [0, 0, 0, 0, 2, 0x81, 0x81, 1]);
		const parser = createMessageParser({ format: 'schemaRegistry', includeMetadata: true, tombstones: 'skip', schemaRegistry: createSchemaRegistryDecoder({ url }) });
		const message = { key, value: avroValue(42_041_601n, 9001n, 1.5), timestamp: '0', attributes: 0, offset: '0', headers: {} } as KafkaMessage;
		const chunk = await parser.parse([message], 0, 1, 'orders', 0);
		const json = chunk.items[0].json;
		const kafka = json._kafka as Record<string, unknown>;
		assert.equal(kafka.decodedKey, undefined, 'before: {"id": -8257}');
		assert.match(String(kafka.keyError), /schema id 2 is not registered for subject "orders-key" \(it is under "dbserver1\.inventory\.customers-key"\)/);
		const target = { database: 'shop', table: 'orders' };
		const withKeyColumns = designTable(target, json, { cdc: false, sourcePath: '', keyColumns: ['user_id'], properties: [] });
		assert.ok(!('refused' in withKeyColumns), `Key Columns user_id: ${'refused' in withKeyColumns ? withKeyColumns.refused : ''}`);
		assert.deepEqual(withKeyColumns.keys.map((c) => c.name), ['user_id']);
		const without = designTable(target, json, { cdc: false, sourcePath: '', keyColumns: [], properties: [] });
		assert.ok('refused' in without, 'before: created with UNIQUE KEY(id)');
		assert.match(without.refused, /its primary key is unknown \(.*schema id 2 is not registered for subject "orders-key".*\); set Key Columns to name it/);
	});
});
