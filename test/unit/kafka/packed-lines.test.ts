import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/item-contract';
import { parseJsonExact } from '../../../src/kafka/exact-json';
import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../../src/kafka/message-parser';
import { fitsOnLine, PackedLinesBuilder } from '../../../src/kafka/packed-lines';

function message(offset: number | string, value: Buffer | string | null): KafkaMessage {
	return {
		key: Buffer.from(`k${offset}`),
		value: typeof value === 'string' ? Buffer.from(value) : value,
		timestamp: '1700000000000',
		attributes: 0,
		offset: String(offset),
		headers: {},
	} as KafkaMessage;
}

function parse(options: Partial<MessageParserOptions>, messages: KafkaMessage[]): ParsedChunk {
	const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip', ...options });
	const result = parser.parse(messages, 0, messages.length, 'orders', 2);
	assert.ok(!(result instanceof Promise), 'JSON and text parsing are synchronous');
	return result;
}

function packedOf(chunk: ParsedChunk): PackedRows | undefined {
	const first = chunk.items[0]?.json[PACKED_ROWS_FIELD];
	return first === undefined ? undefined : (first as unknown as PackedRows);
}

/** Line k's offset from the sources, as the contract defines it (runs are gap-free). */
function lineOffsets(rows: PackedRows): string[] {
	const out: string[] = [];
	for (const run of rows.sources) {
		assert.equal(BigInt(run.lastOffset) - BigInt(run.firstOffset) + 1n, BigInt(run.lines), 'a run has no gaps');
		for (let k = 0; k < run.lines; k++) out.push((BigInt(run.firstOffset) + BigInt(k)).toString());
	}
	return out;
}

const NON_UTF8 = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff]);
const PRETTY = '{\n  "id": 4,\n  "big": 98765432109876543210\n}';

describe('packed lines: fitsOnLine', () => {
	it('one-line UTF-8 fits; empty, CR, LF and invalid UTF-8 do not', () => {
		assert.equal(fitsOnLine(Buffer.from('{"a":"héllo ✓"}')), true);
		assert.equal(fitsOnLine(Buffer.from('not json at all')), true, 'validity is the Doris Schema node\'s business');
		assert.equal(fitsOnLine(Buffer.alloc(0)), false);
		assert.equal(fitsOnLine(Buffer.from('{"a":1}\n')), false);
		assert.equal(fitsOnLine(Buffer.from('{"a":\r1}')), false);
		assert.equal(fitsOnLine(NON_UTF8), false);
		assert.equal(fitsOnLine(Buffer.from([0xc3, 0x28])), false);
	});
});

describe('packed lines: builder', () => {
	it('nothing added: no packed rows', () => {
		assert.equal(new PackedLinesBuilder().finish(), undefined);
	});

	it('bytes and text lines keep their order, each ends in a newline; multi-byte UTF-8 survives', () => {
		const b = new PackedLinesBuilder();
		b.addBytes(Buffer.from('{"a":"é"}'), 't', 0, '10');
		b.addBytes(Buffer.from('{"b":"✓"}'), 't', 0, '11');
		b.addText('{"c":3}', 't', 0, '12');
		b.addBytes(Buffer.from('{"d":"😀"}'), 't', 0, '13');
		assert.equal(b.count, 4);
		assert.deepEqual(b.finish(), {
			jsonLines: '{"a":"é"}\n{"b":"✓"}\n{"c":3}\n{"d":"😀"}\n',
			count: 4,
			sources: [{ topic: 't', partition: 0, firstOffset: '10', lastOffset: '13', lines: 4 }],
		});
	});

	it('a gap in offsets, or another partition or topic, starts a new run', () => {
		const b = new PackedLinesBuilder();
		for (const [topic, partition, offset] of [
			['t', 0, '5'],
			['t', 0, '6'],
			['t', 0, '8'],
			['t', 1, '9'],
			['u', 1, '10'],
			['u', 1, '11'],
		] as const) {
			b.addText('{}', topic, partition, offset);
		}
		assert.deepEqual(b.finish()?.sources, [
			{ topic: 't', partition: 0, firstOffset: '5', lastOffset: '6', lines: 2 },
			{ topic: 't', partition: 0, firstOffset: '8', lastOffset: '8', lines: 1 },
			{ topic: 't', partition: 1, firstOffset: '9', lastOffset: '9', lines: 1 },
			{ topic: 'u', partition: 1, firstOffset: '10', lastOffset: '11', lines: 2 },
		]);
	});

	it('offsets beyond 2^53 are compared exactly', () => {
		const b = new PackedLinesBuilder();
		// 2^53 - 1, 2^53, 2^53 + 1 are consecutive; 2^53 + 2 as a Number equals 2^53 + 3's rounding neighbour.
		for (const offset of ['9007199254740991', '9007199254740992', '9007199254740993', '9007199254740995', '9007199254740996']) {
			b.addText('{}', 't', 0, offset);
		}
		assert.deepEqual(b.finish()?.sources, [
			{ topic: 't', partition: 0, firstOffset: '9007199254740991', lastOffset: '9007199254740993', lines: 3 },
			{ topic: 't', partition: 0, firstOffset: '9007199254740995', lastOffset: '9007199254740996', lines: 2 },
		]);
	});
});

describe('message parser: One Item per Batch, JSON', () => {
	const mixed = () => [
		message(0, '{"id":1,"big":123456789012345678901234}'),
		message(1, '{"id":'),
		message(2, null),
		message(3, NON_UTF8),
		message(4, PRETTY),
		message(5, '{"id":6,"d":0.10000000000000000000000001}'),
		message(6, ''),
		message(7, '{\r\n"broken":'),
		message(8, '[1,2]'),
		message(9, '{"id":10}'),
	];

	it('packs one-line UTF-8 values as they are; the rest are the per-message items, after the packed one', () => {
		for (const tombstones of ['skip', 'emit'] as const) {
			const chunk = parse({ output: 'batch', tombstones }, mixed());
			const rows = packedOf(chunk);
			assert.ok(rows, 'the packed item comes first');
			assert.deepEqual(Object.keys(chunk.items[0].json), [PACKED_ROWS_FIELD], 'no metadata on the packed item');
			assert.equal(
				rows.jsonLines,
				'{"id":1,"big":123456789012345678901234}\n{"id":\n{"id":6,"d":0.10000000000000000000000001}\n[1,2]\n{"id":10}\n',
				'values untouched: big numbers, bad JSON and non-objects travel as text for the Doris Schema node',
			);
			assert.equal(rows.count, 5);
			assert.deepEqual(lineOffsets(rows), ['0', '1', '5', '8', '9']);
			assert.deepEqual(rows.sources, [
				{ topic: 'orders', partition: 2, firstOffset: '0', lastOffset: '1', lines: 2 },
				{ topic: 'orders', partition: 2, firstOffset: '5', lastOffset: '5', lines: 1 },
				{ topic: 'orders', partition: 2, firstOffset: '8', lastOffset: '9', lines: 2 },
			]);
			// The misfits are exactly what One Item per Message builds for them.
			const misfitOffsets = tombstones === 'emit' ? [2, 3, 4, 6, 7] : [3, 4, 6, 7];
			const perMessage = parse({ tombstones }, mixed());
			const expected = perMessage.items.filter((item) => {
				const meta = item.json[KAFKA_METADATA_FIELD] as { offset: string } | undefined;
				return meta === undefined ? item.json.id === 4 : misfitOffsets.includes(Number(meta.offset));
			});
			assert.deepEqual(chunk.items.slice(1), expected);
			assert.equal(chunk.items.length, 1 + misfitOffsets.length);
			assert.deepEqual(chunk.items.find((i) => i.json.id === 4)?.json, { id: 4, big: '98765432109876543210' }, 'pretty JSON parsed as today');
			assert.equal(chunk.parseErrors, 3, 'non-UTF-8, empty and the broken multi-line value; bad lines are counted downstream');
			assert.equal(chunk.tombstonesSkipped, tombstones === 'skip' ? 1 : 0);
		}
	});

	it('Include Metadata applies to the ordinary items only', () => {
		const chunk = parse({ output: 'batch', includeMetadata: true }, [message(0, '{"a":1}'), message(1, PRETTY)]);
		assert.deepEqual(Object.keys(chunk.items[0].json), [PACKED_ROWS_FIELD]);
		assert.equal((chunk.items[1].json[KAFKA_METADATA_FIELD] as { offset: string }).offset, '1');
	});

	it('only misfits: no packed item; only skipped tombstones: no item at all', () => {
		const misfits = parse({ output: 'batch' }, [message(0, PRETTY)]);
		assert.equal(misfits.items.length, 1);
		assert.equal(misfits.items[0].json[PACKED_ROWS_FIELD], undefined);
		const none = parse({ output: 'batch' }, [message(0, null), message(1, null)]);
		assert.deepEqual(none, { items: [], parseErrors: 0, tombstonesSkipped: 2 });
	});

	it('packs only the requested range', () => {
		const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip', output: 'batch' });
		const chunk = parser.parse([message(0, '{"i":0}'), message(1, '{"i":1}'), message(2, '{"i":2}')], 1, 2, 't', 0) as ParsedChunk;
		assert.deepEqual(packedOf(chunk), {
			jsonLines: '{"i":1}\n',
			count: 1,
			sources: [{ topic: 't', partition: 0, firstOffset: '1', lastOffset: '1', lines: 1 }],
		});
	});

	it('property: every message is once a line (at its exact offset, as its text) or once an item, or a counted skipped tombstone', () => {
		const value = fc.oneof(
			fc.constant(null),
			fc.constant(NON_UTF8),
			fc.constant(''),
			fc.constant(PRETTY),
			fc.string({ unit: 'grapheme', maxLength: 30 }),
			fc.json({ maxDepth: 2 }),
		);
		const run = fc.array(fc.record({ gap: fc.nat({ max: 3 }), value, emit: fc.boolean() }), { maxLength: 40 });
		fc.assert(
			fc.property(run, fc.boolean(), (entries, emit) => {
				let offset = 1000;
				const messages = entries.map((e) => {
					offset += 1 + (e.gap === 3 ? 5 : 0);
					return message(offset, e.value);
				});
				const chunk = parse({ output: 'batch', includeMetadata: true, tombstones: emit ? 'emit' : 'skip' }, messages);
				const rows = packedOf(chunk);
				const lineTexts = rows ? rows.jsonLines.split('\n') : [''];
				assert.equal(lineTexts.pop(), '', 'every line ends in a newline');
				const seen = new Map<string, string>();
				if (rows) {
					assert.equal(rows.count, lineTexts.length);
					lineOffsets(rows).forEach((o, k) => seen.set(o, `line:${lineTexts[k]}`));
				}
				for (const item of chunk.items.slice(rows ? 1 : 0)) {
					const o = (item.json[KAFKA_METADATA_FIELD] as { offset: string }).offset;
					assert.ok(!seen.has(o), `offset ${o} delivered twice`);
					seen.set(o, 'item');
				}
				let skipped = 0;
				for (const m of messages) {
					const got = seen.get(m.offset);
					if (m.value === null && !emit) {
						assert.equal(got, undefined);
						skipped++;
					} else if (m.value !== null && fitsOnLine(m.value)) {
						assert.equal(got, `line:${m.value.toString('utf8')}`);
					} else {
						assert.equal(got, 'item', `offset ${m.offset} is an item`);
					}
				}
				assert.equal(chunk.tombstonesSkipped, skipped);
				assert.equal(seen.size + skipped, messages.length, 'nothing lost, nothing invented');
			}),
			{ numRuns: 300 },
		);
	});
});

describe('message parser: One Item per Batch, text', () => {
	it('each UTF-8 value is the per-message item as one line, line breaks escaped; binary is an item', () => {
		const values = ['hello, world', 'two\nlines\r\n', '', 'quote " and \\ and ✓'];
		const messages = [...values.map((v, i) => message(i, v)), message(4, Buffer.from([0xc3, 0x28]))];
		const chunk = parse({ format: 'text', output: 'batch' }, messages);
		const rows = packedOf(chunk);
		assert.ok(rows);
		assert.equal(rows.count, 4);
		const lines = rows.jsonLines.split('\n').slice(0, -1);
		const perMessage = parse({ format: 'text' }, messages);
		assert.deepEqual(
			lines.map((l) => parseJsonExact(l)),
			perMessage.items.slice(0, 4).map((i) => i.json),
		);
		assert.deepEqual(chunk.items.slice(1), perMessage.items.slice(4));
		assert.equal(chunk.parseErrors, 1);
	});

	it('the text field name is escaped too', () => {
		const chunk = parse({ format: 'text', output: 'batch', textField: 'a"b' }, [message(0, 'x')]);
		assert.equal(packedOf(chunk)?.jsonLines, '{"a\\"b":"x"}\n');
	});
});

describe('message parser: One Item per Batch, Schema Registry (decoder boundary)', () => {
	it('decoded records become lines of their item json; failures and tombstones stay items', async () => {
		const parser = createMessageParser({
			format: 'schemaRegistry',
			includeMetadata: true,
			tombstones: 'emit',
			output: 'batch',
			schemaRegistry: {
				decode: async (value) => {
					if (value[0] !== 0) throw new Error('Message encoded with magic byte 123, expected 0');
					return { id: value[1], big: '12345678901234567890', note: 'a\nb' };
				},
			},
		});
		const messages = [message(0, Buffer.from([0, 5])), message(1, '{"plain":1}'), message(2, null), message(3, Buffer.from([0, 6]))];
		const chunk = await parser.parse(messages, 0, 4, 't', 0);
		const rows = packedOf(chunk);
		assert.deepEqual(rows, {
			jsonLines: '{"id":5,"big":"12345678901234567890","note":"a\\nb"}\n{"id":6,"big":"12345678901234567890","note":"a\\nb"}\n',
			count: 2,
			sources: [
				{ topic: 't', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 },
				{ topic: 't', partition: 0, firstOffset: '3', lastOffset: '3', lines: 1 },
			],
		});
		assert.deepEqual(
			chunk.items.slice(1).map((i) => (i.json[PARSE_ERROR_FIELD] as { kind: string }).kind),
			['schema_registry', 'tombstone'],
		);
		assert.equal(chunk.parseErrors, 1);
	});
});
