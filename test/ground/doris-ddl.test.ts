// The Doris test server refuses the CREATE TABLE and ALTER TABLE Doris refuses (fe-core ColumnDef.analyze,
// CreateTableStmt, SchemaChangeHandler), and takes the DDL the Doris Schema node issues, on every version.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { addColumnsStatement, createTableStatement } from '../../src/doris/schema/table-design';
import { startDorisTestServer, type DorisTestServer } from './doris/server';

const VERSIONS = ['2.1', '3.0', '3.1'] as const;

describe('Doris test server: DDL as Doris takes and refuses it', () => {
	const servers = new Map<string, DorisTestServer>();
	before(async () => {
		for (const version of VERSIONS) {
			const doris = await startDorisTestServer({ version });
			await doris.sql('CREATE DATABASE d');
			servers.set(version, doris);
		}
	});
	after(async () => {
		await Promise.all([...servers.values()].map((s) => s.close()));
	});

	for (const version of VERSIONS) {
		it(`Doris ${version}: the sinker's CREATE TABLE and ADD COLUMN are taken; key and column rules as Doris has them`, async () => {
			const doris = servers.get(version) as DorisTestServer;
			const design = {
				database: 'd',
				table: 'customers',
				keys: [{ name: 'id', type: 'BIGINT', nullable: false }],
				values: [
					{ name: 'name', type: 'VARCHAR(256)', nullable: true },
					{ name: 'updated_at', type: 'DATETIME(6)', nullable: true },
				],
				sequenceColumn: 'updated_at',
				properties: [['replication_num', '1']] as Array<[string, string]>,
			};
			await doris.sql(createTableStatement(design));
			const [{ 'Create Table': ddl }] = (await doris.sql('SHOW CREATE TABLE d.customers')) as Array<{ 'Create Table': string }>;
			assert.match(ddl, /UNIQUE KEY\(`id`\)/);
			assert.match(ddl, /"function_column.sequence_col" = "updated_at"/);
			await doris.sql(addColumnsStatement(design, [{ name: 'note', type: 'STRING', nullable: true }, { name: 'doc', type: 'JSON', nullable: true }]));
			assert.deepEqual(((await doris.sql('DESC d.customers')) as Array<{ Field: string }>).map((c) => c.Field), ['id', 'name', 'updated_at', 'note', 'doc']);

			const refused = async (sql: string, message: RegExp) => assert.rejects(doris.sql(sql), (e: Error) => message.test(e.message), sql);
			await refused('CREATE TABLE d.k1 (k STRING NOT NULL, v INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1', /String Type should not be used in key column\[k\]/);
			await refused('CREATE TABLE d.k2 (k DOUBLE NOT NULL, v INT) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1', /Float or double can not used as a key/);
			await refused('CREATE TABLE d.k3 (k ARRAY<INT> NOT NULL, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(v) BUCKETS 1', /Array can only be used in the non-key column/);
			await refused('CREATE TABLE d.k4 (v INT, k BIGINT NOT NULL) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1', /Key columns should be a ordered prefix of the schema/);
			await refused('CREATE TABLE d.k5 (f FLOAT, v INT) DISTRIBUTED BY RANDOM BUCKETS 1', /first column could not be float, double, string/);
			await refused('CREATE TABLE d.k6 (k BIGINT NOT NULL, v VARCHAR(65534)) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1', /VARCHAR size must be between 1 and 65533/);
			await refused('CREATE TABLE d.k7 (k BIGINT NOT NULL, v STRING) UNIQUE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 PROPERTIES ("function_column.sequence_col" = "v")', /Sequence type only support integer types and date types/);
			await refused('ALTER TABLE d.customers ADD COLUMN note STRING NULL', /Can not add column which already exists in base table: note/);
			await refused('ALTER TABLE d.customers ADD COLUMN strict_one INT NOT NULL', /Can not add column which is not nullable and has no default value/);
		});

		it(`Doris ${version}: while an alter job runs on a table every ALTER of it is refused (errno 1105, the table's state), and taken again once it ends`, async () => {
			const doris = servers.get(version) as DorisTestServer;
			await doris.sql('CREATE TABLE d.busy (id BIGINT NOT NULL, v STRING NULL) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
			const job = doris.schemaChangeJob('d', 'busy');
			await assert.rejects(doris.sql('ALTER TABLE d.busy ADD COLUMN note STRING NULL'), (e: Error & { errno?: number }) => {
				assert.equal(e.message, "errCode = 2, detailMessage = Table[busy]'s state(SCHEMA_CHANGE) is not NORMAL. Do not allow doing ALTER ops");
				assert.equal(e.errno, 1105);
				return true;
			});
			job.finish();
			await doris.sql('ALTER TABLE d.busy ADD COLUMN note STRING NULL');
			assert.deepEqual(((await doris.sql('DESC d.busy')) as Array<{ Field: string }>).map((c) => c.Field), ['id', 'v', 'note']);
		});
	}
});
