import assert from 'node:assert/strict';
import { it } from 'node:test';

import type { DorisConnection } from '../../../../src/doris/connection';
import { columnsSignature } from '../../../../src/doris/schema/drift-signals';
import { KeyFactsChangedError, keyFactsMark, keyFactsMarksOf, KeyFactsOfAnotherTableError, markKeyFacts, readKeyFactsMark, schemaWithCurrentKeyFacts } from '../../../../src/doris/schema/key-facts';
import { manualSchema } from '../../../../src/doris/schema/manual';
import type { CreateTableFacts } from '../../../../src/doris/schema/reader';
import { SchemaCache } from '../../../../src/doris/schema/schema-cache';
import type { KeyModel, TableSchema } from '../../../../src/doris/schema/types';

const connection = { feUrls: ['http://127.0.0.1:1'], queryPort: 9030, user: 'u', password: 'p', database: 'd' } as unknown as DorisConnection;

/** The table as Doris has it now: DROP + CREATE changes these between reads. */
let now: { keyModel: KeyModel; sequenceColumn: string | null } = { keyModel: 'UNIQUE', sequenceColumn: null };
let reads = 0;
const reader = async (): Promise<TableSchema> => {
	reads++;
	const s = manualSchema('d', 't', [
		{ name: 'id', type: 'INT', nullable: false },
		{ name: 'ver', type: 'BIGINT' },
	]);
	return { ...s, ...now, keyColumns: ['id'], deleteSign: now.keyModel === 'UNIQUE', source: 'auto' };
};
const facts = async (): Promise<CreateTableFacts> => ({ ...now, keyColumns: ['id'], hasSequenceType: false, mergeOnWrite: null, skipBitmapColumn: false });

it('a table recreated with another key model or a sequence column is read again before a load with deletes; unchanged, the cache answers', async () => {
	const cache = new SchemaCache(reader);
	try {
		const first = await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', new Set(), facts);
		assert.equal(first.keyModel, 'UNIQUE');
		assert.equal(await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', new Set(), facts), first, 'same facts: no read');
		assert.equal(reads, 1);
		// Before: the cached UNIQUE stood until the next timed read, and the delete loaded as a new row.
		now = { keyModel: 'DUPLICATE', sequenceColumn: null };
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', new Set(), facts)).keyModel, 'DUPLICATE');
		assert.equal((await cache.get(connection, 'd', 't')).keyModel, 'DUPLICATE', 'the shared cache holds the new read');
		now = { keyModel: 'UNIQUE', sequenceColumn: 'ver' };
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', new Set(), facts)).sequenceColumn, 'ver');
		assert.equal(reads, 3);
	} finally {
		cache.close();
	}
});

it('a re-read with another key model or sequence column maps the group again (columnsSignature), not only one with other columns', async () => {
	now = { keyModel: 'UNIQUE', sequenceColumn: null };
	const unique = await reader();
	now = { keyModel: 'DUPLICATE', sequenceColumn: null };
	assert.notEqual(columnsSignature(await reader()), columnsSignature(unique));
	now = { keyModel: 'UNIQUE', sequenceColumn: 'ver' };
	assert.notEqual(columnsSignature(await reader()), columnsSignature(unique));
	now = { keyModel: 'UNIQUE', sequenceColumn: null };
	assert.equal(columnsSignature(await reader()), columnsSignature(unique));
});

// Late review session 20, S3: deletes mapped for the table before it was recreated with a sequence column
// loaded as mapped, without the sequence value Doris needs, and Doris ignored them.
it('deletes mapped for other key facts fail the load while the table is UNIQUE KEY, also after another execution re-read the cache; not once it is not UNIQUE KEY', async () => {
	now = { keyModel: 'UNIQUE', sequenceColumn: null };
	const cache = new SchemaCache(reader);
	try {
		const mappedFor = new Set([keyFactsMark(await cache.get(connection, 'd', 't'))]);
		assert.equal(keyFactsMark(await cache.get(connection, 'd', 't')), 'd.t: UNIQUE KEY(id), no sequence column');
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', mappedFor, facts)).sequenceColumn, null, 'unchanged: loads');
		now = { keyModel: 'UNIQUE', sequenceColumn: 'ver' };
		await assert.rejects(
			schemaWithCurrentKeyFacts(cache, connection, 'd', 't', mappedFor, facts),
			(error: unknown) => error instanceof KeyFactsChangedError && /Table d\.t changed since .*mapped for UNIQUE KEY\(id\), no sequence column, and SHOW CREATE TABLE now says UNIQUE KEY\(id\), sequence column ver/.test(error.message),
		);
		assert.equal((await cache.get(connection, 'd', 't')).sequenceColumn, 'ver', 'the cache is read again for the redelivery');
		// A second execution mapped before the change: the cache is current now, the mark is not.
		await assert.rejects(schemaWithCurrentKeyFacts(cache, connection, 'd', 't', mappedFor, facts), KeyFactsChangedError);
		// Marks compare without case; rows marked for the table as it is load.
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', new Set(['D.T: unique KEY(ID), sequence column VER']), facts)).sequenceColumn, 'ver');
		// No longer UNIQUE KEY: every delete is taken out anyway (delete_unsupported), the load is judged as before.
		now = { keyModel: 'DUPLICATE', sequenceColumn: null };
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', mappedFor, facts)).keyModel, 'DUPLICATE');
	} finally {
		cache.close();
	}
});

it('the Doris Schema node marks the deletes it maps (per item, packed) with the key facts, and the Stream Load node reads them back', () => {
	const schema = { ...manualSchema('d', 't', [{ name: 'id', type: 'INT', nullable: false }]), keyModel: 'UNIQUE' as KeyModel, keyColumns: ['id'], sequenceColumn: 'ver', source: 'auto' as const };
	const del: Record<string, unknown> = { id: 1, __DORIS_DELETE_SIGN__: 1, _doris: { loadBy: 5 } };
	const upsert: Record<string, unknown> = { id: 2, __DORIS_DELETE_SIGN__: 0 };
	const packed: Record<string, unknown> = { packedRows: { jsonLines: '{"id":3,"__DORIS_DELETE_SIGN__":1}\n', count: 1, sources: [], deleteSign: true } };
	for (const json of [del, upsert, packed]) markKeyFacts(json, schema);
	assert.deepEqual(del._doris, { loadBy: 5, keyFacts: 'd.t: UNIQUE KEY(id), sequence column ver' });
	assert.equal(upsert._doris, undefined, 'only deletes carry it');
	assert.equal((packed.packedRows as { doris?: { keyFacts?: string } }).doris?.keyFacts, 'd.t: UNIQUE KEY(id), sequence column ver');
	assert.deepEqual([...keyFactsMarksOf([{ json: del }, { json: upsert }, { json: packed }])], ['d.t: UNIQUE KEY(id), sequence column ver']);
	const manual: Record<string, unknown> = { id: 1, __DORIS_DELETE_SIGN__: 1 };
	markKeyFacts(manual, { ...schema, source: 'manual' });
	assert.equal(manual._doris, undefined, 'a manual schema says nothing of the table');
});

// Late review session 21, S3b: the Doris Schema node reading the table with another credential (or FE host)
// than the Stream Load node kept its own cached schema: every redelivery was mapped with the old key facts and
// failed again, until its refresh (never with Refresh Interval 0).
it('after KeyFactsChangedError the redelivery is mapped with the table as it is now, also when the Doris Schema node reads it with another credential', async () => {
	now = { keyModel: 'UNIQUE', sequenceColumn: null };
	const schemaUser = { ...connection, user: 'schema_reader' } as DorisConnection;
	const cache = new SchemaCache(reader);
	try {
		// Both nodes read the table (Refresh Interval 0 on the Schema node: read once, kept until invalidated).
		const mappedBefore = new Set([keyFactsMark(await cache.get(schemaUser, 'd', 't'))]);
		await cache.get(connection, 'd', 't');
		now = { keyModel: 'UNIQUE', sequenceColumn: 'ver' }; // DROP + CREATE with a sequence column
		await assert.rejects(schemaWithCurrentKeyFacts(cache, connection, 'd', 't', mappedBefore, facts), KeyFactsChangedError);
		// The redelivery: the Doris Schema node maps it with its own credential's entry.
		const remapped = await cache.get(schemaUser, 'd', 't');
		assert.equal(remapped.sequenceColumn, 'ver', "the Schema node's entry is read again (before: still without the sequence column)");
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', new Set([keyFactsMark(remapped)]), facts)).sequenceColumn, 'ver', 'the redelivery loads');
	} finally {
		cache.close();
	}
});

// Late review session 21, S3c: a Doris Schema node mapping for d.a (one table: no _doris.table) and a Stream Load
// node loading into d.b whose key facts differ failed every delivery with "Table d.b changed", though nothing did.
it('deletes mapped for another table whose key facts differ fail naming both tables, not "changed"; with the same key facts they load', async () => {
	now = { keyModel: 'UNIQUE', sequenceColumn: 'ver' }; // d.b as it is
	const tableA: TableSchema = { ...manualSchema('d', 'a', [{ name: 'id', type: 'INT', nullable: false }]), keyModel: 'UNIQUE', keyColumns: ['id'], sequenceColumn: null, source: 'auto' };
	const cache = new SchemaCache(reader);
	try {
		const item = { json: { id: 1, __DORIS_DELETE_SIGN__: 1 } as Record<string, unknown> };
		markKeyFacts(item.json, tableA);
		const marks = keyFactsMarksOf([item]);
		assert.deepEqual([...marks], ['d.a: UNIQUE KEY(id), no sequence column']);
		await assert.rejects(schemaWithCurrentKeyFacts(cache, connection, 'd', 'b', marks, facts), (error: unknown) => {
			assert.ok(error instanceof KeyFactsOfAnotherTableError, String(error));
			assert.doesNotMatch(error.message, /changed/);
			assert.match(error.message, /^Table d\.b: this execution's deletes were mapped by the Doris Schema node for another table, d\.a: UNIQUE KEY\(id\), no sequence column, and this node loads them into d\.b, whose key facts differ: SHOW CREATE TABLE says UNIQUE KEY\(id\), sequence column ver\./);
			assert.match(error.message, /every delivery fails the same way: let the Doris Schema node map for d\.b .*or load into d\.a$/);
			return true;
		});
		// Same key facts: the deletes carry what d.b needs, as before.
		markKeyFacts(item.json, { ...tableA, sequenceColumn: 'ver' });
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 'b', keyFactsMarksOf([item]), facts)).sequenceColumn, 'ver');
		// A name differing only in case may be the table itself (lower_case_table_names 1 or 2): "changed", as before.
		await assert.rejects(schemaWithCurrentKeyFacts(cache, connection, 'd', 'b', new Set(['D.B: UNIQUE KEY(id), no sequence column']), facts), (error: unknown) => error instanceof KeyFactsChangedError);
	} finally {
		cache.close();
	}
});

it('a mark is read back at its first ": ", which a key column may hold but no table name', () => {
	assert.deepEqual(readKeyFactsMark('d.t: UNIQUE KEY(a: b), no sequence column'), { table: 'd.t', facts: 'UNIQUE KEY(a: b), no sequence column' });
	assert.deepEqual(readKeyFactsMark('UNIQUE KEY(a: b), no sequence column'), { table: undefined, facts: 'UNIQUE KEY(a: b), no sequence column' });
	assert.deepEqual(readKeyFactsMark('UNIQUE KEY(id), no sequence column'), { table: undefined, facts: 'UNIQUE KEY(id), no sequence column' });
});
