/**
 * The Doris Schema node's "Map Rows to Tables (Change Stream)" and schema evolution against the Doris
 * test server, through the node's execute() and its narrow context: tables per message, tables
 * created from the first Debezium message, columns added when the source gains a field, each DDL
 * logged and counted; on every Doris version the test server speaks (CREATE TABLE is the same DDL
 * for 2.1, 3.0 and 3.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { DORIS_FIELD, PACKED_ROWS_FIELD, type DorisItemInfo, type PackedRows } from '../../../src/common/item-contract';
import { INVALID_FIELD, type InvalidInfo } from '../../../src/doris/schema/route-items';
import { registry } from '../../../src/metrics/metrics';
import { databaseStream, NEW_COLUMN, type ChangeMessage } from '../../fixtures/debezium/database';
import { startDorisTestServer, type DorisTestServer } from '../../ground/doris/server';
import { schemaNodeContext, type LoggedLine, useDorisTestServers } from './schema-node-context';

const VERSIONS = ['2.1', '3.0', '3.1'] as const;

type Logged = LoggedLine;

function context(doris: DorisTestServer, params: Record<string, unknown>, items: INodeExecutionData[], logged: Logged[]): IExecuteFunctions {
	return schemaNodeContext(doris, params, items, { database: 'cdc', workflowId: 'wf-tables', logged });
}

/** A change message as the trigger hands it over with Include Metadata. */
function item(m: ChangeMessage, offset: number): INodeExecutionData {
	return { json: { ...(JSON.parse(m.value as string) as Record<string, unknown>), _kafka: { topic: m.topic, partition: m.partition, offset: String(offset), key: m.key, timestamp: '0', headers: {} } } };
}

async function ddlCount(kind: string, status = 'success'): Promise<number> {
	const metric = await registry.getSingleMetricAsString('doris_ddl_total');
	let sum = 0;
	for (const line of metric.split('\n')) {
		if (line.startsWith('doris_ddl_total{') && line.includes(`kind="${kind}"`) && line.includes(`status="${status}"`)) sum += Number(line.split(' ').pop());
	}
	return sum;
}

const toTables = { operation: 'mapRowsToTables', database: 'cdc', tableFrom: 'topic', databaseFrom: 'parameter', createTables: true };

describe('Doris Schema node: Map Rows to Tables (Change Stream)', () => {
	const node = new DorisSchema();
	const servers = useDorisTestServers();
	async function server(version: (typeof VERSIONS)[number]): Promise<DorisTestServer> {
		const doris = await startDorisTestServer({ version });
		servers.push(doris);
		await doris.sql('CREATE DATABASE cdc');
		return doris;
	}

	for (const version of VERSIONS) {
		it(`Doris ${version}: creates each missing table from its first Debezium message, logs and counts the CREATE, tags rows with their table`, async () => {
			const doris = await server(version);
			const stream = databaseStream({ tables: 3, changes: 60, partitions: 2, addColumnAt: 2, newTableAt: 2 });
			const changes = stream.messages.filter((m) => m.value !== null);
			const logged: Logged[] = [];
			const createsBefore = await ddlCount('create_table');
			const [rows, invalid] = await node.execute.call(context(doris, { ...toTables, options: { cdc: true } }, changes.map(item), logged));
			assert.deepEqual(invalid, []);
			assert.equal(rows.length, changes.length);
			rows.forEach((row, i) => {
				assert.equal(row.pairedItem && (row.pairedItem as { item: number }).item, i);
				// A delete also carries the table and key facts it was mapped for (key-facts.ts).
				const keyFacts = row.json.__DORIS_DELETE_SIGN__ === 1 ? { keyFacts: `cdc.${changes[i].table}: UNIQUE KEY(id), no sequence column` } : {};
				assert.deepEqual(row.json[DORIS_FIELD] as unknown as DorisItemInfo, { database: 'cdc', table: changes[i].table, ...keyFacts });
			});
			const created = [...new Set(changes.map((m) => m.table))];
			assert.equal((await ddlCount('create_table')) - createsBefore, created.length, 'one CREATE per table, counted');
			const statements = logged.filter((l) => l.level === 'info' && /CREATE TABLE/.test(l.message));
			assert.equal(statements.length, created.length, 'every CREATE logged');
			assert.match(statements[0].message, /UNIQUE KEY\(`id`\)/);
			const [{ 'Create Table': ddl }] = (await doris.sql(`SHOW CREATE TABLE cdc.${created[0]}`)) as Array<{ 'Create Table': string }>;
			assert.match(ddl, /UNIQUE KEY\(`id`\)/);
			assert.match(ddl, /"enable_unique_key_merge_on_write" = "true"/);
			const desc = (await doris.sql(`DESC cdc.${stream.evolvingTable}`)) as Array<{ Field: string; Type: string; Null: string; Key: string }>;
			// Doris 3.x prints DESC types in lower case, 2.1 in upper case (and with a blank in DECIMAL).
			assert.deepEqual(
				desc.map((c) => [c.Field, c.Type.toUpperCase().replace(/, /g, ','), c.Null, c.Key]),
				[
					['id', 'BIGINT', 'No', 'true'],
					['name', 'TEXT', 'Yes', 'false'],
					['qty', 'INT', 'Yes', 'false'],
					['amount', 'DECIMAL(12,2)', 'Yes', 'false'],
					['active', 'BOOLEAN', 'Yes', 'false'],
					['updated_at', 'DATETIME(6)', 'Yes', 'false'],
					// The first message already carried the new field (addColumnAt 2 of 60).
					...(changes.find((m) => m.table === stream.evolvingTable && (m.value as string).includes(`"${NEW_COLUMN}"`)) === changes.find((m) => m.table === stream.evolvingTable)
						? [[NEW_COLUMN, 'TEXT', 'Yes', 'false']]
						: []),
				],
			);
		});
	}

	it('adds a column the source gains (ALTER TABLE … ADD COLUMN), logs and counts it, and maps its rows with it; never drops one', async () => {
		const doris = await server('3.0');
		const stream = databaseStream({ tables: 3, changes: 120, partitions: 1, addColumnAt: 0.5, newTableAt: 1 });
		for (const table of stream.tables) await doris.sql(stream.ddl(table, 'cdc'));
		await doris.sql(`ALTER TABLE cdc.${stream.tables[0]} ADD COLUMN kept_by_doris STRING NULL`);
		const changes = stream.messages.filter((m) => m.value !== null);
		const logged: Logged[] = [];
		const altersBefore = await ddlCount('add_column');
		const [rows, invalid] = await node.execute.call(context(doris, { ...toTables, createTables: false, options: { cdc: true, evolve: true } }, changes.map(item), logged));
		assert.deepEqual(invalid, []);
		assert.equal(rows.length, changes.length);
		assert.equal((await ddlCount('add_column')) - altersBefore, 1);
		const alter = logged.find((l) => /ALTER TABLE/.test(l.message));
		assert.equal(alter?.meta?.statement, `ALTER TABLE \`cdc\`.\`${stream.evolvingTable}\` ADD COLUMN (\`${NEW_COLUMN}\` STRING NULL)`);
		const withNote = rows.filter((r) => (r.json[DORIS_FIELD] as unknown as DorisItemInfo).table === stream.evolvingTable && r.json[NEW_COLUMN] !== undefined);
		assert.ok(withNote.length > 0, 'rows after the change carry the new column');
		const columns = ((await doris.sql(`DESC cdc.${stream.tables[0]}`)) as Array<{ Field: string }>).map((c) => c.Field);
		assert.ok(columns.includes('kept_by_doris'), 'a column the source lacks is left in place');
	});

	it('without Create Missing Tables a missing table\'s messages go to Invalid naming it; packed lines of two tables become two packed items', async () => {
		const doris = await server('3.0');
		const stream = databaseStream({ tables: 2, changes: 40, partitions: 1, addColumnAt: 1, newTableAt: 1 });
		await doris.sql(stream.ddl(stream.tables[0], 'cdc'));
		const changes = stream.messages.filter((m) => m.value !== null);
		const logged: Logged[] = [];
		const [rows, invalid] = await node.execute.call(context(doris, { ...toTables, createTables: false, options: { cdc: true } }, changes.map(item), logged));
		assert.equal(rows.length + invalid.length, changes.length);
		for (const bad of invalid) {
			const info = bad.json[INVALID_FIELD] as unknown as InvalidInfo;
			assert.equal(info.reasons[0].rule, 'table');
			assert.equal(info.reasons[0].message, `Doris table cdc.${stream.tables[1]} does not exist; create it, or turn on Create Missing Tables`);
		}

		// The same stream packed as the trigger's One Item per Batch does it (values only, runs per topic).
		await doris.sql(stream.ddl(stream.tables[1], 'cdc'));
		let offset = 0;
		const sources = changes.map((m) => ({ topic: m.topic, partition: 0, firstOffset: String(offset), lastOffset: String(offset++), lines: 1 }));
		const packed: PackedRows = { jsonLines: changes.map((m) => `${m.value}\n`).join(''), count: changes.length, sources, doris: { loadBy: 1_900_000_000_000 } };
		const [packedRows, packedInvalid] = await node.execute.call(context(doris, { ...toTables, createTables: false, options: { cdc: true } }, [{ json: { [PACKED_ROWS_FIELD]: packed } as never }], logged));
		assert.deepEqual(packedInvalid, []);
		assert.equal(packedRows.length, 2, 'one packed item per table');
		const byTable = new Map(packedRows.map((r) => [(r.json[PACKED_ROWS_FIELD] as unknown as PackedRows).doris?.table, r.json[PACKED_ROWS_FIELD] as unknown as PackedRows]));
		for (const table of stream.tables) {
			const part = byTable.get(table) as PackedRows;
			assert.equal(part.count, changes.filter((m) => m.table === table).length);
			assert.deepEqual(part.doris, { loadBy: 1_900_000_000_000, database: 'cdc', table, keyFacts: `cdc.${table}: UNIQUE KEY(id), no sequence column` });
			assert.equal(part.sources.reduce((s, r) => s + r.lines, 0), part.count);
		}
	});

	it('a primary key Doris cannot hold (FLOAT) or cannot tell (no Kafka key, no Key Columns) is refused with the reason; nothing is created', async () => {
		const doris = await server('2.1');
		const envelope = (id: unknown, type: string) => ({
			schema: { type: 'struct', fields: [{ type: 'struct', optional: true, field: 'after', fields: [{ type, optional: false, field: 'id' }] }], optional: false },
			payload: { before: null, after: { id }, op: 'c', source: { db: 'inventory', table: 'floaty' } },
		});
		const items = [
			{ json: { ...envelope(1.5, 'float64'), _kafka: { topic: 's.inventory.floaty', key: '{"id":1.5}' } } },
			{ json: { ...envelope(2, 'int64'), _kafka: { topic: 's.inventory.keyless' } } },
		];
		const logged: Logged[] = [];
		const [rows, invalid] = await node.execute.call(context(doris, { ...toTables, options: { cdc: true } }, items as never, logged));
		assert.deepEqual(rows, []);
		const messages = invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message);
		assert.match(messages[0], /cannot create table cdc\.floaty: key column "id" is DOUBLE, which Doris refuses in a key/);
		assert.match(messages[1], /cannot create table cdc\.keyless: its primary key is unknown/);
		assert.deepEqual(await doris.sql('SHOW TABLES FROM cdc'), []);
	});

	it('Key Columns naming other columns than the Kafka key: no table is created, every row of it on Invalid naming both (was: UNIQUE KEY(id) for a (tenant_id, id) source)', async () => {
		const doris = await server('3.1');
		const fields = [{ type: 'int32', optional: false, field: 'tenant_id' }, { type: 'int64', optional: false, field: 'id' }, { type: 'string', optional: true, field: 'name' }];
		const key = (tenant: number, id: number) => JSON.stringify({ schema: { type: 'struct', fields: fields.slice(0, 2) }, payload: { tenant_id: tenant, id } });
		const change = (tenant: number, id: number, offset: number) => ({
			json: {
				schema: { type: 'struct', fields: [{ type: 'struct', optional: true, field: 'after', fields }], optional: false },
				payload: { before: null, after: { tenant_id: tenant, id, name: `t${tenant}` }, op: 'c', source: { db: 'inventory', table: 'accounts' } },
				_kafka: { topic: 's.inventory.accounts', partition: 0, offset: String(offset), key: key(tenant, id), timestamp: '0', headers: {} },
			},
		});
		const [rows, invalid] = await node.execute.call(context(doris, { ...toTables, keyColumns: 'id', options: { cdc: true } }, [change(1, 5, 0), change(2, 5, 1)] as never, []));
		assert.deepEqual(rows, []);
		assert.equal(invalid.length, 2);
		for (const item of invalid) {
			const reason = (item.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0];
			assert.equal(reason.rule, 'table');
			assert.match(reason.message, /Key Columns \(id\) and this message's Kafka key \(tenant_id, id\) name different columns/);
		}
		assert.deepEqual(await doris.sql('SHOW TABLES FROM cdc'), []);
	});

	it('a delete into a table with a sequence column and a key-only "before" image goes to Invalid naming the column; a full image deletes', async () => {
		const doris = await server('3.1');
		await doris.sql(
			'CREATE TABLE cdc.orders (id BIGINT NOT NULL, name STRING NULL, updated_at BIGINT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "updated_at")',
		);
		const change = (payload: Record<string, unknown>, offset: number) => ({ json: { ...payload, _kafka: { topic: 's.inventory.orders', partition: 0, offset: String(offset), key: null, timestamp: '0', headers: {} } } });
		const items = [
			change({ op: 'c', before: null, after: { id: 1, name: 'a', updated_at: 5 } }, 0),
			change({ op: 'c', before: null, after: { id: 2, name: 'b', updated_at: 5 } }, 1),
			// PostgreSQL's default REPLICA IDENTITY: Debezium's "before" holds the key, the rest null.
			change({ op: 'd', before: { id: 1, name: null, updated_at: null }, after: null }, 2),
			change({ op: 'd', before: { id: 2, name: 'b', updated_at: 5 }, after: null }, 3),
		];
		const [rows, invalid] = await node.execute.call(context(doris, { ...toTables, createTables: false, options: { cdc: true } }, items as never, []));
		assert.deepEqual(rows.map((r) => [r.json.id, r.json.__DORIS_DELETE_SIGN__]), [[1, 0], [2, 0], [2, 1]]);
		assert.equal(invalid.length, 1);
		const reason = (invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0];
		assert.equal(reason.rule, 'delete_sequence');
		assert.equal(reason.column, 'updated_at');
		assert.match(reason.message, /Doris ignores a delete whose sequence value is below the stored row's/);
	});

	it('an upsert that would leave the sequence column NULL goes to Invalid (null_sequence), per message and packed, CDC and plain: Doris would keep the stored row', async () => {
		const doris = await server('3.1');
		await doris.sql(
			'CREATE TABLE cdc.orders (id BIGINT NOT NULL, name STRING NULL, updated_at BIGINT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "updated_at")',
		);
		const kafka = (offset: number) => ({ topic: 's.inventory.orders', partition: 0, offset: String(offset), key: null, timestamp: '0', headers: {} });
		const changes = [
			{ op: 'c', before: null, after: { id: 1, name: 'a', updated_at: 5 } },
			{ op: 'u', before: null, after: { id: 1, name: 'lost', updated_at: null } },
			{ op: 'u', before: null, after: { id: 1, name: 'lost too' } },
		];
		const settings = { ...toTables, createTables: false, options: { cdc: true } };
		const [rows, invalid] = await node.execute.call(context(doris, settings, changes.map((c, k) => ({ json: { ...c, _kafka: kafka(k) } })) as never, []));
		assert.deepEqual(rows.map((r) => r.json.name), ['a']);
		const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${r.column}`).join());
		assert.deepEqual(rules(invalid), ['null_sequence updated_at', 'null_sequence updated_at']);
		// Packed as the trigger's One Item per Batch: the same lines go to Invalid one by one.
		const packed: PackedRows = { jsonLines: changes.map((c) => `${JSON.stringify(c)}\n`).join(''), count: 3, sources: [{ topic: 's.inventory.orders', partition: 0, firstOffset: '0', lastOffset: '2', lines: 3 }] };
		const [packedRows, packedInvalid] = await node.execute.call(context(doris, settings, [{ json: { [PACKED_ROWS_FIELD]: packed } as never }], []));
		assert.equal((packedRows[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 1);
		assert.deepEqual(rules(packedInvalid), ['null_sequence updated_at', 'null_sequence updated_at']);
		assert.deepEqual(packedInvalid.map((i) => i.json._kafka), [1, 2].map((offset) => ({ topic: 's.inventory.orders', partition: 0, offset: String(offset), line: offset })));
		// Plain rows into one table take the packed fast path: the same.
		const plain = { operation: 'mapRows', database: 'cdc', table: 'orders', schemaMode: 'auto' };
		const lines = '{"id":2,"name":"b","updated_at":3}\n{"id":2,"name":"lost","updated_at":null}\n{"id":2,"name":"lost too"}\n';
		const plainPacked: PackedRows = { jsonLines: lines, count: 3, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '2', lines: 3 }] };
		const [plainRows, plainInvalid] = await node.execute.call(context(doris, plain, [{ json: { [PACKED_ROWS_FIELD]: plainPacked } as never }], []));
		assert.equal((plainRows[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines, '{"id":2,"name":"b","updated_at":3}\n');
		assert.deepEqual(rules(plainInvalid), ['null_sequence updated_at', 'null_sequence updated_at']);
		const [, plainItemInvalid] = await node.execute.call(context(doris, plain, [{ json: { id: 3, name: 'c', updated_at: null } }], []));
		assert.deepEqual(rules(plainItemInvalid), ['null_sequence updated_at']);
	});

	it('a delete into a DUPLICATE or AGGREGATE KEY table goes to Invalid (delete_unsupported), per message and packed: Doris would load the deleted row as a new one', async () => {
		const doris = await server('3.1');
		await doris.sql('CREATE TABLE cdc.events (id BIGINT NOT NULL, n BIGINT NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		await doris.sql('CREATE TABLE cdc.totals (id BIGINT NOT NULL, n BIGINT SUM NULL) AGGREGATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const kafka = (table: string, offset: number) => ({ topic: `s.inventory.${table}`, partition: 0, offset: String(offset), key: null, timestamp: '0', headers: {} });
		const changes = [
			{ op: 'c', before: null, after: { id: 1, n: 5 } },
			{ op: 'd', before: { id: 1, n: 5 }, after: null },
		];
		const settings = { ...toTables, createTables: false, options: { cdc: true } };
		const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${(i.json[INVALID_FIELD] as unknown as InvalidInfo).table}`).join());
		const items = ['events', 'totals'].flatMap((table, t) => changes.map((c, k) => ({ json: { ...c, _kafka: kafka(table, 2 * t + k) } })));
		const [rows, invalid] = await node.execute.call(context(doris, settings, items as never, []));
		assert.deepEqual(rows.map((r) => [(r.json[DORIS_FIELD] as unknown as DorisItemInfo).table, r.json.id, r.json.__DORIS_DELETE_SIGN__]), [['events', 1, 0], ['totals', 1, 0]]);
		assert.deepEqual(rules(invalid), ['delete_unsupported cdc.events', 'delete_unsupported cdc.totals']);
		assert.match((invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /cdc\.events is a DUPLICATE KEY table: only a UNIQUE KEY table applies deletes/);
		// Packed as the trigger's One Item per Batch: the delete line goes to Invalid the same way.
		const packed: PackedRows = { jsonLines: changes.map((c) => `${JSON.stringify(c)}\n`).join(''), count: 2, sources: [{ topic: 's.inventory.events', partition: 0, firstOffset: '0', lastOffset: '1', lines: 2 }] };
		const [packedRows, packedInvalid] = await node.execute.call(context(doris, settings, [{ json: { [PACKED_ROWS_FIELD]: packed } as never }], []));
		assert.equal((packedRows[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines, '{"id":1,"n":5,"__DORIS_DELETE_SIGN__":0}\n');
		assert.deepEqual(rules(packedInvalid), ['delete_unsupported cdc.events']);
	});

	it("an update carrying Debezium's placeholder for an unchanged TOASTed value goes to Invalid (unavailable_value), per message and packed; a delete carrying it deletes", async () => {
		const doris = await server('3.1');
		await doris.sql('CREATE TABLE cdc.docs (id BIGINT NOT NULL, title STRING NULL, body STRING NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const kafka = (offset: number) => ({ topic: 's.inventory.docs', partition: 0, offset: String(offset), key: null, timestamp: '0', headers: {} });
		// PostgreSQL with REPLICA IDENTITY DEFAULT: an update that leaves the TOASTed "body" unchanged.
		const changes = [
			{ op: 'c', before: null, after: { id: 1, title: 'a', body: 'long text' } },
			{ op: 'u', before: null, after: { id: 1, title: 'b', body: '__debezium_unavailable_value' } },
			{ op: 'd', before: { id: 1, title: null, body: '__debezium_unavailable_value' }, after: null },
		];
		const settings = { ...toTables, createTables: false, options: { cdc: true } };
		const rules = (items: INodeExecutionData[]) => items.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons.map((r) => `${r.rule} ${r.column}`).join());
		const [rows, invalid] = await node.execute.call(context(doris, settings, changes.map((c, k) => ({ json: { ...c, _kafka: kafka(k) } })) as never, []));
		assert.deepEqual(rows.map((r) => [r.json.id, r.json.title, r.json.body, r.json.__DORIS_DELETE_SIGN__]), [[1, 'a', 'long text', 0], [1, null, undefined, 1]]);
		assert.deepEqual(rules(invalid), ['unavailable_value body']);
		assert.match((invalid[0].json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].message, /REPLICA IDENTITY FULL/);
		const packed: PackedRows = { jsonLines: changes.map((c) => `${JSON.stringify(c)}\n`).join(''), count: 3, sources: [{ topic: 's.inventory.docs', partition: 0, firstOffset: '0', lastOffset: '2', lines: 3 }] };
		const [packedRows, packedInvalid] = await node.execute.call(context(doris, settings, [{ json: { [PACKED_ROWS_FIELD]: packed } as never }], []));
		assert.equal((packedRows[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 2);
		assert.doesNotMatch((packedRows[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).jsonLines, /__debezium_unavailable_value/);
		assert.deepEqual(rules(packedInvalid), ['unavailable_value body']);
	});

	it('a missing table is created from the first of its messages that holds a row: a truncate, a message event or an undecodable message first leaves the others loadable, per message and packed', async () => {
		const doris = await server('3.1');
		const kafka = (offset: number) => ({ topic: 's.inventory.items', partition: 0, offset: String(offset), key: '{"id":1}', timestamp: '0', headers: {} });
		const messages = [
			{ op: 't', before: null, after: null, source: { table: 'items' } },
			{ op: 'm', message: { prefix: 'p', content: 'eA==' } },
			{ _parseError: { kind: 'json', message: 'Unexpected token', raw: '{oops' } },
			{ op: 'd', before: { id: 1 }, after: null },
			{ op: 'c', before: null, after: { id: 1, name: 'a', qty: 3 } },
		];
		const settings = { ...toTables, options: { cdc: true } };
		const items = messages.map((m, k) => ({ json: { ...m, _kafka: kafka(k) } }));
		const [rows, invalid] = await node.execute.call(context(doris, settings, items as never, []));
		assert.deepEqual(rows.map((r) => [r.json.id, r.json.__DORIS_DELETE_SIGN__]), [[1, 1], [1, 0]]);
		assert.deepEqual(
			invalid.map((i) => (i.json[INVALID_FIELD] as unknown as InvalidInfo).reasons[0].rule),
			['envelope', 'envelope', 'parse_error'],
		);
		// Its columns come from the row of the create, not from the key-only delete before it.
		const desc = (await doris.sql('DESC cdc.items')) as Array<{ Field: string }>;
		assert.deepEqual(desc.map((c) => c.Field), ['id', 'name', 'qty']);
		// Packed (One Item per Batch, Key Columns set): the same.
		const lines = messages.filter((m) => !('_parseError' in m));
		const packed: PackedRows = { jsonLines: lines.map((c) => `${JSON.stringify(c)}\n`).join(''), count: lines.length, sources: [{ topic: 's.inventory.packed_items', partition: 0, firstOffset: '0', lastOffset: String(lines.length - 1), lines: lines.length }] };
		const [packedRows, packedInvalid] = await node.execute.call(context(doris, { ...settings, keyColumns: 'id' }, [{ json: { [PACKED_ROWS_FIELD]: packed } as never }], []));
		assert.equal((packedRows[0].json[PACKED_ROWS_FIELD] as unknown as PackedRows).count, 2);
		assert.equal(packedInvalid.length, 2);
		assert.deepEqual(((await doris.sql('DESC cdc.packed_items')) as Array<{ Field: string }>).map((c) => c.Field), ['id', 'name', 'qty']);
	});

	it('Map Rows to Table with schema evolution: a plain JSON field gets a column of the type its value shows', async () => {
		const doris = await server('3.1');
		await doris.sql('CREATE TABLE cdc.events (id BIGINT NOT NULL, v STRING NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		const items = [{ json: { id: 1, v: 'a' } }, { json: { id: 2, v: 'b', score: 1.5, count: 7, tags: { a: 1 }, nothing: null } }];
		const logged: Logged[] = [];
		const [rows, invalid] = await node.execute.call(context(doris, { operation: 'mapRows', database: 'cdc', table: 'events', schemaMode: 'auto', options: { evolve: true } }, items, logged));
		assert.deepEqual(invalid, []);
		assert.deepEqual(rows[1].json, { id: 2, v: 'b', score: 1.5, count: 7, tags: '{"a":1}' });
		const desc = (await doris.sql('DESC cdc.events')) as Array<{ Field: string; Type: string }>;
		assert.deepEqual(
			desc.map((c) => `${c.Field} ${c.Type.toUpperCase()}`),
			['id BIGINT', 'v TEXT', 'score DOUBLE', 'count BIGINT', 'tags JSON'],
		);
	});
});
