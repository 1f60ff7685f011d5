// What the Doris Stream Load node does with an execution's items before the load
// (src/batch/load-items.ts): the sort into parts, what cannot load, the delete-sign decision, and the
// rows taken out before the load (takenOutItems, src/batch/rejected-items.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { firstUnloadable, sortItemsForLoad } from '../../../src/batch/load-items';
import { rejectedItems, takenOutItems } from '../../../src/batch/rejected-items';
import { linesAsWritten, rememberEncodedLines, rememberWrittenLines } from '../../../src/common/encoded-lines';
import { DELETE_SIGN_COLUMN, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { columnsListCheck, csvRowCheck } from '../../../src/doris/stream-load/wire-format';
import { json, packed, row } from './items-support';

const undecodable = { json: { [PARSE_ERROR_FIELD]: { kind: 'json', message: 'bad', raw: '{', rawEncoding: 'utf8' } } };

describe('sortItemsForLoad', () => {
	it('keeps item order: runs of rows between packed items, packed lines as they are', () => {
		const sorted = sortItemsForLoad([row(1), row(2), packed([3, 4]), row(5)], json);
		assert.deepEqual(sorted.parts, [[{ id: 1 }, { id: 2 }], { text: '{"id":3}\n{"id":4}\n', rows: 2 }, [{ id: 5 }]]);
		assert.deepEqual(sorted.loadable, [0, 1, 2, 3]);
		assert.deepEqual([sorted.undecodable, sorted.refused, sorted.deleteSign], [[], [], false]);
	});

	it('a packed item whose UTF-8 length the Doris Schema node already knows hands it on with its lines', () => {
		const item = packed([3, 4]);
		const rows = item.json[PACKED_ROWS_FIELD] as PackedRows;
		rememberEncodedLines(rows, Buffer.byteLength(rows.jsonLines));
		assert.deepEqual(sortItemsForLoad([item], json).parts, [{ text: rows.jsonLines, rows: 2, byteLength: 18 }]);
		rows.jsonLines = '{"id":5}\n{"id":6}\n';
		assert.deepEqual(sortItemsForLoad([item], json).parts, [{ text: rows.jsonLines, rows: 2 }]);
	});

	it("the lines of the Doris Schema node's worker are not counted again, unless their text or count changed since", () => {
		const item = packed([3, 4]);
		const rows = item.json[PACKED_ROWS_FIELD] as PackedRows;
		rememberEncodedLines(rows, Buffer.byteLength(rows.jsonLines));
		assert.equal(linesAsWritten(rows), true);
		assert.deepEqual(sortItemsForLoad([item], json).refused, []);
		rows.count = 3;
		assert.equal(linesAsWritten(rows), false);
		assert.match(sortItemsForLoad([item], json).refused[0]?.message ?? '', /packedRows\.count is 3 but packedRows\.jsonLines holds 2 line\(s\)/);
		rows.count = 2;
		rows.jsonLines = '{"id":3}\n\n';
		assert.equal(linesAsWritten(rows), false);
		assert.match(sortItemsForLoad([item], json).refused[0]?.message ?? '', /packedRows\.jsonLines has an empty line \(line 2\)/);
	});

	it('sets aside items the trigger could not decode and packed items that break the contract', () => {
		const sorted = sortItemsForLoad([row(1), undecodable, packed([2], { count: -1 }), row(3)], json);
		assert.deepEqual(sorted.loadable, [0, 3]);
		assert.deepEqual(sorted.undecodable, [1]);
		assert.equal(sorted.refused.length, 1);
		assert.equal(sorted.refused[0].index, 2);
		assert.match(sorted.refused[0].message, /packedRows\.count must be a whole number ≥ 0, not number -1/);
	});

	it('refuses a packed item whose lines do not match its count, or that has an empty line, before anything is sent', () => {
		// Doris' JSON line reader skips an empty line without counting it: the load would commit with a
		// row short, and only then could the counts tell (response.ts), when sending again loads the rest twice.
		const lines = (jsonLines: string, count: number) => ({ json: { [PACKED_ROWS_FIELD]: { jsonLines, count, sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(count - 1), lines: count }] } } });
		const sorted = sortItemsForLoad(
			[lines('{"id":1}\n\n{"id":2}\n', 3), lines('\n{"id":3}', 2), lines('{"id":4}\n{"id":5}\n', 3), lines('{"id":6}\n{"id":7}', 2), row(8)],
			json,
		);
		assert.deepEqual(sorted.loadable, [3, 4]);
		assert.deepEqual(sorted.refused.map((r) => r.index), [0, 1, 2]);
		assert.match(sorted.refused[0].message, /packedRows\.jsonLines has an empty line \(line 2\)/);
		assert.match(sorted.refused[1].message, /packedRows\.jsonLines has an empty line \(line 1\)/);
		assert.match(sorted.refused[2].message, /packedRows\.count is 3 but packedRows\.jsonLines holds 2 line\(s\)/);
	});

	it("refuses items carrying the Doris Schema node's _invalid (and packed items carrying it), naming the reason", () => {
		const invalid = { json: { id: 2, _invalid: { table: 'd.t', reasons: [{ column: 'id', value: 'x', expected: 'INT', rule: 'type', message: 'id: not a number' }] } } };
		const invalidPacked = { json: { ...packed([3]).json, _invalid: { table: 'd.t', reasons: [] } } };
		const sorted = sortItemsForLoad([row(1), invalid, invalidPacked], json);
		assert.deepEqual(sorted.loadable, [0]);
		assert.deepEqual(sorted.refused.map((r) => r.index), [1, 2]);
		assert.match(sorted.refused[0].message, /the Doris Schema node found it invalid \(_invalid: id: not a number\), so it does not load/);
		assert.match(firstUnloadable(sorted)?.message ?? '', /^Item 1: the Doris Schema node found it invalid/);
	});

	it('refuses packed items for a CSV load, naming the setting and its value; rows still load', () => {
		const sorted = sortItemsForLoad([packed([1]), row(2)], { format: 'csv', deletes: 'auto' });
		assert.deepEqual(sorted.refused, [{ index: 0, message: 'Format is "csv" but the item holds packed JSON lines (packedRows); set Format to JSON' }]);
		assert.deepEqual(sorted.parts, [[{ id: 2 }]]);
	});

	it('with a Columns list, refuses a packed item whose line has a field the list leaves out, naming the line and the field (Doris would not load it)', () => {
		const columnsCheck = columnsListCheck({ format: 'json', columns: ['id', 'amount'] }, true);
		const lines = (text: string) => ({ json: { [PACKED_ROWS_FIELD]: { jsonLines: text, count: text.split('\n').filter(Boolean).length, sources: [] } } });
		const sorted = sortItemsForLoad([lines('{"id":1,"amount":2}\n{"id":2,"note":"x"}\n'), lines(`{"id":3,"amount":1,"${DELETE_SIGN_COLUMN}":0}\n`), row(4)], { ...json, columnsCheck });
		assert.deepEqual(sorted.refused.map((r) => r.index), [0]);
		assert.match(sorted.refused[0].message, /^line 1 of packedRows: Row field "note" is not in Columns \(id, amount\)/);
		assert.deepEqual(sorted.loadable, [1, 2]);
		assert.deepEqual(sortItemsForLoad([lines('{"id":2,"note":"x"}\n')], json).loadable, [0], 'without a Columns list every field loads');
	});

	it('delete sign, auto: when a row names the column, a packed item says so, or packed lines mention it', () => {
		assert.equal(sortItemsForLoad([row(1), row(2, { [DELETE_SIGN_COLUMN]: 1 })], json).deleteSign, true);
		assert.equal(sortItemsForLoad([packed([1], { deleteSign: true })], json).deleteSign, true);
		// A flag false from anywhere but the Doris Schema node (a Code node) does not hide lines that carry the sign.
		const handBuilt = (): PackedRows => ({ jsonLines: `{"${DELETE_SIGN_COLUMN}":1}\n`, count: 1, sources: [], deleteSign: false });
		assert.equal(sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: handBuilt() } }], json).deleteSign, true);
		// The Doris Schema node's flag on lines as it wrote them is trusted, unsearched: it read every line.
		const written = handBuilt();
		rememberWrittenLines(written);
		assert.equal(sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: written } }], json).deleteSign, false);
		const bytes = handBuilt();
		rememberEncodedLines(bytes, Buffer.byteLength(bytes.jsonLines));
		assert.equal(sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: bytes } }], json).deleteSign, false);
		// Changed since (lines, or the flag itself): searched.
		written.jsonLines = `{"id":2,"${DELETE_SIGN_COLUMN}":1}\n`;
		assert.equal(sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: written } }], json).deleteSign, true);
		const flagged = { jsonLines: `{"id":2}\n`, count: 1, sources: [], deleteSign: true };
		rememberWrittenLines(flagged);
		flagged.deleteSign = false;
		flagged.jsonLines = `{"id":2,"${DELETE_SIGN_COLUMN}":1}\n`;
		assert.equal(sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: flagged } }], json).deleteSign, true);
		assert.equal(sortItemsForLoad([{ json: { [PACKED_ROWS_FIELD]: { jsonLines: `{"id":1,"${DELETE_SIGN_COLUMN}":1}\n`, count: 1, sources: [] } } }], json).deleteSign, true);
		assert.equal(sortItemsForLoad([row(1), packed([2])], json).deleteSign, false);
	});

	it('delete sign, always and never: whatever the items hold', () => {
		assert.equal(sortItemsForLoad([row(1)], { format: 'json', deletes: 'always' }).deleteSign, true);
		assert.equal(sortItemsForLoad([row(1, { [DELETE_SIGN_COLUMN]: 1 })], { format: 'json', deletes: 'never' }).deleteSign, false);
	});
});

describe('firstUnloadable', () => {
	it('names an undecodable item first, then a refused packed item, else nothing', () => {
		const both = firstUnloadable(sortItemsForLoad([packed([1], { count: -1 }), undecodable, undecodable], json));
		assert.equal(both?.index, 1);
		assert.match(both?.message ?? '', /^Item 1 could not be decoded by the Kafka trigger \(_parseError\)/);
		assert.equal(both?.description, '2 undecodable item(s). The Doris Schema node sends them to its invalid output.');
		const refused = firstUnloadable(sortItemsForLoad([row(1), packed([1], { count: -1 })], json));
		assert.deepEqual([refused?.index, refused?.message.startsWith('Item 1: packedRows.count')], [1, true]);
		assert.equal(firstUnloadable(sortItemsForLoad([row(1)], json)), undefined);
	});
});

// The Sequence Column option: Doris loads a row with a NULL sequence value and keeps any stored row of
// its key over it (src/batch/sequence-values.ts), so such rows never reach the load.
describe('sortItemsForLoad with a Sequence Column', () => {
	const withSequence = (handBack: boolean, deletesAll = false) => ({ ...json, sequence: { column: 'seq', deletesAll, handBack } });
	const seqPacked = (lines: string[]) => {
		const item = packed(lines.map((_l, k) => 20 + k));
		(item.json[PACKED_ROWS_FIELD] as PackedRows).jsonLines = lines.map((l) => `${l}\n`).join('');
		return item;
	};

	it('takes out rows and packed lines without a sequence value; the rest load; Doris-refused rows still map to their lines', () => {
		const items = [
			row(1, { seq: 5 }),
			row(2, { seq: null, [DELETE_SIGN_COLUMN]: 1 }),
			seqPacked(['{"id":20,"seq":1}', '{"id":21,"seq":null,"__DORIS_DELETE_SIGN__":0}', '{"id":22,"SEQ":3}', '{"id":23,"big":12345678901234567890}', '{"id":24,"seq":2}']),
			row(3),
		];
		const sorted = sortItemsForLoad(items, withSequence(true));
		assert.deepEqual(sorted.parts, [[{ id: 1, seq: 5 }], { text: '{"id":20,"seq":1}\n{"id":22,"SEQ":3}\n{"id":24,"seq":2}\n', rows: 3 }]);
		assert.deepEqual(sorted.loadable, [0, 2]);
		assert.deepEqual(sorted.refused, []);
		const out = takenOutItems(items, sorted, 'db.t');
		assert.deepEqual(
			out.map((o) => [o.index, o.json.id, (o.json._invalid as { reasons: Array<{ rule: string; column: string }> }).reasons.map((r) => `${r.rule} ${r.column}`)[0]]),
			[
				[1, 2, 'delete_sequence seq'],
				[2, 21, 'null_sequence seq'],
				[2, 23, 'null_sequence seq'],
				[3, 3, 'null_sequence seq'],
			],
		);
		assert.equal(out[2].json.big, '12345678901234567890', 'the line handed back keeps its digits');
		assert.deepEqual(out[2].json._kafka, { topic: 't', partition: 0, offset: '23', line: 3 });
		const reason = (out[0].json._invalid as { reasons: Array<{ message: string }> }).reasons[0];
		assert.match(reason.message, /the Sequence Column "seq" \(function_column\.sequence_col.*\) is null in this delete.*the delete would delete nothing/);
		// Doris refuses the packed part's second row (line 2 of the item): it maps to that line, not line 1.
		const refused = rejectedItems(items, sorted, [{ row: 2, reason: { column: null, message: 'x', errorLog: [], label: 'l' } }], 'db.t');
		assert.deepEqual([refused[0].json.id, refused[0].json._kafka], [22, { topic: 't', partition: 0, offset: '22', line: 2 }]);
	});

	it('merge_type DELETE: every row without a value is a delete; a packed item of such lines only loads nothing', () => {
		const sorted = sortItemsForLoad([seqPacked(['{"id":1}', '{"id":2,"seq":null}'])], withSequence(true, true));
		assert.deepEqual([sorted.parts, sorted.loadable], [[], []]);
		assert.deepEqual(takenOutItems([seqPacked(['{"id":1}', '{"id":2,"seq":null}'])], sorted, 'db.t').map((o) => (o.json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule), ['delete_sequence', 'delete_sequence']);
	});

	it('when Rejected leads nowhere: the item is refused naming the row or line, the column and the rule, so the execution fails before any load', () => {
		const sorted = sortItemsForLoad([row(1, { seq: 1 }), seqPacked(['{"id":20,"seq":1}', '{"id":21}']), row(2, { seq: null })], withSequence(false));
		assert.deepEqual(sorted.loadable, [0]);
		assert.deepEqual(sorted.refused.map((r) => r.index), [1, 2]);
		assert.match(sorted.refused[0].message, /^line 1 of packedRows: the Sequence Column "seq" .* is missing in this row.*null_sequence.*connect the Rejected output/);
		assert.match(firstUnloadable(sorted)?.message ?? '', /^Item 1: line 1 of packedRows/);
	});
});


// Format CSV: a row whose value holds the separator, a line break or the text \N cannot be a CSV line
// that Doris reads back as written (src/doris/stream-load/wire-format.ts csvRowCheck). It is taken out
// before the rows join the shared batch, so it never fails a batch holding other executions' rows.
describe('sortItemsForLoad with Format CSV', () => {
	const check = csvRowCheck({ format: 'csv', columns: ['id', 'note'], csv: { columnSeparator: ',', lineDelimiter: '\\n' } });
	const csv = (handBack: boolean) => ({ format: 'csv', deletes: 'never', csvCheck: { check: check as NonNullable<typeof check>, handBack } }) as const;
	const items = Array.from({ length: 10 }, (_v, k) => row(k + 1, { note: k === 3 ? 'tea, milk' : k === 6 ? '\\N' : `note ${k + 1}` }));

	it('takes out the rows that cannot be written, with rule csv_unwritable, the column, the value and why; the other rows load in order', () => {
		const sorted = sortItemsForLoad(items, csv(true));
		assert.deepEqual(sorted.loadable, [0, 1, 2, 4, 5, 7, 8, 9]);
		assert.deepEqual(sorted.refused, []);
		assert.deepEqual(
			(sorted.parts[0] as Array<{ id: number }>).map((r) => r.id),
			[1, 2, 3, 5, 6, 8, 9, 10],
		);
		const out = takenOutItems(items, sorted, 'db.t');
		assert.deepEqual(
			out.map((o) => [o.index, o.json.id, (o.json._invalid as { reasons: unknown[] }).reasons[0]]),
			[
				[3, 4, { column: 'note', value: 'tea, milk', expected: 'a value a CSV line carries as written (Format JSON takes any text)', rule: 'csv_unwritable', message: 'Column "note" holds the column separator ",": Doris would split the row there; use the JSON format for free text' }],
				[6, 7, { column: 'note', value: '\\N', expected: 'a value a CSV line carries as written (Format JSON takes any text)', rule: 'csv_unwritable', message: "Column \"note\" is the text \\N, which Doris' CSV reader loads as NULL; use the JSON format for free text" }],
			],
		);
		// Doris refusing a row of the load still maps to its item: load row 3 is item 4 (id 5).
		const refused = rejectedItems(items, sorted, [{ row: 3, reason: { column: null, message: 'x', errorLog: [], label: 'l' } }], 'db.t');
		assert.deepEqual([refused[0].index, refused[0].json.id], [4, 5]);
	});

	it('a long value is shortened in the reason; the item keeps the whole row', () => {
		const long = `${'x'.repeat(300)},${'y'.repeat(300)}`;
		const sorted = sortItemsForLoad([row(1, { note: long })], csv(true));
		const [out] = takenOutItems([row(1, { note: long })], sorted, 'db.t');
		const reason = (out.json._invalid as { reasons: Array<{ value: string }> }).reasons[0];
		assert.equal(out.json.note, long);
		assert.ok(reason.value.length < 250, `shortened: ${reason.value.length} characters`);
		assert.match(reason.value, /^x{200}… \(601 characters\)$/);
	});

	it('when Rejected leads nowhere: the item is refused naming the column and the rule, so the execution fails before any load', () => {
		const sorted = sortItemsForLoad(items, csv(false));
		assert.deepEqual(sorted.refused.map((r) => r.index), [3, 6]);
		assert.deepEqual(takenOutItems(items, sorted, 'db.t'), []);
		assert.match(firstUnloadable(sorted)?.message ?? '', /^Item 3: Column "note" holds the column separator ",".*\(rule csv_unwritable\); connect the Rejected output/);
	});
});
