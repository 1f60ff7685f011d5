import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { PackedRows } from '../../../../src/common/item-contract';
import { splitPacked } from '../../../../src/doris/schema/split-packed';

const line = (table: string, id: number) => JSON.stringify({ source: { table }, after: { id } });

describe('splitPacked: one packed item per target table', () => {
	it('by topic: whole runs go to their table, each part keeps its lines in order and exact runs', () => {
		const packed: PackedRows = {
			jsonLines: `${line('a', 1)}\n${line('a', 2)}\n${line('b', 1)}\n${line('a', 3)}\n`,
			count: 4,
			sources: [
				{ topic: 's.db.a', partition: 0, firstOffset: '10', lastOffset: '11', lines: 2 },
				{ topic: 's.db.b', partition: 0, firstOffset: '5', lastOffset: '5', lines: 1 },
				{ topic: 's.db.a', partition: 0, firstOffset: '12', lastOffset: '12', lines: 1 },
			],
		};
		const split = splitPacked(packed, { byTopic: (topic) => (topic ?? '').split('.').pop() as string });
		assert.deepEqual([...split.parts.keys()], ['a', 'b']);
		const a = split.parts.get('a') as PackedRows;
		assert.equal(a.jsonLines, `${line('a', 1)}\n${line('a', 2)}\n${line('a', 3)}\n`);
		assert.deepEqual(a.sources, [{ topic: 's.db.a', partition: 0, firstOffset: '10', lastOffset: '12', lines: 3 }]);
		assert.deepEqual(split.lineNumbers.get('a'), [0, 1, 3]);
		assert.deepEqual(split.unplaced, []);
	});

	it('by line: interleaved tables, a gap in offsets keeps runs apart, unplaceable and broken lines come out with their origin', () => {
		const packed: PackedRows = {
			jsonLines: `${line('a', 1)}\n${line('b', 1)}\n${line('a', 2)}\n{"nosource":1}\nnot json\n`,
			count: 5,
			sources: [{ topic: 't', partition: 3, firstOffset: '0', lastOffset: '4', lines: 5 }],
		};
		const split = splitPacked(packed, {
			byLine: (json) => {
				const table = (json.source as { table?: string } | undefined)?.table;
				return table ?? { refused: 'no source.table' };
			},
		});
		assert.deepEqual((split.parts.get('a') as PackedRows).sources, [
			{ topic: 't', partition: 3, firstOffset: '0', lastOffset: '0', lines: 1 },
			{ topic: 't', partition: 3, firstOffset: '2', lastOffset: '2', lines: 1 },
		]);
		assert.deepEqual(
			split.unplaced.map((u) => [u.origin.offset, u.refused, u.json._parseError === undefined]),
			[
				['3', 'no source.table', true],
				['4', null, false],
			],
		);
	});

	it('every line to one table: the item as it came', () => {
		const packed: PackedRows = { jsonLines: `${line('a', 1)}\n`, count: 1, sources: [{ topic: 's.a', partition: 0, firstOffset: '0', lastOffset: '0', lines: 1 }] };
		assert.equal(splitPacked(packed, { byTopic: () => 'a' }).parts.get('a'), packed);
	});
});

describe('splitPacked by topic: one target for every run is known without walking the lines', () => {
	const lines = (n: number) => Array.from({ length: n }, (_, i) => `${line('a', i)}\n`).join('');
	const run = (topic: string, first: number, n: number) => ({ topic, partition: 0, firstOffset: String(first), lastOffset: String(first + n - 1), lines: n });
	it('runs of several topics into one table, and lines no run covers placed by no topic', () => {
		const packed: PackedRows = { jsonLines: `${lines(3)}{"id":9}`, count: 4, sources: [run('x', 0, 2), run('y', 7, 1)] };
		const asked: Array<string | undefined> = [];
		const split = splitPacked(packed, { byTopic: (topic) => (asked.push(topic), 'a') });
		assert.equal(split.parts.get('a'), packed);
		assert.deepEqual(split.unplaced, []);
		assert.deepEqual(asked, ['x', 'y', undefined]);
	});
	it('a topic placed elsewhere or refused: the lines are walked, as before', () => {
		const packed: PackedRows = { jsonLines: lines(3), count: 3, sources: [run('x', 0, 2), run('y', 7, 1)] };
		const split = splitPacked(packed, { byTopic: (topic) => (topic === 'y' ? 'b' : 'a') });
		assert.deepEqual([...split.parts.keys()], ['a', 'b']);
		assert.equal(split.parts.get('b')?.jsonLines, `${line('a', 2)}\n`);
		const refused = splitPacked(packed, { byTopic: (topic) => (topic === 'y' ? { refused: 'no table for y' } : 'a') });
		assert.deepEqual(refused.unplaced.map((u) => [u.origin.topic, u.refused]), [['y', 'no table for y']]);
		assert.equal(refused.parts.get('a')?.count, 2);
	});
	it('runs that cover more lines than there are, and no lines at all', () => {
		const packed: PackedRows = { jsonLines: lines(2), count: 2, sources: [run('x', 0, 2), run('z', 5, 4)] };
		const asked: Array<string | undefined> = [];
		assert.equal(splitPacked(packed, { byTopic: (topic) => (asked.push(topic), 'a') }).parts.get('a'), packed);
		assert.deepEqual(asked, ['x']);
		assert.equal(splitPacked({ jsonLines: '', count: 0, sources: [] }, { byTopic: () => 'a' }).parts.size, 0);
	});
});
