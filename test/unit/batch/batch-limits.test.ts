/** The batch settings check: a value that is not a number above 0 is refused naming the setting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkLimits } from '../../../src/batch/batch-limits';
import { limits } from './batcher-support';

describe('batch limits', () => {
	it('refuses a setting that is not a number above 0, naming it and its value', () => {
		assert.throws(() => checkLimits(limits({ maxRows: 0 })), /^Error: Batch setting max rows = 0 must be a number > 0$/);
		assert.throws(() => checkLimits(limits({ maxBytes: Number.NaN })), /max bytes = NaN/);
		assert.throws(() => checkLimits(limits({ maxIntervalMs: -1 })), /max interval = -1/);
		assert.throws(() => checkLimits(limits({ maxInFlight: Infinity })), /max loads in flight = Infinity/);
		assert.throws(() => checkLimits(limits({ maxIdleMs: 0 })), /max idle = 0/);
		assert.doesNotThrow(() => checkLimits(limits({ maxIdleMs: undefined })));
	});

	it('raises a buffer cap below one batch to one batch (sealing alone could never meet it)', () => {
		assert.equal(checkLimits(limits({ maxBytes: 1000, maxBufferedBytes: 10 })).maxBufferedBytes, 1000);
		assert.equal(checkLimits(limits({ maxBytes: 1000, maxBufferedBytes: 5000 })).maxBufferedBytes, 5000);
	});
});
