// The Doris Stream Load node reads a packed item's lines once, for every check that needs them
// (Deletes Never, Sequence Column, Columns / JSON Paths / json_root), and decides each line in one place
// (src/batch/load-items.ts packedLineJudge, src/batch/packed-split.ts packedLineReason). Session 16's
// review (section 3): the Columns check ran twice, once with parseJsonExact when sorting and again with
// JSON.parse when writing, and the two disagreed on a line nested deeper than MAX_JSON_DEPTH (1024): the
// first left it to Doris, the second refused the whole item and told the user to connect Rejected though
// it was connected, so every delivery failed. Such a line is now what the Kafka trigger and the Doris
// Schema node make of one (refused as undecodable): on Rejected with rule json_too_deep, or, when
// Rejected leads nowhere, its item refused naming the depth rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { firstUnloadable, sortItemsForLoad } from '../../../src/batch/load-items';
import { takenOutItems } from '../../../src/batch/rejected-items';
import { PACKED_ROWS_FIELD } from '../../../src/common/item-contract';
import { columnsListCheck } from '../../../src/doris/stream-load/wire-format';
import { json } from './items-support';

const lines = (...texts: string[]) => ({ json: { [PACKED_ROWS_FIELD]: { jsonLines: texts.map((t) => `${t}\n`).join(''), count: texts.length, sources: [{ topic: 't', partition: 0, firstOffset: '10', lastOffset: String(9 + texts.length), lines: texts.length }] } } });
/** A line whose field `extra` nests `depth` arrays (the line itself is one level more). */
const deep = (id: number, depth: number, field = 'extra') => `{"id":${id},"${field}":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const columns = columnsListCheck({ format: 'json', columns: ['id', 'v'] }, true);
const taken = (sorted: ReturnType<typeof sortItemsForLoad>) => sorted.takenOut.map((t) => `${t.index}:${t.line} ${t.reason.rule}`);

describe('a packed line nested deeper than 1024 levels, read by a check', () => {
	it('Columns, Rejected wired: the line goes to Rejected naming the depth rule, the other lines load (the review case)', () => {
		const item = lines('{"id":1,"v":"a"}', deep(2, 1100), '{"id":3,"v":"c"}');
		const sorted = sortItemsForLoad([item], { ...json, columnsCheck: columns, columnsHandBack: true });
		assert.deepEqual(sorted.refused, []);
		assert.deepEqual(taken(sorted), ['0:1 json_too_deep']);
		assert.deepEqual(sorted.parts, [{ text: '{"id":1,"v":"a"}\n{"id":3,"v":"c"}\n', rows: 2 }]);
		const [handedBack] = takenOutItems([item], sorted, 'd.t');
		const reason = (handedBack.json._invalid as { reasons: Array<Record<string, unknown>> }).reasons[0];
		assert.match(String(reason.message), /^JSON value nests 1101 levels of arrays\/objects, deeper than the 1024 allowed/);
		// The row handed back is the line's text: parsed, it would overflow n8n's stack when it saves the execution.
		assert.equal(handedBack.json.line, deep(2, 1100));
		assert.equal(String(reason.value).length <= 201, true, 'the value in the reason is shortened');
		assert.deepEqual(handedBack.json._kafka, { topic: 't', partition: 0, offset: '11', line: 1 });
	});

	it('the same line with every field read goes to Rejected too: the trigger never loads a row that deep either', () => {
		const sorted = sortItemsForLoad([lines('{"id":1}', deep(2, 1100, 'v'))], { ...json, columnsCheck: columns, columnsHandBack: true });
		assert.deepEqual(taken(sorted), ['0:1 json_too_deep']);
	});

	it('Columns, Rejected leading nowhere: the item is refused naming the line, the depth rule and the fix', () => {
		const sorted = sortItemsForLoad([lines('{"id":1,"v":"a"}', deep(2, 1100, 'v'))], { ...json, columnsCheck: columns, columnsHandBack: false });
		assert.match(firstUnloadable(sorted)?.message ?? '', /^Item 0: line 1 of packedRows: JSON value nests 1101 levels .* \(rule json_too_deep\); connect the Rejected output/);
		assert.deepEqual(sorted.takenOut, []);
	});

	it('Sequence Column: a line that deep lacking the field goes to Rejected instead of failing the execution with an uncaught error', () => {
		const sorted = sortItemsForLoad([lines('{"id":1,"seq":1}', deep(2, 1100))], { ...json, sequence: { column: 'seq', deletesAll: false, handBack: true } });
		assert.deepEqual(taken(sorted), ['0:1 json_too_deep']);
		assert.equal(sorted.lackingSequence, 0);
	});

	it('Deletes Never: a delete that deep goes to Rejected instead of loading as an upsert', () => {
		const line = `{"id":2,"__DORIS_DELETE_SIGN__":1,"extra":${'['.repeat(1100)}${']'.repeat(1100)}}`;
		const sorted = sortItemsForLoad([lines('{"id":1}', line)], { format: 'json', deletes: 'never', deletesNotApplied: { handBack: true } });
		assert.deepEqual(taken(sorted), ['0:1 json_too_deep']);
		assert.deepEqual(sorted.parts, [{ text: '{"id":1}\n', rows: 1 }]);
	});

	it('1024 levels is still a row: checked and loaded as before', () => {
		const line = deep(2, 1023, 'v');
		const sorted = sortItemsForLoad([lines('{"id":1}', line)], { ...json, columnsCheck: columns, columnsHandBack: false });
		assert.deepEqual([sorted.refused, sorted.takenOut], [[], []]);
		assert.equal(sorted.parts.length, 1);
	});
});
