// Secrets kept out of messages built from URLs and server answers (src/doris/stream-load/errors.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { redactUrl, scrub } from '../../../../src/doris/stream-load/errors';

describe('redactUrl and scrub', () => {
	it('redactUrl drops the user and password of a URL, parsed or not', () => {
		assert.equal(redactUrl('http://root:pw@be1:8040/api/db/t/_stream_load'), 'http://be1:8040/api/db/t/_stream_load');
		assert.equal(redactUrl(new URL('https://u:p@fe:8050/')), 'https://fe:8050/');
		assert.equal(redactUrl('not a url //root:pw@host/x'), 'not a url //host/x');
	});

	it('scrub removes the secret and its URL-encoded form; an empty secret changes nothing', () => {
		assert.equal(scrub('auth p@ss/1 and p%40ss%2F1', 'p@ss/1'), 'auth *** and ***');
		assert.equal(scrub('nothing secret', ''), 'nothing secret');
	});
});
