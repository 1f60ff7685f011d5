/**
 * Packed lines end in "\n" before they join a shared batch: a packed item built by hand (a Code node's
 * `rows.map((r) => JSON.stringify(r)).join('\n')`) lacks its last one, and loaded as it was, the next
 * execution's first row joined that line: Doris counted a row fewer and the whole batch came back as
 * `doris_uncounted` (review session 21, P1). The Stream Load node ends the line where it takes the item
 * (load-items.ts), the trigger's and the Doris Schema node's items pass as they are, and the batcher
 * refuses a chunk that does not end in "\n", whoever hands it one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TargetBatcher } from '../../../src/batch/batcher';
import { sortItemsForLoad } from '../../../src/batch/load-items';
import { takenOutItems } from '../../../src/batch/rejected-items';
import { sequenceReader } from '../../../src/batch/sequence-values';
import { rememberEncodedLines } from '../../../src/common/encoded-lines';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { json as serialize, limits, recorder } from './batcher-support';
import { json, packed } from './items-support';

/** A Code node's packed item: its rows joined by "\n", none after the last. */
const codeNodeItem = (lines: string[]) => ({ json: { [PACKED_ROWS_FIELD]: { jsonLines: lines.join('\n'), count: lines.length, sources: [] } } });

const bodyLines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('packed lines end in "\\n" before they join a batch', () => {
	it("a Code node's item without its last \"\\n\" shares a batch with another execution's row: one line per row in the body", async () => {
		const sorted = sortItemsForLoad([codeNodeItem(['{"id":1}', '{"id":2}'])], json);
		assert.deepEqual(sorted.refused, []);
		const r = recorder();
		const batcher = new TargetBatcher(limits({ maxRows: 100 }), serialize, r.loader);
		const codeNodeExecution = batcher.add(sorted.parts);
		const otherExecution = batcher.add([[{ id: 3 }]]);
		batcher.flush();
		const load = await r.nextLoad(1);
		load.finish();
		await Promise.all([codeNodeExecution, otherExecution]);
		assert.deepEqual(bodyLines(load.text), ['{"id":1}', '{"id":2}', '{"id":3}'], `body ${JSON.stringify(load.text)} for ${load.batch.rows} rows`);
		assert.equal(load.batch.rows, 3);
	});

	it('the same when lines are taken out of the item (its last line kept, still without "\\n")', () => {
		const read = sequenceReader('seq', {});
		assert.ok(!(read instanceof Error));
		const item = codeNodeItem(['{"id":1}', '{"id":2,"seq":2}']);
		const sorted = sortItemsForLoad([item], { ...json, sequence: { column: 'seq', deletesAll: false, handBack: true, read } });
		assert.deepEqual(sorted.parts, [{ text: '{"id":2,"seq":2}\n', rows: 1 }]);
		assert.equal(takenOutItems([item], sorted, 't').length, 1);
	});

	it("the trigger's and the Doris Schema node's items (ending in \"\\n\") pass as the very same text, with the length the node remembered", () => {
		const trigger = packed([1, 2]);
		const schemaNode = packed([3, 4]);
		const rows = schemaNode.json[PACKED_ROWS_FIELD] as PackedRows;
		rememberEncodedLines(rows, Buffer.byteLength(rows.jsonLines));
		const parts = sortItemsForLoad([trigger, schemaNode], json).parts;
		assert.equal((parts[0] as { text: string }).text, (trigger.json[PACKED_ROWS_FIELD] as PackedRows).jsonLines);
		assert.deepEqual(parts[1], { text: rows.jsonLines, rows: 2, byteLength: 18 });
	});

	it('a known length grows by the "\\n" added', () => {
		const item = codeNodeItem(['{"id":1}', '{"n":"é"}']);
		const rows = item.json[PACKED_ROWS_FIELD] as PackedRows;
		rememberEncodedLines(rows, Buffer.byteLength(rows.jsonLines));
		const [part] = sortItemsForLoad([item], json).parts;
		assert.deepEqual(part, { text: '{"id":1}\n{"n":"é"}\n', rows: 2, byteLength: Buffer.byteLength('{"id":1}\n{"n":"é"}\n') });
	});

	it('the batcher refuses a chunk whose last line does not end in "\\n", before any part of the call joins a batch', async () => {
		const r = recorder();
		const batcher = new TargetBatcher(limits(), serialize, r.loader);
		const added = batcher.add([[{ id: 0 }], { text: '{"id":1}\n{"id":2}', rows: 2 }]);
		const pendingAfterAdd = batcher.pendingBatches;
		// The refusal comes before anything is shared, so it is there a tick later; a call taken in waits for its load.
		const outcome = await Promise.race([added.then(() => undefined, (error: unknown) => error), new Promise<'taken in'>((res) => setImmediate(() => res('taken in')))]);
		if (outcome === 'taken in') {
			batcher.flush();
			(await r.nextLoad(1)).finish();
			await added;
		}
		assert.ok(outcome instanceof Error, `the chunk was ${String(outcome)}`);
		assert.match(outcome.message, /A chunk of 2 JSON line\(s\) after row 1 does not end in "\\n": its last line would be glued to the next row/);
		assert.equal(pendingAfterAdd, 0);
		assert.equal(batcher.bufferedBytes, 0);
	});
});
