// The Doris credential's FE list and password (src/doris/connection.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseFeUrls, resolveDorisPassword } from '../../../src/doris/connection';

describe('parseFeUrls', () => {
	it('splits on commas and blanks and keeps protocol, host and port only', () => {
		assert.deepEqual(parseFeUrls(' http://fe1:8030,\nhttps://fe2:8050/api '), ['http://fe1:8030', 'https://fe2:8050']);
	});

	it('names the bad entry: empty list, not a URL, another protocol, credentials in the URL', () => {
		assert.throws(() => parseFeUrls(' , '), /at least one http\(s\):\/\/host:port is required/);
		assert.throws(() => parseFeUrls('fe1:8030'), /Doris FE address "fe1:8030" must use http or https, not fe1:/);
		assert.throws(() => parseFeUrls('http://fe1:8030, ://x'), /Doris FE address ":\/\/x" is not a URL \(expected http:\/\/host:8030\)/);
		assert.throws(() => parseFeUrls('http://root:pw@fe1:8030'), /Doris FE address "fe1:8030" must not carry credentials/);
	});
});

describe('resolveDorisPassword', () => {
	it("the credential's password wins; an empty one falls back to DORIS_PASSWORD, then to empty", () => {
		assert.equal(resolveDorisPassword('pw', { DORIS_PASSWORD: 'env' }), 'pw');
		assert.equal(resolveDorisPassword('', { DORIS_PASSWORD: 'env' }), 'env');
		assert.equal(resolveDorisPassword(undefined, {}), '');
	});
});
