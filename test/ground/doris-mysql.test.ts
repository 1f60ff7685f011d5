// The Doris test server's MySQL port through a real mysql2 client (query(), as the schema reader uses it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { jsonLines, streamLoad } from './doris/testing';

let doris: DorisTestServer;
let conn: mysql.Connection;
before(async () => {
	doris = await startDorisTestServer({ password: 's3cret' });
	conn = await mysql.createConnection({ host: doris.mysqlHost, port: doris.mysqlPort, user: 'root', password: 's3cret' });
});
after(async () => {
	await conn.end();
	await doris.close();
});

const q = async (sql: string): Promise<Record<string, unknown>[]> => (await conn.query(sql))[0] as Record<string, unknown>[];

describe('MySQL port', () => {
	it('refuses a wrong password with error 1045', async () => {
		await assert.rejects(
			mysql.createConnection({ host: doris.mysqlHost, port: doris.mysqlPort, user: 'root', password: 'bad' }),
			(e: { errno?: number; message: string }) => e.errno === 1045 && /Access denied for user 'root'/.test(e.message),
		);
	});

	it('runs DDL in Doris syntax and lists databases and tables', async () => {
		await q('CREATE DATABASE IF NOT EXISTS shop');
		await q('SET enable_insert_strict = true');
		await q(`CREATE TABLE IF NOT EXISTS shop.orders (
			\`order_id\` BIGINT NOT NULL COMMENT "id",
			\`status\` VARCHAR(16) NULL DEFAULT "new",
			\`amount\` DECIMALV3(12, 2) NULL,
			\`created\` DATETIME(6) NOT NULL,
			\`flag\` BOOLEAN,
			\`big\` LARGEINT,
			\`attrs\` MAP<STRING, INT>,
			INDEX idx_status (\`status\`) USING INVERTED
		) ENGINE=OLAP
		UNIQUE KEY(\`order_id\`)
		COMMENT 'orders'
		DISTRIBUTED BY HASH(\`order_id\`) BUCKETS 4
		PROPERTIES ("replication_allocation" = "tag.location.default: 1", "enable_unique_key_merge_on_write" = "true")`);
		assert.ok((await q('SHOW DATABASES')).some((r) => r.Database === 'shop'));
		assert.deepEqual(await q('SHOW TABLES FROM shop'), [{ Tables_in_shop: 'orders' }]);
		await q('USE shop');
		assert.deepEqual(await q('SHOW TABLES'), [{ Tables_in_shop: 'orders' }]);
		assert.deepEqual(await q('SELECT 1'), [{ 1: 1 }]);
	});

	it('describes columns with Doris 3.x type spelling', async () => {
		const desc = await q('DESC shop.orders');
		assert.deepEqual(desc.map((r) => [r.Field, r.Type, r.Null, r.Key, r.Default, r.Extra]), [
			['order_id', 'bigint', 'No', 'true', null, ''],
			['status', 'varchar(16)', 'Yes', 'false', 'new', 'NONE'],
			['amount', 'decimal(12,2)', 'Yes', 'false', null, 'NONE'],
			['created', 'datetime(6)', 'No', 'false', null, 'NONE'],
			['flag', 'boolean', 'Yes', 'false', null, 'NONE'],
			['big', 'largeint', 'Yes', 'false', null, 'NONE'],
			['attrs', 'map<text,int>', 'Yes', 'false', null, 'NONE'],
		]);
		const create = String((await q('SHOW CREATE TABLE orders'))[0]['Create Table']);
		assert.match(create, /^CREATE TABLE `orders` \(\n {2}`order_id` bigint NOT NULL COMMENT "id",/);
		assert.match(create, /UNIQUE KEY\(`order_id`\)\nCOMMENT 'orders'\nDISTRIBUTED BY HASH\(`order_id`\) BUCKETS 4\nPROPERTIES \(/);
	});

	it('answers information_schema.columns with Doris values', async () => {
		const cols = await q("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' ORDER BY ORDINAL_POSITION");
		assert.deepEqual(cols[0], { COLUMN_NAME: 'order_id', DATA_TYPE: 'bigint', COLUMN_TYPE: 'bigint(20)', IS_NULLABLE: 'NO', COLUMN_KEY: 'UNI', NUMERIC_PRECISION: 19, NUMERIC_SCALE: 0, DATETIME_PRECISION: null });
		assert.deepEqual(cols.map((c) => c.DATA_TYPE), ['bigint', 'varchar', 'decimal', 'datetime', 'tinyint', 'bigint unsigned', 'map']);
		assert.equal(cols[3].DATETIME_PRECISION, 6);
		assert.equal(cols[2].COLUMN_TYPE, 'decimalv3(12, 2)');
	});

	it('counts and selects loaded rows; ALTER, TRUNCATE and DROP work', async () => {
		const r = await streamLoad(doris.feUrl, 'shop', 'orders', jsonLines([
			{ order_id: 2, amount: 5, created: '2024-05-01 10:00:00.5' },
			{ order_id: 1, status: 'paid', amount: '10.5', created: '2024-05-01 09:00:00', flag: true, attrs: { a: 1 } },
		]), { format: 'json', read_json_by_line: 'true' }, ['root', 's3cret']);
		assert.equal(r.json.Status, 'Success', JSON.stringify(r.json));
		assert.deepEqual(await q('SELECT COUNT(*) FROM shop.orders'), [{ 'count(*)': 2 }]);
		const sel = await q('SELECT order_id, status, amount, flag, attrs FROM shop.orders ORDER BY order_id');
		assert.deepEqual(sel, [
			{ order_id: 1, status: 'paid', amount: '10.50', flag: 1, attrs: '{"a":1}' },
			{ order_id: 2, status: 'new', amount: '5.00', flag: null, attrs: null },
		]);
		await q('ALTER TABLE shop.orders ADD COLUMN note STRING NULL');
		// MODIFY COLUMN as the FE's Column.checkSchemaChangeAllowed allows it: wider, never narrower, never NOT NULL.
		await q('ALTER TABLE shop.orders MODIFY COLUMN status VARCHAR(64) NULL DEFAULT "new"');
		assert.equal((await q('DESC shop.orders')).find((d) => d.Field === 'status')?.Type, 'varchar(64)');
		await assert.rejects(q('ALTER TABLE shop.orders MODIFY COLUMN status VARCHAR(8) NULL DEFAULT "new"'), /Cannot shorten string length/);
		await assert.rejects(q('ALTER TABLE shop.orders MODIFY COLUMN status VARCHAR(64) NOT NULL DEFAULT "new"'), /Can not change from nullable to non-nullable/);
		await q('ALTER TABLE shop.orders DROP COLUMN flag');
		assert.deepEqual((await q('DESC shop.orders')).map((d) => d.Field), ['order_id', 'status', 'amount', 'created', 'big', 'attrs', 'note']);
		assert.equal((await q('SELECT note FROM shop.orders WHERE order_id = 1'))[0].note, null);
		await q('INSERT INTO shop.orders (order_id, created) VALUES (3, "2024-01-01 00:00:00")');
		assert.equal(doris.tableRows('shop', 'orders').length, 3);
		await q('TRUNCATE TABLE shop.orders');
		assert.deepEqual(await q('SELECT * FROM shop.orders'), []);
		await q('DROP TABLE shop.orders');
		assert.deepEqual(await q('SHOW TABLES FROM shop'), []);
	});

	it('reports unknown tables like Doris', async () => {
		await assert.rejects(q('SELECT * FROM shop.missing'), (e: { errno?: number; message: string }) => e.errno === 1105 && e.message === 'errCode = 2, detailMessage = Table [missing] does not exist in database [shop].');
		await assert.rejects(q('DESC shop.missing'), (e: { errno?: number; message: string }) => e.errno === 1051 && /Unknown table 'missing'/.test(e.message));
	});
});
