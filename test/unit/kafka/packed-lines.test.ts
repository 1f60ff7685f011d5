import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { KAFKA_METADATA_FIELD, PACKED_ROWS_FIELD, PARSE_ERROR_FIELD, type PackedRows } from '../../../src/common/item-contract';
import { parseJsonExact } from '../../../src/common/exact-json';
import { createMessageParser, type ParsedChunk, type TriggerItem } from '../../../src/kafka/message-parser';
import { fitsOnLine, PackedLinesBuilder, UncheckedLinesError } from '../../../src/kafka/packed-lines';
import { message, parse } from './message-support';

/** The packed rows of item `index` (the first by default), or undefined when it is an ordinary item. */
function packedOf(chunk: ParsedChunk, index = 0): PackedRows | undefined {
	const packed = chunk.items[index]?.json[PACKED_ROWS_FIELD];
	return packed === undefined ? undefined : (packed as unknown as PackedRows);
}

/** A packed item of `lines` (texts) from one run of partition 2 of `orders` starting at `first`. */
function packedItem(lines: string[], first: number): TriggerItem {
	const rows: PackedRows = {
		jsonLines: lines.map((l) => `${l}\n`).join(''),
		count: lines.length,
		sources: [{ topic: 'orders', partition: 2, firstOffset: String(first), lastOffset: String(first + lines.length - 1), lines: lines.length }],
	};
	return { json: { [PACKED_ROWS_FIELD]: rows as never } };
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

	it('after finish the builder starts afresh: the next packed item has only its own lines and runs', () => {
		const b = new PackedLinesBuilder();
		b.addBytes(Buffer.from('{"a":1}'), 't', 0, '1');
		b.addText('{"a":2}', 't', 0, '2');
		const first = b.finish();
		b.addBytes(Buffer.from('{"a":4}'), 't', 0, '4');
		b.addBytes(Buffer.from('{"a":5}'), 't', 0, '5');
		assert.deepEqual(first, { jsonLines: '{"a":1}\n{"a":2}\n', count: 2, sources: [{ topic: 't', partition: 0, firstOffset: '1', lastOffset: '2', lines: 2 }] });
		assert.deepEqual(b.finish(), { jsonLines: '{"a":4}\n{"a":5}\n', count: 2, sources: [{ topic: 't', partition: 0, firstOffset: '4', lastOffset: '5', lines: 2 }] });
		assert.equal(b.finish(), undefined);
	});

	it('items packed one after another keep their own text: the buffer values are joined in is reused, never shared', () => {
		const pack = (values: string[], deferChecks: boolean) => {
			const b = new PackedLinesBuilder(deferChecks ? 'lineOfOneValue' : undefined);
			values.forEach((v, k) => b.addBytes(Buffer.from(v), 't', 0, String(k)));
			return b.finish()?.jsonLines;
		};
		const long = Array.from({ length: 200 }, (_, k) => `{"long":${k},"pad":"${'x'.repeat(k)}"}`);
		const first = pack(long, false);
		const second = pack(['{"b":"é"}', '{"c":2}'], false);
		assert.throws(() => pack(['{"d":"✓"}', '{"e":\r1}'], true), UncheckedLinesError);
		const fourth = pack(long.slice(0, 3), true);
		assert.equal(first, long.map((v) => `${v}\n`).join(''));
		assert.equal(second, '{"b":"é"}\n{"c":2}\n');
		assert.equal(fourth, long.slice(0, 3).map((v) => `${v}\n`).join(''));
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

	it('packs one-line UTF-8 values as they are; each other message is its per-message item, in its place', () => {
		for (const tombstones of ['skip', 'emit'] as const) {
			const chunk = parse({ output: 'batch', tombstones }, mixed());
			// What One Item per Message builds, by offset.
			const perMessage = new Map<number, TriggerItem>();
			const items = parse({ tombstones }, mixed()).items;
			for (const m of mixed()) if (m.value !== null || tombstones === 'emit') perMessage.set(Number(m.offset), items[perMessage.size]);
			const values = mixed().map((m) => m.value?.toString('utf8') ?? '');
			// Each misfit ends the packed item before it; the lines after it start a new one: offset order.
			assert.deepEqual(chunk.items, [
				packedItem([values[0], values[1]], 0),
				...(tombstones === 'emit' ? [perMessage.get(2)] : []),
				perMessage.get(3),
				perMessage.get(4),
				packedItem([values[5]], 5),
				perMessage.get(6),
				perMessage.get(7),
				packedItem([values[8], values[9]], 8),
			]);
			assert.equal(
				packedOf(chunk)?.jsonLines,
				'{"id":1,"big":123456789012345678901234}\n{"id":\n',
				'values untouched: big numbers, bad JSON and non-objects travel as text for the Doris Schema node',
			);
			assert.deepEqual(chunk.items.find((i) => i.json.id === 4)?.json, { id: 4, big: '98765432109876543210' }, 'pretty JSON parsed as today');
			assert.equal(chunk.parseErrors, 3, 'non-UTF-8, empty and the broken multi-line value; bad lines are counted downstream');
			assert.equal(chunk.tombstonesSkipped, tombstones === 'skip' ? 1 : 0);
		}
	});

	it('CDC: line, misfit, line from one partition stay in offset order (the pretty-printed upsert before the delete after it)', () => {
		const upsert = '{\n  "id": 1,\n  "v": "new"\n}';
		const messages = [message(4, '{"id":1,"v":"old"}'), message(5, upsert), message(6, '{"id":1,"__DORIS_DELETE_SIGN__":1}')];
		const chunk = parse({ output: 'batch' }, messages);
		assert.deepEqual(chunk.items, [packedItem(['{"id":1,"v":"old"}'], 4), { json: { id: 1, v: 'new' } }, packedItem(['{"id":1,"__DORIS_DELETE_SIGN__":1}'], 6)]);
	});

	it('a skipped tombstone adds no item, so it does not end the packed item (its offset is a gap in the sources)', () => {
		const chunk = parse({ output: 'batch' }, [message(0, '{"a":0}'), message(1, null), message(2, '{"a":2}')]);
		assert.equal(chunk.items.length, 1);
		assert.deepEqual(packedOf(chunk)?.sources, [
			{ topic: 'orders', partition: 2, firstOffset: '0', lastOffset: '0', lines: 1 },
			{ topic: 'orders', partition: 2, firstOffset: '2', lastOffset: '2', lines: 1 },
		]);
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
		assert.deepEqual(none, { items: [], parseErrors: 0, tombstonesSkipped: 2, skippedTombstone: { offset: '0', key: 'k0' } });
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
			// A CR alone, or bytes that are not UTF-8 only together: found when the chunk's bytes are checked at once.
			fc.constant('{"a":\r1}'),
			fc.constant(Buffer.from([0xc3])),
			fc.constant(Buffer.from([0xa9])),
			fc.constant('{"é":"✓"}'),
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
				const seen = new Map<string, string>();
				const deliver = (o: string, what: string) => {
					assert.ok(!seen.has(o), `offset ${o} delivered twice`);
					seen.set(o, what);
				};
				let last = -1n;
				let previousPacked = false;
				chunk.items.forEach((item, index) => {
					const rows = packedOf(chunk, index);
					const offsets = rows ? lineOffsets(rows) : [(item.json[KAFKA_METADATA_FIELD] as { offset: string }).offset];
					assert.ok(BigInt(offsets[0]) > last, 'items in offset order');
					last = BigInt(offsets[offsets.length - 1]);
					if (rows === undefined) {
						previousPacked = false;
						deliver(offsets[0], 'item');
						return;
					}
					assert.ok(!previousPacked, 'only an ordinary item ends a packed item');
					previousPacked = true;
					const lineTexts = rows.jsonLines.split('\n');
					assert.equal(lineTexts.pop(), '', 'every line ends in a newline');
					assert.equal(rows.count, lineTexts.length);
					offsets.forEach((o, k) => deliver(o, `line:${lineTexts[k]}`));
				});
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
		const line = (id: number) => `{"id":${id},"big":"12345678901234567890","note":"a\\nb"}\n`;
		const run = (offset: string) => [{ topic: 't', partition: 0, firstOffset: offset, lastOffset: offset, lines: 1 }];
		// In offset order: the failure and the tombstone end the first packed item, the last line starts another.
		assert.equal(chunk.items.length, 4);
		assert.deepEqual(packedOf(chunk, 0), { jsonLines: line(5), count: 1, sources: run('0') });
		assert.deepEqual(
			chunk.items.slice(1, 3).map((i) => (i.json[PARSE_ERROR_FIELD] as { kind: string }).kind),
			['schema_registry', 'tombstone'],
		);
		assert.deepEqual(packedOf(chunk, 3), { jsonLines: line(6), count: 1, sources: run('3') });
		assert.equal(chunk.parseErrors, 1);
	});
});
