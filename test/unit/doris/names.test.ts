// checkDorisName (src/doris/names.ts): names that would change the Stream Load URL or break a header
// are refused naming the kind and the value; Doris' own names pass. Until now only the reliability
// security file checked it, through a load on the broker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkDorisName } from '../../../src/doris/names';

describe('checkDorisName', () => {
	it("passes Doris' own names, unicode ones included", () => {
		for (const name of ['orders', 'order_items-2024', 'Orders_V2', '订单', 'a.b']) assert.equal(checkDorisName('Table', name), name);
	});

	it('refuses empty names and control characters in every kind', () => {
		assert.throws(() => checkDorisName('Database', '  '), /^Error: Database name is empty$/);
		for (const kind of ['Database', 'Table', 'Column'] as const) {
			assert.throws(() => checkDorisName(kind, 'a\r\nb'), new RegExp(`^Error: ${kind} name "a\\\\r\\\\nb" contains a control character`));
			assert.throws(() => checkDorisName(kind, 'a\tb'), /contains a control character/);
			assert.throws(() => checkDorisName(kind, 'a\x7fb'), /contains a control character/);
		}
	});

	it('refuses path characters and dot segments in a database or table name', () => {
		for (const name of ['a/b', 'a\\b', 'a?b', 'a#b']) {
			assert.throws(() => checkDorisName('Table', name), /contains "[/\\?#]"; Doris names cannot, and it would change the Stream Load URL/);
		}
		assert.throws(() => checkDorisName('Database', '..'), /^Error: Database name "\.\." contains a dot segment/);
		assert.throws(() => checkDorisName('Table', '.'), /contains a dot segment/);
		assert.throws(() => checkDorisName('Table', 'a..b'), /contains a dot segment/);
	});

	it('lets a column carry path characters: it only travels in the columns header (v=a/2)', () => {
		assert.equal(checkDorisName('Column', 'v=a/2'), 'v=a/2');
		assert.equal(checkDorisName('Column', '..'), '..');
	});
});
