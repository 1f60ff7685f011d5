import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readLabelState } from '../../../../src/doris/stream-load/load-state';

describe('readLabelState: what get_load_state means for a load that used the label', () => {
	it('VISIBLE and COMMITTED are loaded, PREPARE and PRECOMMITTED still running, ABORTED free', () => {
		for (const held of [false, true]) {
			assert.equal(readLabelState('VISIBLE', held), 'loaded');
			assert.equal(readLabelState('COMMITTED', held), 'loaded');
			assert.equal(readLabelState('PREPARE', held), 'running');
			assert.equal(readLabelState('PRECOMMITTED', held), 'running');
			assert.equal(readLabelState('ABORTED', held), 'free');
		}
	});

	it('UNKNOWN is free only for a label Doris never held for us; otherwise it was forgotten: cannot tell', () => {
		assert.equal(readLabelState('UNKNOWN', false), 'free');
		assert.equal(readLabelState('UNKNOWN', true), 'cannot_tell');
	});

	it('no answer from any FE: cannot ask', () => {
		assert.equal(readLabelState(undefined, true), 'cannot_ask');
	});
});
