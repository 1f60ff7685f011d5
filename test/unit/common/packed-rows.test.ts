import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { readPackedRows } from '../../../src/common/packed-rows';

const good: PackedRows = {
	jsonLines: '{"id":1}\n{"id":2}\n',
	count: 2,
	sources: [{ topic: 't', partition: 0, firstOffset: '9223372036854775806', lastOffset: '9223372036854775807', lines: 2 }],
};

function problem(value: unknown): string {
	const r = readPackedRows({ [PACKED_ROWS_FIELD]: value });
	assert.ok(r instanceof Error, `refused: ${JSON.stringify(value)}`);
	return r.message;
}

describe('readPackedRows', () => {
	it('absent: undefined; well-formed (offsets up to the int64 maximum, deleteSign a boolean): the same object', () => {
		assert.equal(readPackedRows({ id: 1 }), undefined);
		assert.equal(readPackedRows({ [PACKED_ROWS_FIELD]: good }), good);
		const signed = { ...good, deleteSign: false };
		assert.equal(readPackedRows({ [PACKED_ROWS_FIELD]: signed }), signed);
		const targeted = { ...good, doris: { loadBy: 1_700_000_000_000, database: 'inventory', table: 'customers' } };
		assert.equal(readPackedRows({ [PACKED_ROWS_FIELD]: targeted }), targeted);
		const empty = { jsonLines: '', count: 0, sources: [] };
		assert.equal(readPackedRows({ [PACKED_ROWS_FIELD]: empty }), empty);
	});

	it('a broken item: an error naming the field and the value', () => {
		const source = good.sources[0];
		const cases: Array<[unknown, string]> = [
			['lines', 'packedRows must be an object, not "lines"'],
			[[], 'packedRows must be an object, not an array'],
			[{ ...good, jsonLines: 5 }, 'packedRows.jsonLines must be a string, not number 5'],
			[{ ...good, count: -1 }, 'packedRows.count must be a whole number ≥ 0, not number -1'],
			[{ ...good, count: 1.5 }, 'packedRows.count must be a whole number ≥ 0, not number 1.5'],
			[{ ...good, jsonLines: '', count: 2 }, 'packedRows.jsonLines is "" but packedRows.count is 2: no lines for 2 row(s)'],
			[{ ...good, sources: null }, 'packedRows.sources must be an array, not null'],
			[{ ...good, sources: [null] }, 'packedRows.sources[0] must be an object, not null'],
			[{ ...good, sources: [{ ...source, topic: 1 }] }, 'packedRows.sources[0].topic must be a string, not number 1'],
			[{ ...good, sources: [{ ...source, partition: '0' }] }, 'packedRows.sources[0].partition must be a whole number, not "0"'],
			[{ ...good, sources: [{ ...source, firstOffset: '1e3' }] }, 'packedRows.sources[0].firstOffset must be an offset as a decimal string, not "1e3"'],
			[{ ...good, sources: [{ ...source, firstOffset: 7 }] }, 'packedRows.sources[0].firstOffset must be an offset as a decimal string, not number 7'],
			[{ ...good, sources: [source, { ...source, firstOffset: '9223372036854775808' }] }, 'packedRows.sources[1].firstOffset "9223372036854775808" is above the int64 maximum 9223372036854775807'],
			[{ ...good, sources: [{ ...source, lastOffset: '9999999999999999999' }] }, 'packedRows.sources[0].lastOffset "9999999999999999999" is above the int64 maximum 9223372036854775807'],
			[{ ...good, sources: [{ ...source, lastOffset: '10000000000000000000' }] }, 'packedRows.sources[0].lastOffset must be an offset as a decimal string, not "10000000000000000000"'],
			[{ ...good, sources: [{ ...source, lines: -2 }] }, 'packedRows.sources[0].lines must be a whole number ≥ 0, not number -2'],
			[{ ...good, deleteSign: 1 }, 'packedRows.deleteSign must be true, false or absent, not number 1'],
			[{ ...good, doris: 'x' }, 'packedRows.doris must be an object, not "x"'],
			[{ ...good, doris: { loadBy: '17' } }, 'packedRows.doris.loadBy must be a time in milliseconds since 1970, not "17"'],
			[{ ...good, doris: { table: '' } }, 'packedRows.doris.table must be a name, not ""'],
		];
		for (const [value, message] of cases) assert.equal(problem(value), message);
	});
});
