// Whether packed JSON lines carry a key at their top level (src/doris/stream-load/top-level-key.ts): a
// nested object's key or a key ending in the name is no field Doris reads from the line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { linesHaveTopLevelKey } from '../../../../src/doris/stream-load/top-level-key';

describe('linesHaveTopLevelKey', () => {
	it('a key of the line\'s own object, spaces before its colon allowed, in any line', () => {
		for (const lines of ['{"k":1}', '{"a":{"k":1},"k":2}\n', '{"a":1, "k" \t: null}\n', '{"a":{"k":1}}\n{"b":[{"k":1}],"k":0}\n', '{"a":"\\\\","k":1}\n', '{"a":"}]\\"{[","k":1}\n']) {
			assert.equal(linesHaveTopLevelKey(lines, 'k'), true, lines);
		}
	});
	it('not a nested object\'s key, a key or value ending in the name, the name as a value, another line\'s nesting', () => {
		for (const lines of ['{"a":{"k":1}}\n', '{"a":[{"k":1}]}\n', '{"x\\"k":1}\n', '{"a":"\\"k\\": 1"}\n', '{"a":"k","b":["k"]}\n', '{"a":"{\\"","b":{"k":1}}\n', '{"a":{"b":{"k":1}}}\n{"c":[[{"k":2}]]}\n', '']) {
			assert.equal(linesHaveTopLevelKey(lines, 'k'), false, lines);
		}
	});
	it('a name JSON escapes is looked for as JSON.stringify writes it', () => {
		assert.equal(linesHaveTopLevelKey('{"a\\"b":1}\n', 'a"b'), true);
		assert.equal(linesHaveTopLevelKey('{"x":{"a\\"b":1}}\n', 'a"b'), false);
	});
});
