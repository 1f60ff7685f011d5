import assert from 'node:assert/strict';
import { it } from 'node:test';

import type { DorisConnection } from '../../../../src/doris/connection';
import { columnsSignature } from '../../../../src/doris/schema/drift-signals';
import { schemaWithCurrentKeyFacts } from '../../../../src/doris/schema/key-facts';
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
		const first = await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', facts);
		assert.equal(first.keyModel, 'UNIQUE');
		assert.equal(await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', facts), first, 'same facts: no read');
		assert.equal(reads, 1);
		// Before: the cached UNIQUE stood until the next timed read, and the delete loaded as a new row.
		now = { keyModel: 'DUPLICATE', sequenceColumn: null };
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', facts)).keyModel, 'DUPLICATE');
		assert.equal((await cache.get(connection, 'd', 't')).keyModel, 'DUPLICATE', 'the shared cache holds the new read');
		now = { keyModel: 'UNIQUE', sequenceColumn: 'ver' };
		assert.equal((await schemaWithCurrentKeyFacts(cache, connection, 'd', 't', facts)).sequenceColumn, 'ver');
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
