// Deletes (CDC) Never with rows flagged as deletes (src/batch/delete-rows.ts, sortItemsForLoad): a row
// or packed line with __DORIS_DELETE_SIGN__ 1 would load as an upsert of the deleted row, so it is
// taken out (Rejected, rule delete_not_applied) or refuses its item; sign 0 or none loads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { deleteNotApplied, deletesNeverCheck, lineMayDelete, tableWithoutDeletes } from '../../../src/batch/delete-rows';
import { firstUnloadable, sortItemsForLoad } from '../../../src/batch/load-items';
import { takenOutItems } from '../../../src/batch/rejected-items';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import { TableNotFoundError } from '../../../src/doris/schema/reader';
import { deleteUnsupported, noHiddenDeleteSign } from '../../../src/doris/schema/row-rejections';
import { columnsListCheck } from '../../../src/doris/stream-load/wire-format';

function packed(lines: string[], deleteSign?: boolean): { json: Record<string, unknown> } {
	const jsonLines = lines.map((l) => `${l}\n`).join('');
	const sources = [{ topic: 't', partition: 0, firstOffset: '10', lastOffset: String(9 + lines.length), lines: lines.length }];
	return { json: { [PACKED_ROWS_FIELD]: { jsonLines, count: lines.length, sources, ...(deleteSign === undefined ? {} : { deleteSign }) } } };
}
const never = { format: 'json', deletes: 'never', deletesNotApplied: { handBack: true } } as const;
const rules = (sorted: ReturnType<typeof sortItemsForLoad>) => sorted.takenOut.map((t) => `${t.index}${t.line === undefined ? '' : `:${t.line}`} ${t.reason.rule}`);

describe('deleteNotApplied / lineMayDelete', () => {
	it('1, "1", true and "true" delete; 0, "0", false, null and no sign do not', () => {
		for (const sign of [1, '1', true, 'true']) assert.equal(deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: sign })?.rule, 'delete_not_applied', String(sign));
		for (const sign of [0, '0', false, null, undefined]) assert.equal(deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: sign }), undefined, String(sign));
		// As Doris reads the sign with hidden_columns (TINYINT, a row whose sign is not 0 deletes), so a
		// load with the sign would delete these rows: under Never they must not load as upserts.
		for (const sign of [2, -1, 1.5, '2', ' 3 ', '+1', '1.5']) assert.equal(deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: sign })?.rule, 'delete_not_applied', JSON.stringify(sign));
		for (const sign of [0.5, -0.5, '0.0', ' 0 ']) assert.equal(deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: sign }), undefined, JSON.stringify(sign));
		const reason = deleteNotApplied({ __DORIS_DELETE_SIGN__: 1 });
		assert.equal(reason?.column, '__DORIS_DELETE_SIGN__');
		assert.match(reason?.message ?? '', /Deletes \(CDC\) is Never.*upsert.*set Deletes \(CDC\) to Auto/);
	});

	it('a line with the sign 0 is not parsed; any other value after the key is, and decides', () => {
		assert.equal(lineMayDelete('{"id":1,"__DORIS_DELETE_SIGN__":0}'), false);
		assert.equal(lineMayDelete('{"id":1,"__DORIS_DELETE_SIGN__" : 0 }'), false);
		assert.equal(lineMayDelete('{"id":1}'), false);
		assert.equal(lineMayDelete('{"id":1,"v":"__DORIS_DELETE_SIGN__"}'), false, 'a string value, no key');
		for (const line of ['{"__DORIS_DELETE_SIGN__":1}', '{"__DORIS_DELETE_SIGN__": "1"}', '{"__DORIS_DELETE_SIGN__":true}', '{"__DORIS_DELETE_SIGN__":0.0}', '{"__DORIS_DELETE_SIGN__":10}']) {
			assert.equal(lineMayDelete(line), true, line);
		}
		// Through the check of packed lines (load-items.ts, one read per line: packedLineReason).
		const sorted = sortItemsForLoad([packed(['{"__DORIS_DELETE_SIGN__":0.0}', '{"__DORIS_DELETE_SIGN__":1', '{"id":12345678901234567890,"__DORIS_DELETE_SIGN__":1}'])], never);
		assert.deepEqual(rules(sorted), ['0:2 delete_not_applied'], 'parsed, 0.0 is no delete; a line that does not parse is left to Doris, which says why');
		assert.equal(sorted.takenOut[0].row.id, '12345678901234567890', 'big numbers kept exact');
		assert.deepEqual(sorted.parts, [{ text: '{"__DORIS_DELETE_SIGN__":0.0}\n{"__DORIS_DELETE_SIGN__":1\n', rows: 2 }]);
	});
});

describe('sortItemsForLoad with Deletes Never', () => {
	it('rows and packed lines flagged as deletes are taken out, with their line; the others load', () => {
		const items = [
			{ json: { id: 1, __DORIS_DELETE_SIGN__: 1 } },
			{ json: { id: 2, __DORIS_DELETE_SIGN__: 0 } },
			{ json: { id: 3 } },
			packed(['{"id":4,"__DORIS_DELETE_SIGN__":0}', '{"id":5,"__DORIS_DELETE_SIGN__":1}', '{"id":6,"__DORIS_DELETE_SIGN__":0}'], true),
		];
		const sorted = sortItemsForLoad(items, never);
		assert.deepEqual(rules(sorted), ['0 delete_not_applied', '3:1 delete_not_applied']);
		assert.deepEqual(sorted.parts, [[{ id: 2, __DORIS_DELETE_SIGN__: 0 }, { id: 3 }], { text: '{"id":4,"__DORIS_DELETE_SIGN__":0}\n{"id":6,"__DORIS_DELETE_SIGN__":0}\n', rows: 2 }]);
		assert.deepEqual(sorted.loadable, [1, 2, 3]);
		assert.equal(sorted.deleteSign, false, 'Never loads without the sign');
		assert.equal(sorted.lackingSequence, 0);
		const out = takenOutItems(items, sorted, 'd.t');
		assert.deepEqual(out[1].json._kafka, { topic: 't', partition: 0, offset: '11', line: 1 });
	});

	it('a carriage return between the sign and its colon is JSON whitespace: the line is a delete, taken out', () => {
		// Doris' JSON reader (simdjson, new_json_reader.cpp) and JSON.parse read the key through any JSON
		// whitespace; the text scan skipped only spaces and tabs, so this delete loaded as an upsert.
		const line = '{"id":7,"__DORIS_DELETE_SIGN__"\r:\r1}';
		assert.equal(JSON.parse(line).__DORIS_DELETE_SIGN__, 1);
		assert.equal(lineMayDelete(line), true);
		const sorted = sortItemsForLoad([packed(['{"id":6}', line])], never);
		assert.deepEqual(rules(sorted), ['0:1 delete_not_applied']);
		assert.deepEqual(sorted.parts, [{ text: '{"id":6}\n', rows: 1 }]);
	});

	it('a packed item the Doris Schema node says has no sign, or whose lines name none, is handed on as it is', () => {
		const lines = ['{"id":1}', '{"id":2}'];
		for (const item of [packed(lines, false), packed(lines)]) {
			const sorted = sortItemsForLoad([item], never);
			assert.deepEqual(sorted.takenOut, []);
			assert.deepEqual(sorted.parts, [{ text: '{"id":1}\n{"id":2}\n', rows: 2 }]);
			assert.equal(sorted.lineMaps.size, 0);
		}
	});

	it('a hand-built packed item flagged deleteSign false whose lines carry the sign 1: the lines decide, the delete is taken out', () => {
		const sorted = sortItemsForLoad([packed(['{"id":1}', '{"id":2,"__DORIS_DELETE_SIGN__":1}'], false)], never);
		assert.deepEqual(rules(sorted), ['0:1 delete_not_applied']);
		assert.deepEqual(sorted.parts, [{ text: '{"id":1}\n', rows: 1 }]);
	});

	it('Rejected leads nowhere: the item is refused, naming the line and the rule', () => {
		const sorted = sortItemsForLoad([{ json: { id: 0 } }, packed(['{"id":1}', '{"id":2,"__DORIS_DELETE_SIGN__":1}'], true)], { ...never, deletesNotApplied: { handBack: false } });
		assert.deepEqual(sorted.loadable, [0]);
		assert.match(firstUnloadable(sorted)?.message ?? '', /^Item 1: line 1 of packedRows: __DORIS_DELETE_SIGN__ is 1: .*\(rule delete_not_applied\); connect the Rejected output/);
	});

	it('without the option (merge_type DELETE / MERGE decides), or with Deletes Auto, rows load as before', () => {
		const items = [{ json: { id: 1, __DORIS_DELETE_SIGN__: 1 } }, packed(['{"id":2,"__DORIS_DELETE_SIGN__":1}'], true)];
		assert.deepEqual(sortItemsForLoad(items, { format: 'json', deletes: 'never' }).takenOut, []);
		const auto = sortItemsForLoad(items, { ...never, deletes: 'auto' });
		assert.deepEqual([auto.takenOut, auto.deleteSign, auto.loadable], [[], true, [0, 1]]);
	});

	it('with a Sequence Column too: a delete is taken out once, as delete_not_applied; a line without a value as null_sequence', () => {
		const items = [packed(['{"id":1,"__DORIS_DELETE_SIGN__":1}', '{"id":2,"__DORIS_DELETE_SIGN__":0}', '{"id":3,"seq":4,"__DORIS_DELETE_SIGN__":0}'], true)];
		const sorted = sortItemsForLoad(items, { ...never, sequence: { column: 'seq', deletesAll: false, handBack: true } });
		assert.deepEqual(rules(sorted), ['0:0 delete_not_applied', '0:1 null_sequence']);
		assert.equal(sorted.lackingSequence, 1);
		assert.deepEqual(sorted.parts, [{ text: '{"id":3,"seq":4,"__DORIS_DELETE_SIGN__":0}\n', rows: 1 }]);
	});
});

describe('deletesNeverCheck: whether Deletes Never checks the rows, or Doris decides the deletes itself', () => {
	it('checks a plain load, handing back when Rejected leads somewhere', () => {
		assert.deepEqual(deletesNeverCheck({}, true), { handBack: true });
		assert.deepEqual(deletesNeverCheck({ columns: ['id', 'v'], extraHeaders: { merge_type: 'APPEND' } }, false), { handBack: false });
	});

	it('steps aside when merge_type DELETE / MERGE decides (any case of the name and the value)', () => {
		assert.equal(deletesNeverCheck({ extraHeaders: { Merge_Type: ' delete ' } }, true), undefined);
		assert.equal(deletesNeverCheck({ extraHeaders: { merge_type: 'MERGE', delete: 'v = 1' } }, true), undefined);
	});

	// Before, these loads had their deletes taken out although Doris reads the sign from the data and
	// applies them: the deleted rows stayed in Doris (the integration case in doris-stream-load-deletes-never).
	it('steps aside when Columns names the delete sign (read from each row, or computed) or the update is flexible', () => {
		assert.equal(deletesNeverCheck({ columns: ['id', 'v', '__DORIS_DELETE_SIGN__'] }, true), undefined);
		assert.equal(deletesNeverCheck({ columns: ['id', 'v', '__doris_delete_sign__'] }, true), undefined);
		assert.equal(deletesNeverCheck({ columns: ['id', 'op', "__DORIS_DELETE_SIGN__ = if(op = 'd', 1, 0)"] }, true), undefined);
		assert.equal(deletesNeverCheck({ partialUpdate: 'flexible' }, true), undefined);
		assert.deepEqual(deletesNeverCheck({ partialUpdate: 'fixed', columns: ['id', 'v'] }, true), { handBack: true });
	});
});

describe('Deletes Never with a Columns list: a packed delete line is taken out as a row is', () => {
	// Before, the Columns check ran first and refused the whole packed item for the delete line's
	// __DORIS_DELETE_SIGN__ key (its other lines did not load, and the execution failed on every
	// redelivery), where the same rows one item each loaded and put the delete on Rejected.
	it('the delete line goes to Rejected and the other lines load, as per message', () => {
		const columnsCheck = columnsListCheck({ format: 'json', columns: ['id', 'v'] }, false);
		const lines = ['{"id":1,"v":"a"}', '{"id":2,"v":"b","__DORIS_DELETE_SIGN__":1}'];
		const sorted = sortItemsForLoad([packed(lines, true)], { ...never, columnsCheck });
		assert.deepEqual(sorted.refused, []);
		assert.deepEqual(rules(sorted), ['0:1 delete_not_applied']);
		assert.deepEqual(sorted.parts, [{ text: '{"id":1,"v":"a"}\n', rows: 1 }]);
		const perMessage = sortItemsForLoad([{ json: { id: 1, v: 'a' } }, { json: { id: 2, v: 'b', __DORIS_DELETE_SIGN__: 1 } }], { ...never, columnsCheck });
		assert.deepEqual(rules(perMessage), ['1 delete_not_applied']);
		// A line with another field outside Columns still refuses its item, naming the field.
		const outside = sortItemsForLoad([packed(['{"id":2,"__DORIS_DELETE_SIGN__":1}', '{"id":1,"v":"a","extra":1}'], true)], { ...never, columnsCheck });
		assert.match(outside.refused[0]?.message ?? '', /^line 1 of packedRows: Row field "extra" is not in Columns/);
	});
});

describe('deletes with the sign into a table that is not UNIQUE KEY (Deletes Auto / Always)', () => {
	const schemaOf = (keyModel: 'UNIQUE' | 'DUPLICATE' | 'AGGREGATE' | null) => async () => ({ keyModel }) as never;

	it('tableWithoutDeletes names a DUPLICATE / AGGREGATE KEY table; UNIQUE, an unknown model or a missing table leave the load as it was, another failed read fails it', async () => {
		assert.deepEqual(await tableWithoutDeletes(schemaOf('DUPLICATE'), 'd.t'), { table: 'd.t', keyModel: 'DUPLICATE' });
		assert.deepEqual(await tableWithoutDeletes(schemaOf('AGGREGATE'), 'd.t'), { table: 'd.t', keyModel: 'AGGREGATE' });
		assert.equal(await tableWithoutDeletes(schemaOf('UNIQUE'), 'd.t'), undefined);
		// A UNIQUE KEY table read without the hidden delete sign (enable_batch_delete_by_default false): Doris drops the sign there too.
		const withSign = (deleteSign: boolean | null) => async () => ({ keyModel: 'UNIQUE', deleteSign }) as never;
		assert.deepEqual(await tableWithoutDeletes(withSign(false), 'd.t'), { table: 'd.t', keyModel: 'UNIQUE' });
		assert.equal(await tableWithoutDeletes(withSign(true), 'd.t'), undefined);
		assert.equal(await tableWithoutDeletes(withSign(null), 'd.t'), undefined);
		const reason = deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: 1 }, { handBack: true, notUnique: { table: 'd.t', keyModel: 'UNIQUE' } });
		assert.equal(reason?.rule, 'delete_unsupported');
		assert.match(reason?.message ?? '', /d\.t has no hidden delete sign column .*ENABLE FEATURE "BATCH_DELETE"/);
		assert.equal(await tableWithoutDeletes(schemaOf(null), 'd.t'), undefined);
		// A table Doris does not have: the load says so. Any other failed read fails the load: taken as
		// "the load goes as it did", the deletes of a DUPLICATE KEY table loaded as new rows.
		assert.equal(await tableWithoutDeletes(() => Promise.reject(new TableNotFoundError('d', 't', 'Unknown table')), 'd.t'), undefined);
		await assert.rejects(tableWithoutDeletes(() => Promise.reject(new Error('no MySQL port')), 'd.t'), /^Error: Table d\.t: the load carries the delete sign, and whether the table is UNIQUE KEY .* could not be read over Doris' MySQL port: no MySQL port$/);
	});

	// Before, Doris dropped the sign of such a table without a word and the delete loaded as a new row
	// (the integration case in doris-stream-load-deletes-unsupported).
	it('the deletes are taken out with rule delete_unsupported, rows and packed lines; sign 0 loads', () => {
		const notUnique = { table: 'd.t', keyModel: 'DUPLICATE' };
		const reason = deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: 1 }, { handBack: true, notUnique });
		assert.equal(reason?.rule, 'delete_unsupported');
		assert.match(reason?.message ?? '', /d\.t is a DUPLICATE KEY table: only a UNIQUE KEY table has the delete sign/);
		const items = [{ json: { id: 1, __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, __DORIS_DELETE_SIGN__: 0 } }, packed(['{"id":3,"__DORIS_DELETE_SIGN__":1}', '{"id":4}'], true)];
		const sorted = sortItemsForLoad(items, { format: 'json', deletes: 'auto', deletesNotApplied: { handBack: true, notUnique } });
		assert.deepEqual(
			sorted.takenOut.map((t) => `${t.index}${t.line === undefined ? '' : `:${t.line}`} ${t.reason.rule}`),
			['0 delete_unsupported', '2:0 delete_unsupported'],
		);
		assert.equal(sorted.lackingSequence, 0);
		assert.deepEqual(sorted.parts, [[{ id: 2, __DORIS_DELETE_SIGN__: 0 }], { text: '{"id":4}\n', rows: 1 }]);
		// Without `notUnique` Deletes Auto checks nothing, as before.
		assert.deepEqual(sortItemsForLoad(items, { format: 'json', deletes: 'auto', deletesNotApplied: { handBack: true } }).takenOut, []);
	});

	// Before, a delete of Deletes Auto (a flattened record's __deleted, a producer's own sign) from a Kafka
	// trigger with Keep Order per Partition off loaded, and an update before it in Kafka could land after
	// it (two executions of a partition in either order, a failed one redelivered) and bring the row back.
	it('from a Kafka trigger with Keep Order off: the deletes are taken out with rule delete_unordered, naming the trigger and the setting; sign 0 loads', () => {
		const unordered = { trigger: 'Kafka Trigger' };
		const reason = deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: 1 }, { handBack: true, unordered });
		assert.equal(reason?.rule, 'delete_unordered');
		assert.match(reason?.message ?? '', /Kafka trigger "Kafka Trigger" has Keep Order per Partition off: .*bring the row back without a word; turn Keep Order per Partition on/);
		const items = [{ json: { id: 1, __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, __DORIS_DELETE_SIGN__: 0 } }, packed(['{"id":3,"__DORIS_DELETE_SIGN__":1}', '{"id":4}'], true)];
		const sorted = sortItemsForLoad(items, { format: 'json', deletes: 'auto', deletesNotApplied: { handBack: true, unordered } });
		assert.deepEqual(
			sorted.takenOut.map((t) => `${t.index}${t.line === undefined ? '' : `:${t.line}`} ${t.reason.rule}`),
			['0 delete_unordered', '2:0 delete_unordered'],
		);
		assert.deepEqual(sorted.parts, [[{ id: 2, __DORIS_DELETE_SIGN__: 0 }], { text: '{"id":4}\n', rows: 1 }]);
		// Rejected leading nowhere: the item fails the execution, saying why (nothing committed).
		const refused = sortItemsForLoad(items.slice(0, 1), { format: 'json', deletes: 'auto', deletesNotApplied: { handBack: false, unordered } });
		assert.match(refused.refused[0]?.message ?? '', /rule delete_unordered/);
	});

	it('a UNIQUE KEY table without the hidden sign: the Doris Schema node\'s cause and fix, word for word', () => {
		const reason = deleteNotApplied({ id: 1, __DORIS_DELETE_SIGN__: 1 }, { handBack: true, notUnique: { table: 'd.t', keyModel: 'UNIQUE' } });
		assert.deepEqual(
			{ ...reason, message: undefined },
			{ column: '__DORIS_DELETE_SIGN__', value: 1, expected: 'a row that is not a delete (__DORIS_DELETE_SIGN__ 0 or absent): d.t has no hidden delete sign column', rule: 'delete_unsupported', message: undefined },
		);
		assert.equal(
			reason?.message,
			'__DORIS_DELETE_SIGN__ is 1: the row is a delete, and d.t has no hidden delete sign column (created while the FE config enable_batch_delete_by_default was false): ' +
				'Doris drops the sign without a word, so the row would load as an upsert and the deleted row stay; ALTER TABLE d.t ENABLE FEATURE "BATCH_DELETE" to let deletes apply',
		);
		const schemaSide = deleteUnsupported({ database: 'd', table: 't' } as never, 'UNIQUE', 'envelope').message;
		const words = noHiddenDeleteSign('d.t');
		assert.ok(reason?.message.includes(words.fix) && schemaSide.includes(words.fix));
	});
});
