/**
 * One message's per-message item (message-items.ts), as every format and output builds it: a row, a
 * skipped or emitted tombstone, a parse error that says where its message came from; in batch output
 * the packed item before it ends first, so the items stay in offset order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { KafkaMessage } from 'kafkajs';

import type { ParsedChunk } from '../../../src/kafka/message-parser';
import { addItem, parseError, type ItemOptions } from '../../../src/kafka/message-items';
import { PackedLinesBuilder } from '../../../src/kafka/packed-lines';

const message = (offset: string): KafkaMessage => ({ offset, key: Buffer.from('k1'), value: null, timestamp: '1700000000000', attributes: 0, headers: { source: Buffer.from('crm') } });
const chunk = (): ParsedChunk => ({ items: [], parseErrors: 0, tombstonesSkipped: 0 });
const options = (overrides: Partial<ItemOptions> = {}): ItemOptions => ({ includeMetadata: false, tombstones: 'skip', ...overrides });
const where = { topic: 't', partition: 2, offset: '7', key: 'k1', timestamp: '1700000000000', headers: { source: 'crm' } };

describe('addItem', () => {
	it('a row as decoded; with Include Metadata, where it came from', () => {
		const plain = chunk();
		addItem(plain, options(), { json: { id: 1 } }, message('7'), 't', 2, undefined);
		assert.deepEqual(plain.items, [{ json: { id: 1 } }]);
		const withMetadata = chunk();
		addItem(withMetadata, options({ includeMetadata: true }), { json: { id: 1 } }, message('7'), 't', 2, undefined);
		assert.deepEqual(withMetadata.items, [{ json: { id: 1, _kafka: where } }]);
	});

	it('a value that did not decode: counted, and its item always says where it came from', () => {
		const c = chunk();
		addItem(c, options(), { error: parseError('json', 'Unexpected token', '{x', 'utf8') }, message('7'), 't', 2, undefined);
		assert.equal(c.parseErrors, 1);
		assert.deepEqual(c.items, [{ json: { _parseError: { kind: 'json', message: 'Unexpected token', raw: '{x', rawEncoding: 'utf8' }, _kafka: where } }]);
	});

	it('a tombstone: skipped and counted, or emitted as such', () => {
		const skipped = chunk();
		addItem(skipped, options(), null, message('7'), 't', 2, undefined);
		assert.deepEqual([skipped.items.length, skipped.tombstonesSkipped], [0, 1]);
		const emitted = chunk();
		addItem(emitted, options({ tombstones: 'emit' }), null, message('7'), 't', 2, undefined);
		assert.deepEqual(emitted.items, [{ json: { _parseError: { kind: 'tombstone', message: 'message value is null (tombstone)', raw: null, rawEncoding: 'utf8' }, _kafka: where } }]);
	});

	it('batch output: the packed item before it ends first, so the items stay in offset order', () => {
		const c = chunk();
		const lines = new PackedLinesBuilder();
		lines.addText('{"id":1}', 't', 2, '6');
		addItem(c, options(), { error: parseError('json', 'bad', 'x', 'utf8') }, message('7'), 't', 2, lines);
		assert.equal(c.items.length, 2);
		assert.ok('packedRows' in c.items[0].json, 'the packed item of offset 6 first');
		assert.ok('_parseError' in c.items[1].json);
		assert.equal(lines.finish(), undefined, 'the builder starts afresh');
	});
});
