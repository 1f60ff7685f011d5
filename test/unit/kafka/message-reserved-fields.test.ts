/**
 * Message values that hold the item contract's own names at their top level (src/common/item-contract.ts):
 * a value's `packedRows` would be read as a packed item, its `_doris` as the Doris nodes' target and
 * deadline, its `_kafka` (Include Metadata off) as the message's topic. Checked through the parser and the
 * Doris nodes' own reader of packed items, per message and for a message that cannot be a packed line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DORIS_FIELD, KAFKA_METADATA_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { readPackedRows } from '../../../src/common/packed-rows';
import { message, parse } from './message-support';

const RESERVED = 'the value has the top-level field "packedRows", which is reserved by the Doris nodes';

describe('message values holding the Doris nodes\' own fields', () => {
	for (const output of ['message', 'batch'] as const) {
		// In batch output a pretty-printed value cannot be a line: it travels as its per-message item.
		const value = (json: string) => (output === 'batch' ? json.replace('{', '{\n') : json);

		it(`${output}: a top-level packedRows that is no packed item goes to Invalid with the reason (was: refused by the Doris nodes on every redelivery, the partition stalled)`, () => {
			const chunk = parse({ output }, [message(5, value('{"id":1,"packedRows":"batch-7"}'))]);
			assert.equal(chunk.items.length, 1);
			assert.equal(chunk.parseErrors, 1);
			const json = chunk.items[0].json;
			assert.equal(readPackedRows(json), undefined, 'not read as a packed item');
			const error = json[PARSE_ERROR_FIELD] as { kind: string; message: string; raw: string };
			assert.equal(error.kind, 'reserved_field');
			assert.ok(error.message.startsWith(RESERVED), error.message);
			assert.equal(error.raw, value('{"id":1,"packedRows":"batch-7"}'));
			assert.equal((json[KAFKA_METADATA_FIELD] as { offset: string }).offset, '5', 'says where it came from');
		});

		it(`${output}: a top-level packedRows shaped like a packed item is not loaded as one (was: its line loaded, the message's own fields gone)`, () => {
			const chunk = parse({ output }, [message(6, value('{"id":4,"packedRows":{"jsonLines":"{\\"id\\":99}\\n","count":1,"sources":[]}}'))]);
			assert.equal(chunk.items.length, 1);
			assert.equal(readPackedRows(chunk.items[0].json), undefined);
			assert.equal((chunk.items[0].json[PARSE_ERROR_FIELD] as { kind: string }).kind, 'reserved_field');
		});

		it(`${output}: a value's _doris (a replayed dead letter's table and old deadline) is not taken for the Doris nodes' own`, () => {
			const chunk = parse({ output }, [message(7, value('{"id":2,"_doris":{"table":"other","loadBy":1}}'))]);
			// Kept in the item's own _doris.ownFields, never read as its table or deadline: a Doris Schema node
			// with Unknown Fields Reject refuses the item for it, as for a packed line's own field (session 17).
			assert.deepEqual(chunk.items.map((i) => i.json), [{ id: 2, _doris: { ownFields: { _doris: { table: 'other', loadBy: 1 } } } }]);
			assert.equal(chunk.parseErrors, 0);
			// Said, for the emitter's warning: the value's own field is not loaded (was: left out without a word).
			assert.deepEqual(chunk.itemOwnFields, new Map([['_doris', { messages: 1, firstOffset: '7', replaced: false }]]));
		});

		it(`${output}: a value's _kafka is not taken for the message's position: dropped with Include Metadata off, the real one with it on`, () => {
			const replayed = value('{"id":3,"_kafka":{"topic":"elsewhere","partition":0,"offset":"9"}}');
			const off = parse({ output }, [message(8, replayed), message(9, value('{"id":4,"_kafka":null}'))]);
			assert.deepEqual(off.items.map((i) => i.json), [
				{ id: 3, _doris: { ownFields: { _kafka: { topic: 'elsewhere', partition: 0, offset: '9' } } } },
				{ id: 4, _doris: { ownFields: { _kafka: null } } },
			]);
			assert.deepEqual(off.itemOwnFields, new Map([['_kafka', { messages: 2, firstOffset: '8', replaced: false }]]));
			const on = parse({ output, includeMetadata: true }, [message(8, replayed)]);
			assert.deepEqual(on.itemOwnFields, new Map([['_kafka', { messages: 1, firstOffset: '8', replaced: true }]]));
			assert.deepEqual(
				on.items.map((i) => [i.json.id, (i.json[KAFKA_METADATA_FIELD] as { topic: string; offset: string }).topic, (i.json[KAFKA_METADATA_FIELD] as { offset: string }).offset]),
				[[3, 'orders', '8']],
			);
			assert.deepEqual(on.items[0].json._doris, { ownFields: { _kafka: { topic: 'elsewhere', partition: 0, offset: '9' } } });
			// With Add Kafka Fields the item's _doris also names the added fields.
			const named = parse({ output, kafkaFields: [{ source: 'offset', name: 'src_offset' }] }, [message(8, replayed)]);
			assert.deepEqual(named.items[0].json._doris, { ownFields: { _kafka: { topic: 'elsewhere', partition: 0, offset: '9' } }, kafkaFields: ['src_offset'] });
		});
	}

	it('batch: a value that is one line stays a row of the packed item (the Doris nodes read the contract at an item\'s top level only)', () => {
		const chunk = parse({ output: 'batch' }, [message(0, '{"id":1,"packedRows":"batch-7"}'), message(1, '{"id":2,"_doris":{"table":"other"}}')]);
		assert.equal(chunk.items.length, 1);
		const packed = readPackedRows(chunk.items[0].json) as PackedRows;
		assert.equal(packed.count, 2);
		assert.equal(packed.doris, undefined);
		assert.equal(chunk.items[0].json[DORIS_FIELD], undefined);
		assert.ok(packed.jsonLines.startsWith('{"id":1,"packedRows":"batch-7"}\n'));
	});

	it('a tombstone whose key names packedRows (Delete the Row of Its Key) goes to Invalid with the key as raw', () => {
		const chunk = parse({ tombstones: 'delete' }, [message(9, null, { key: Buffer.from('{"packedRows":1}') })]);
		const error = chunk.items[0].json[PARSE_ERROR_FIELD] as { kind: string; raw: string };
		assert.deepEqual([error.kind, error.raw], ['reserved_field', '{"packedRows":1}']);
	});
});
