// The `columns` header is cut where Doris' SQL parser cuts it (COLUMNS (<header>), fe-core
// StreamLoadTask.setColumnToColumnExpr): at top-level commas, never inside an expression.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { columnName, columnNames, isDerived, sourceColumns, splitColumns } from '../../../../src/doris/stream-load/columns';

describe('the columns header', () => {
	it('keeps commas and blanks inside expressions, quotes and brackets', () => {
		const header = "id, ts, dt = from_unixtime(ts, '%Y-%m-%d %H:%i:%s'), tag = concat('a,b', \"c,d\"), `odd, name`, arr = array(1, 2), n = ifnull(x , 0)";
		assert.deepEqual(splitColumns(header), [
			'id',
			'ts',
			"dt = from_unixtime(ts, '%Y-%m-%d %H:%i:%s')",
			'tag = concat(\'a,b\', "c,d")',
			'`odd, name`',
			'arr = array(1, 2)',
			'n = ifnull(x , 0)',
		]);
	});

	it('reads the column each entry loads into, and which entries are fields of the data', () => {
		const entries = splitColumns("k1, `my col`, k2 = k1 * 10, `x``y` = 'q', __DORIS_DELETE_SIGN__");
		assert.deepEqual(columnNames(entries), ['k1', 'my col', 'k2', 'x`y', '__DORIS_DELETE_SIGN__']);
		assert.deepEqual(sourceColumns(entries), ['k1', 'my col', '__DORIS_DELETE_SIGN__']);
		assert.equal(isDerived('k2 = k1 * 10'), true);
		assert.equal(isDerived('k2'), false);
		assert.equal(columnName('dt=now()'), 'dt');
	});

	it('a string holding an escaped or doubled quote does not end early', () => {
		assert.deepEqual(splitColumns("a = 'it\\'s, ok', b = 'it''s, ok', c"), ["a = 'it\\'s, ok'", "b = 'it''s, ok'", 'c']);
	});

	it('empty is no list; plain names read as they always did (commas or blanks, empty entries ignored)', () => {
		assert.deepEqual(splitColumns(''), []);
		assert.deepEqual(splitColumns('  '), []);
		assert.deepEqual(splitColumns('id,name'), ['id', 'name']);
		assert.deepEqual(splitColumns(' id name, ts,,'), ['id', 'name', 'ts']);
	});

	it('refuses what Doris cannot parse, naming the field, the value and the rule', () => {
		const refused: Array<[string, RegExp]> = [
			['a,,b = 1', /entry 2 is empty/],
			['a, b = 1,', /entry 3 is empty/],
			["a = concat('x, b", /quote ' is never closed/],
			['a = f(x, b', /a "\)" is missing/],
			['a = x), b', /"\)" at position 6 closes nothing/],
			['a b, c = 1', /"a b" is neither a column name nor "name = expression"/],
			['a == b', /neither a column name/],
			['a =', /neither a column name/],
			['= x', /does not start with a column name/],
			['(a), b', /"\(a\)" does not start with a column name/],
		];
		for (const [header, rule] of refused) {
			assert.throws(() => splitColumns(header, 'Columns'), (error: Error) => error.message.startsWith(`Columns ${JSON.stringify(header)} is not a Doris column list: `) && rule.test(error.message), header);
		}
	});
});
