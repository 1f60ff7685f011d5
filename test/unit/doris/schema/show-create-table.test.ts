/**
 * The key facts come from the clauses of SHOW CREATE TABLE as Doris writes them (Env.getDdlStmt), not
 * from the first matching text anywhere: a column comment comes before the key clause, and before this
 * a comment saying "UNIQUE KEY(id)" made a DUPLICATE KEY table UNIQUE, and one quoting the sequence
 * property gave the table a sequence column it lacks (late review session 20, S2).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseShowCreateTable } from '../../../../src/doris/schema/show-create-table';

/** A table's definition in the form Doris 2.1 / 3.0 / 3.1 print it (column lines, ENGINE, key, comment, distribution, properties). */
function ddl(options: { columns?: string[]; key?: string; comment?: string; properties?: string[] } = {}): string {
	const columns = options.columns ?? ['`id` bigint NOT NULL COMMENT "order id"', '`v` bigint NOT NULL', '`note` varchar(64) NULL'];
	const properties = options.properties ?? ['"replication_allocation" = "tag.location.default: 1"', '"min_load_replica_num" = "-1"', '"is_being_synced" = "false"', '"storage_format" = "V2"'];
	return (
		`CREATE TABLE \`orders\` (\n${columns.map((c) => `  ${c}`).join(',\n')}\n) ENGINE=OLAP\n` +
		(options.key === undefined ? 'UNIQUE KEY(`id`)\n' : options.key === '' ? '' : `${options.key}\n`) +
		`COMMENT '${options.comment ?? 'OLAP'}'\nDISTRIBUTED BY HASH(\`id\`) BUCKETS 10\nPROPERTIES (\n${properties.join(',\n')}\n);`
	);
}

describe('parseShowCreateTable', () => {
	it('reads the key clause and the PROPERTIES block of a Doris definition', () => {
		const facts = parseShowCreateTable(
			ddl({ key: 'UNIQUE KEY(`id`, `v`)', properties: ['"replication_allocation" = "tag.location.default: 1"', '"enable_unique_key_merge_on_write" = "true"', '"function_column.sequence_col" = "v"', '"storage_format" = "V2"'] }),
		);
		assert.deepEqual(facts, { keyModel: 'UNIQUE', keyColumns: ['id', 'v'], sequenceColumn: 'v', hasSequenceType: false, mergeOnWrite: true, skipBitmapColumn: false });
		assert.equal(parseShowCreateTable(ddl({ properties: ['"function_column.sequence_type" = "int"'] })).hasSequenceType, true);
		assert.deepEqual(parseShowCreateTable(ddl({ key: 'AGGREGATE KEY(`id`)' })).keyModel, 'AGGREGATE');
	});

	it('a column comment naming another key model does not decide it: a DUPLICATE KEY table stays DUPLICATE', () => {
		// Before: the first "… KEY(" anywhere, the comment's, read the table as UNIQUE KEY(id).
		const facts = parseShowCreateTable(ddl({ columns: ['`id` bigint NOT NULL COMMENT "was UNIQUE KEY(id) before the 2026 migration"', '`v` bigint NOT NULL'], key: 'DUPLICATE KEY(`id`, `v`)' }));
		assert.equal(facts.keyModel, 'DUPLICATE');
		assert.deepEqual(facts.keyColumns, ['id', 'v']);
		// Single quotes (older releases) and a table comment after the key clause alike.
		const single = parseShowCreateTable(ddl({ columns: ["`id` bigint NOT NULL COMMENT 'DUPLICATE KEY(`v`)'", '`v` bigint NOT NULL'], comment: 'AGGREGATE KEY(v)' }));
		assert.equal(single.keyModel, 'UNIQUE');
		assert.deepEqual(single.keyColumns, ['id']);
	});

	it('a comment or a DEFAULT quoting a property is no property: no phantom sequence column, merge-on-write as the block says', () => {
		const fooled = parseShowCreateTable(
			ddl({
				columns: [
					'`id` bigint NOT NULL COMMENT "old table had \\"function_column.sequence_col\\" = \\"v\\""',
					'`v` bigint NOT NULL COMMENT "\'enable_unique_key_merge_on_write\' = \'true\'"',
					'`note` varchar(64) NULL DEFAULT "\'function_column.sequence_type\' = \'int\'"',
				],
				comment: '"function_column.sequence_col" = "note"',
				properties: ['"replication_allocation" = "tag.location.default: 1"', '"enable_unique_key_merge_on_write" = "false"'],
			}),
		);
		assert.equal(fooled.sequenceColumn, null);
		assert.equal(fooled.hasSequenceType, false);
		assert.equal(fooled.mergeOnWrite, false);
	});

	it('an INDEX with PROPERTIES of its own in the column list and a partition clause are no table properties', () => {
		const text = ddl({
			columns: ['`id` bigint NOT NULL', '`v` bigint NOT NULL', 'INDEX idx_v (`v`) USING INVERTED PROPERTIES("function_column.sequence_col" = "id") COMMENT \'UNIQUE KEY(v)\''],
			properties: ['"replication_allocation" = "tag.location.default: 1"'],
		}).replace('DISTRIBUTED BY', 'PARTITION BY LIST(`id`)\n(PARTITION p1 VALUES IN ("1"))\nDISTRIBUTED BY');
		const facts = parseShowCreateTable(text);
		assert.equal(facts.keyModel, 'UNIQUE');
		assert.equal(facts.sequenceColumn, null);
	});

	it('Doris prints a comment ending in a backslash and a DEFAULT holding a double quote unescaped: the ") ENGINE=" line still ends the column list', () => {
		const facts = parseShowCreateTable(ddl({ columns: ['`id` bigint NOT NULL COMMENT "C:\\"', '`v` varchar(8) NOT NULL DEFAULT "a"b" COMMENT "x UNIQUE KEY(v)"'], key: 'DUPLICATE KEY(`id`)' }));
		assert.equal(facts.keyModel, 'DUPLICATE');
		assert.deepEqual(facts.keyColumns, ['id']);
	});

	it('a key column whose name holds a comma or a parenthesis keeps it (backquoted)', () => {
		assert.deepEqual(parseShowCreateTable(ddl({ key: 'UNIQUE KEY(`a, b`, `c(1)`)' })).keyColumns, ['a, b', 'c(1)']);
	});

	it('a DUPLICATE KEY table created without keys (no key clause) is DUPLICATE, not unknown', () => {
		// Read as unknown, a delete loaded into it as a new row (tableWithoutDeletes lets an unknown model through).
		const facts = parseShowCreateTable(ddl({ key: '', properties: ['"enable_duplicate_without_keys_by_default" = "true"'] }));
		assert.equal(facts.keyModel, 'DUPLICATE');
		assert.deepEqual(facts.keyColumns, []);
	});

	it('a text that is no table definition as Doris writes it fails, naming it', () => {
		assert.throws(() => parseShowCreateTable('CREATE VIEW `v` AS SELECT 1'), /without a column list followed by ENGINE=/);
	});
});
