/**
 * Rows of a load that may be in Doris (review session 19, R1) are never labelled "not loaded": a load
 * whose last attempt lost its answer while Doris could not say what became of its label goes back as
 * doris_uncounted, like an uncounted commit, wherever the batch layer hands rows back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { notLoadedRefusal } from '../../../src/batch/refusal';
import { mayHaveLanded, uncountedRefusal } from '../../../src/batch/uncounted';
import { StreamLoadError } from '../../../src/doris/stream-load/errors';

const maybe = new StreamLoadError('the last attempt of label "l1" ended without an answer', { kind: 'label', retryable: false, label: 'l1', mayBeInDoris: true });
const committed = new StreamLoadError('Doris committed 3 of 4 rows', { kind: 'doris', retryable: false, label: 'l2', committed: true });
const failed = new StreamLoadError('[E-235]too many versions', { kind: 'doris', retryable: true, label: 'l3' });

describe('rows of a load that may be in Doris', () => {
	it('mayHaveLanded: an uncounted commit or a load flagged mayBeInDoris, not an ordinary failure', () => {
		assert.equal(mayHaveLanded(maybe), true);
		assert.equal(mayHaveLanded(committed), true);
		assert.equal(mayHaveLanded(failed), false);
	});

	it('handed back after another batch of the execution loaded: doris_uncounted saying it may be in Doris, not "Not loaded"', () => {
		const reason = notLoadedRefusal(maybe, 'failed');
		assert.equal(reason.uncounted, true);
		assert.equal(reason.notLoaded, undefined);
		assert.doesNotMatch(reason.message, /^Not loaded/);
		assert.match(reason.message, /may be in Doris/);
		assert.equal(reason.label, 'l1');
	});

	it('an ordinary failure is still "Not loaded"', () => {
		const reason = notLoadedRefusal(failed, 'failed');
		assert.equal(reason.notLoaded, true);
		assert.match(reason.message, /^Not loaded/);
	});

	it('an uncounted commit keeps saying Doris committed it', () => {
		assert.match(uncountedRefusal(committed).message, /Doris committed the load holding this row/);
	});
});
