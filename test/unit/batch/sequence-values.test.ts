// The Stream Load node's Sequence Column check (src/batch/sequence-values.ts): which rows and packed
// lines have no value for the column, as Doris' JSON reader would find it, the scan without parsing
// agreeing with JSON.parse on every line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { isRows } from '../../../src/batch/batch-parts';
import { sortItemsForLoad } from '../../../src/batch/load-items';
import { fieldValue, missingSequence, sequenceDefault, sequenceReader, sequenceSourceField } from '../../../src/batch/sequence-values';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import type { TableSchema } from '../../../src/doris/schema/types';

const check = { column: 'updated_at', deletesAll: false };

/**
 * Packed lines through the Stream Load node's check of them (load-items.ts sortItemsForLoad, which reads
 * each line once for every check: packedLineReason): the lines taken out, the lines kept and their text.
 */
function splitPacked(text: string): { refused: Array<{ line: number; rule: string }>; kept: number[]; text: string } {
	const count = text.split('\n').length - 1;
	const item = { json: { [PACKED_ROWS_FIELD]: { jsonLines: text, count, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(count - 1), lines: count }] } } };
	const sorted = sortItemsForLoad([item], { format: 'json', deletes: 'auto', sequence: { ...check, handBack: true } });
	const refused = sorted.takenOut.map((t) => ({ line: t.line ?? -1, rule: t.reason.rule }));
	const part = sorted.parts[0];
	const kept = Array.from({ length: count }, (_l, k) => k).filter((k) => !refused.some((r) => r.line === k));
	return { refused, kept, text: part === undefined || isRows(part) ? '' : part.text };
}

/** The reference: each line parsed, and missingSequence on the object. */
function reference(lines: string[]): number[] {
	const refused: number[] = [];
	lines.forEach((line, k) => {
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			return;
		}
		if (value !== null && typeof value === 'object' && !Array.isArray(value) && missingSequence(value as Record<string, unknown>, check) !== undefined) refused.push(k);
	});
	return refused;
}

describe('Sequence Column values', () => {
	it('with a column DEFAULT CURRENT_TIMESTAMP, an upsert lacking the field has a value (the load time); a constant DEFAULT is missing_sequence; null, and a delete lacking it, still have none', () => {
		const filled = { ...check, missingDefault: 'CURRENT_TIMESTAMP' };
		assert.equal(missingSequence({ id: 1 }, filled), undefined);
		assert.equal(missingSequence({ id: 1 }, { ...check, missingDefault: 'current_timestamp(3)' }), undefined);
		// A constant default is the row's sequence value: a stored row with a higher one keeps it out.
		const constant = missingSequence({ id: 1 }, { ...check, missingDefault: '7' });
		assert.equal(constant?.rule, 'missing_sequence');
		assert.match(constant?.message ?? '', /^the Sequence Column "updated_at" .* is missing in this row: Doris would give it the column's DEFAULT 7, and keeps a stored row of the same key whose sequence value is higher/);
		assert.equal(missingSequence({ id: 1, updated_at: 3 }, { ...check, missingDefault: '7' }), undefined);
		assert.equal(missingSequence({ id: 1, updated_at: null }, filled)?.rule, 'null_sequence');
		assert.equal(missingSequence({ id: 1, __DORIS_DELETE_SIGN__: 1 }, filled)?.rule, 'delete_sequence');
		assert.equal(missingSequence({ id: 1 }, { ...filled, deletesAll: true })?.rule, 'delete_sequence');
		assert.equal(missingSequence({ id: 1 }, check)?.rule, 'null_sequence');
	});

	it('a DEFAULT fills the field only when the table column of its name has one (not AUTO_INCREMENT, not DEFAULT NULL); an unreadable schema fills nothing', async () => {
		const column = (name: string, defaultValue: string | null, autoIncrement = false) => ({ name, defaultValue, autoIncrement, hasDefault: defaultValue !== null || autoIncrement });
		const schema = { columns: [column('Updated_At', '7'), column('seq_null', 'NULL'), column('seq_auto', null, true)] } as unknown as TableSchema;
		const read = () => Promise.resolve(schema);
		assert.equal(await sequenceDefault(read, 'updated_at'), '7');
		assert.equal(await sequenceDefault(read, 'seq_null'), undefined);
		assert.equal(await sequenceDefault(read, 'seq_auto'), undefined);
		assert.equal(await sequenceDefault(read, 'not_a_column'), undefined);
		assert.equal(await sequenceDefault(() => Promise.reject(new Error('MySQL port closed')), 'updated_at'), undefined);
		assert.equal(sequenceSourceField('updated_at', ['id', 'UPDATED_AT', 'v']), 'UPDATED_AT');
		assert.equal(sequenceSourceField('updated_at', undefined), 'updated_at');
	});

	it('reads the key itself, else another case of it; null and missing have no value', () => {
		assert.equal(fieldValue({ updated_at: 1, UPDATED_AT: 2 }, 'updated_at'), 1);
		assert.equal(fieldValue({ Updated_At: 2 }, 'updated_at'), 2);
		assert.equal(missingSequence({ updated_at: 0 }, check), undefined);
		assert.equal(missingSequence({ updated_at: null }, check)?.rule, 'null_sequence');
		assert.equal(missingSequence({ __DORIS_DELETE_SIGN__: 1 }, check)?.rule, 'delete_sequence');
		assert.equal(missingSequence({}, { ...check, deletesAll: true })?.rule, 'delete_sequence');
	});

	it('a line that starts with a byte-order mark is checked as the row Doris reads (its JSON reader skips the mark)', () => {
		const split = splitPacked('\uFEFF{"id":1}\n\uFEFF{"id":2,"updated_at":5}\n');
		assert.deepEqual(split.refused.map((r) => [r.line, r.rule]), [[0, 'null_sequence']]);
		assert.deepEqual([split.kept, split.text], [[1], '\uFEFF{"id":2,"updated_at":5}\n']);
	});

	it('splits packed lines as JSON.parse reads them, whatever the spacing, nesting, escapes and duplicates', () => {
		const value = fc.oneof(fc.constantFrom('null', '1', '"x"', '"a\\"b"', '{"updated_at":1}', '[null,{"updated_at":2}]', 'nul', '', '"}"'), fc.jsonValue().map((v) => JSON.stringify(v)));
		const key = fc.constantFrom('"updated_at"', '"UPDATED_AT"', '"updated_\\u0061t"', '"v"', '"id"', '"updated_at "');
		const space = fc.constantFrom('', ' ', '\t');
		const field = fc.tuple(key, space, value, space).map(([k, s, v, t]) => `${s}${k}${s}:${t}${v}${s}`);
		const line = fc.oneof({ weight: 8, arbitrary: fc.array(field, { maxLength: 5 }).map((fields) => `{${fields.join(',')}}`) }, { weight: 1, arbitrary: fc.constantFrom('[1]', 'x', '{', '{"updated_at":1', ' {"updated_at":1} ') });
		fc.assert(
			fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
				const text = lines.map((l) => `${l}\n`).join('');
				const split = splitPacked(text);
				const want = reference(lines);
				assert.deepEqual(split.refused.map((r) => r.line), want);
				if (split.kept.length > 0) assert.equal(split.text, split.kept.map((k) => `${lines[k]}\n`).join(''));
			}),
			{ numRuns: 3000 },
		);
	});
});

describe('sequenceReader: where the load reads the Sequence Column from', () => {
	const check = (read: ReturnType<typeof sequenceReader>, row: Record<string, unknown>) => {
		assert.ok(!(read instanceof Error));
		return missingSequence(row, { column: 'seq', deletesAll: false, read })?.rule;
	};
	it('no mapping: the field of its name (another case of it too)', () => {
		assert.equal(sequenceReader('seq', {}), undefined);
		assert.equal(sequenceReader('seq', { columns: ['id', 'SEQ'] }), undefined);
	});
	it('JSON Paths: the path in the position of its plain name among the Columns, under json_root', () => {
		const read = sequenceReader('seq', { columns: ['id', 'x = id + 1', 'seq'], jsonpaths: '["$.k", "$[\'m\'].a[1]"]', jsonRoot: '$.after' });
		assert.equal(check(read, { after: { k: 1, m: { a: [0, 7] } } }), undefined);
		assert.equal(check(read, { after: { k: 1, m: { a: [0, null] } }, seq: 3 }), 'null_sequence');
		assert.equal(check(read, { after: { k: 1 } }), 'null_sequence');
		assert.equal(check(read, { k: 1, m: { a: [0, 7] } }), 'null_sequence');
	});
	it('json_root alone: the field under the root', () => {
		const read = sequenceReader('seq', { jsonRoot: '$.payload.after' });
		assert.equal(check(read, { payload: { after: { Seq: 2 } } }), undefined);
		assert.equal(check(read, { payload: { after: [] }, seq: 1 }), 'null_sequence');
	});
	it('refused with the reason: a computed column (Doris refuses it), JSON Paths it cannot place or follow', () => {
		assert.match(String(sequenceReader('seq', { columns: ['id', 'ts', 'seq = ts'] })), /computed by the Columns entry "seq = ts".*unknown reference column/);
		assert.match(String(sequenceReader('seq', { jsonpaths: '["$.k"]' })), /no column listed/);
		assert.match(String(sequenceReader('seq', { columns: ['seq'], jsonpaths: '["$..k"]' })), /not a path it can follow/);
		assert.match(String(sequenceReader('seq', { columns: ['seq'], jsonpaths: '[]' })), /not a path it can follow/);
		assert.match(String(sequenceReader('seq', { jsonRoot: 'payload' })), /json_root header "payload"/);
	});
	it('refused with the reason: Columns that do not name it (Doris refuses the load, or reads no value for it from the rows)', () => {
		// Session 17: before, the rows lacking the field went to Rejected (null_sequence) in a partial update
		// whose Columns leave it out, and the others met Doris' refusal of the load.
		for (const columns of [['id', 'v'], ['id', 'v = seq_at']]) {
			const refused = sequenceReader('seq', { columns });
			assert.ok(refused instanceof Error, JSON.stringify(columns));
			assert.match(refused.message, new RegExp(`Sequence Column "seq" is not among the Columns \\(${columns.join(', ')}\\).*unknown reference column.*List "seq" in Columns`));
		}
		assert.equal(sequenceReader('seq', { columns: ['id', 'Seq'] }), undefined, 'another case of it is it');
	});
});
