import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { groupByTarget } from '../../../src/batch/load-targets';

const own = () => ({ database: 'd', table: 'own' });

describe('groupByTarget: the table each item loads into', () => {
	it('Each Row\'s Table: groups in item order per table, the database defaulting to the credential\'s, the earliest deadline per table', () => {
		const items = [
			{ json: { id: 1, _doris: { table: 'a', loadBy: 20 } } },
			{ json: { id: 2, _doris: { table: 'b', database: 'x' } } },
			{ json: { id: 3, _doris: { table: 'a', loadBy: 10 } } },
			{ json: { packedRows: { jsonLines: '{"id":4}\n', count: 1, sources: [], doris: { table: 'b', database: 'x' } } } },
		];
		const { groups, refused } = groupByTarget(items, 'item', own, 'creds');
		assert.deepEqual(refused, []);
		assert.deepEqual(
			groups.map((g) => [g.target, g.indexes, g.loadBy]),
			[
				[{ database: 'creds', table: 'a' }, [0, 2], 10],
				[{ database: 'x', table: 'b' }, [1, 3], undefined],
			],
		);
	});

	it('puts items the trigger could not decode into the first table\'s group, in item order; the other groups keep theirs', () => {
		const undecodable = (id: number) => ({ json: { _parseError: { kind: 'json', message: 'bad', raw: `${id}`, rawEncoding: 'utf8' } } });
		const items: Array<{ json: Record<string, unknown> }> = [undecodable(0), { json: { id: 1, _doris: { table: 'a' } } }, { json: { id: 2, _doris: { table: 'b' } } }, undecodable(3), { json: { id: 4, _doris: { table: 'a' } } }, { json: { id: 5, _doris: { table: 'b' } } }];
		const { groups, refused } = groupByTarget(items, 'item', own, 'd');
		assert.deepEqual(refused, []);
		assert.deepEqual(
			groups.map((g) => [g.target.table, g.indexes, g.items.map((item) => items.indexOf(item))]),
			[
				['a', [0, 1, 3, 4], [0, 1, 3, 4]],
				['b', [2, 5], [2, 5]],
			],
		);
	});

	it('refuses a row without a table in item mode, and one mapped for another table in parameter mode (it would load there silently)', () => {
		assert.match(groupByTarget([{ json: { id: 1 } }], 'item', own, 'd').refused[0].message, /Item 0 names no table/);
		const wrong = groupByTarget([{ json: { id: 1, _doris: { table: 'other' } } }, { json: { id: 2, _doris: { table: 'own', loadBy: 5 } } }], 'parameter', own, 'd');
		assert.equal(wrong.refused.length, 1);
		assert.match(wrong.refused[0].message, /Item 0 was mapped for table d\.other .* but this node loads into d\.own: set Table From to "Each Row's Table"/);
		assert.deepEqual(wrong.groups.map((g) => g.indexes), [[1]], 'a row mapped for this table (or only a deadline) loads');
	});
});
