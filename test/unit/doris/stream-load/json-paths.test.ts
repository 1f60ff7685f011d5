// JSON Paths and json_root are checked against the row fields as a Columns list is: Doris reads only
// what they reach, so a field they leave unread (or a mistyped path's field) fails the row's execution
// naming the field instead of loading NULL or nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DELETE_SIGN_COLUMN, DORIS_FIELD, KAFKA_METADATA_FIELD } from '../../../../src/common/item-contract';
import type { LoadOptions } from '../../../../src/doris/stream-load/options';
import { columnsListCheck, createSerializer } from '../../../../src/doris/stream-load/wire-format';

const serialize = (options: Omit<LoadOptions, 'format'>, row: Record<string, unknown>) => createSerializer({ format: 'json', ...options })(row);
const rooted = (root: string) => ({ extraHeaders: { json_root: root } });

describe('JSON Paths and json_root: the row fields Doris would not read', () => {
	it('a mistyped path: the field it meant is read by no path, named', () => {
		assert.throws(() => serialize({ columns: ['id', 'name'], jsonpaths: '["$.id", "$.nmae"]' }, { id: 1, name: 'Ada' }), /Row field "name" would not load: no JSON Path \(\$\.id, \$\.nmae\) reads it/);
		assert.equal(serialize({ columns: ['id', 'name'], jsonpaths: '["$.id", "$.name"]' }, { id: 1, name: 'Ada' }), '{"id":1,"name":"Ada"}\n');
	});

	it('nested fields: a path reads its whole subtree; a sibling no path reaches is named by its dotted path', () => {
		const options = { columns: ['id', 'city'], jsonpaths: '["$.id", "$.address.city"]' };
		assert.doesNotThrow(() => serialize(options, { id: 1, address: { city: 'Oslo' } }));
		assert.throws(() => serialize(options, { id: 1, address: { city: 'Oslo', zip: '0150' } }), /Row field "address\.zip" would not load/);
		assert.doesNotThrow(() => serialize({ columns: ['id', 'address'], jsonpaths: '["$.id", "$.address"]' }, { id: 1, address: { city: 'Oslo', zip: '0150' } }));
		assert.doesNotThrow(() => serialize({ columns: ['id', 'first'], jsonpaths: '["$.id", "$.tags[0]"]' }, { id: 1, tags: ['a', 'b'] }));
		assert.doesNotThrow(() => serialize(options, { id: 1, address: { city: 'Oslo' }, note: undefined }), 'an undefined field is not written');
	});

	it('json_root: a field outside the root object is named; with Columns, a field inside it that Columns leaves out too', () => {
		assert.throws(() => serialize(rooted('$.payload'), { id: 1, payload: { id: 1 } }), /Row field "id" would not load: it is outside the object Doris reads under json_root "\$\.payload"/);
		assert.doesNotThrow(() => serialize(rooted('$.payload'), { payload: { id: 1, anything: 2 } }), 'without Columns the table decides, unknown here');
		assert.throws(() => serialize({ columns: ['id', 'v'], ...rooted('$.payload') }, { payload: { id: 1, v: 'a', w: 3 } }), /Row field "payload\.w" would not load: it is not in Columns \(id, v\) under json_root/);
		assert.throws(() => serialize({ columns: ['id'], jsonpaths: '["$.id"]', ...rooted('$.after') }, { after: { id: 1, x: 2 } }), /Row field "after\.x" would not load: no JSON Path/);
		assert.doesNotThrow(() => serialize({ columns: ['id'], jsonpaths: '["$.id"]', ...rooted('$.after') }, { after: { id: 1 } }));
	});

	it("the nodes' own fields and the delete sign the load adds are not row fields", () => {
		const check = columnsListCheck({ format: 'json', columns: ['id'], jsonpaths: '["$.id"]' }, true);
		assert.ok(check !== undefined);
		assert.doesNotThrow(() => check({ id: 1, [KAFKA_METADATA_FIELD]: {}, [DORIS_FIELD]: {}, [DELETE_SIGN_COLUMN]: 1 }));
		const noSign = columnsListCheck({ format: 'json', columns: ['id'], jsonpaths: '["$.id"]' }, false);
		assert.throws(() => noSign?.({ id: 1, [DELETE_SIGN_COLUMN]: 1 }), /__DORIS_DELETE_SIGN__/);
	});

	it('a path this node cannot follow, or JSON Paths that are not an array of paths, are refused naming them', () => {
		assert.throws(() => columnsListCheck({ format: 'json', columns: ['a'], jsonpaths: '["$.a.*"]' }), /JSON Paths entry "\$\.a\.\*" is not a path this node can follow/);
		assert.throws(() => columnsListCheck({ format: 'json', columns: ['a'], jsonpaths: '{"a": 1}' }), /JSON Paths "\{\\"a\\": 1\}" is not a JSON array of paths/);
		assert.throws(() => columnsListCheck({ format: 'json', columns: ['a'], ...rooted('payload') }), /json_root header "payload" is not a path this node can follow/);
	});
});
