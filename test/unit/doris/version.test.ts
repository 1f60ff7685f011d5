import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseDorisRelease, releaseAtLeast, releaseName } from '../../../src/doris/version';

describe('Doris release from @@version_comment', () => {
	it('reads the release of "Doris version doris-X.Y.Z-rc-hash" (GlobalVariable.versionComment, gen_build_version.sh)', () => {
		assert.deepEqual(parseDorisRelease('Doris version doris-3.0.5-rc01-e277cfb83f'), { major: 3, minor: 0, patch: 5, text: 'Doris version doris-3.0.5-rc01-e277cfb83f' });
		assert.equal(parseDorisRelease('Doris version doris-2.1.10-rc01-0')?.minor, 1);
		assert.equal(parseDorisRelease('Doris version selectdb-doris-3.1.2-x')?.patch, 2, 'a vendor prefix before doris-');
		assert.equal(parseDorisRelease('Doris version trunk-build'), undefined);
		assert.equal(parseDorisRelease('5.7.99'), undefined, 'what version() answers is no Doris release');
	});

	it('compares major.minor; an unknown release is older than any', () => {
		const r = (text: string) => parseDorisRelease(`Doris version doris-${text}-rc01-0`);
		assert.equal(releaseAtLeast(r('3.1.0'), 3, 1), true);
		assert.equal(releaseAtLeast(r('3.0.9'), 3, 1), false);
		assert.equal(releaseAtLeast(r('4.0.0'), 3, 1), true);
		assert.equal(releaseAtLeast(r('2.1.10'), 3, 1), false);
		assert.equal(releaseAtLeast(undefined, 3, 1), false);
		assert.equal(releaseName(r('3.0.6'), 'x'), '3.0.6');
		assert.equal(releaseName(undefined, 'Doris version trunk'), 'an unknown release (version_comment "Doris version trunk")');
	});
});
