import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { LoadOptions } from '../../../../src/doris/stream-load/options';
import { partialUpdateLoad } from '../../../../src/doris/stream-load/strict-mode';
import { parseDorisRelease } from '../../../../src/doris/version';

const read = (said: string) => ({ release: parseDorisRelease(said), said });
const V31 = read('Doris version doris-3.1.0-rc02-0');
const V30 = read('Doris version doris-3.0.6-rc01-0');
const V21 = read('Doris version doris-2.1.10-rc01-0');
const TRUNK = read('Doris version trunk');
const fixed: LoadOptions = { format: 'json', strictMode: true, partialUpdate: 'fixed', columns: ['k', 'n'] };

describe('strict mode under Partial Update, per Doris release', () => {
	it('3.1+: strict mode with new keys appended, set or not', () => {
		assert.deepEqual(partialUpdateLoad(fixed, V31, false), { ...fixed, strictMode: true, partialUpdateNewKeyBehavior: 'APPEND' });
		assert.deepEqual(partialUpdateLoad({ ...fixed, partialUpdate: 'flexible', columns: undefined }, read('Doris version doris-4.0.1-rc01-0'), true).partialUpdateNewKeyBehavior, 'APPEND');
	});

	it('2.1 / 3.0 / unknown: only Strict Mode set on loads (new keys are refused there), without the 3.1 header', () => {
		for (const r of [V30, V21, TRUNK]) {
			assert.deepEqual(partialUpdateLoad(fixed, r, true), { ...fixed, strictMode: true });
			assert.throws(() => partialUpdateLoad(fixed, r, false), /needs Strict Mode set explicitly: before 3\.1 Doris either refuses every row whose key is not stored yet \(strict mode\) or loads NULL/);
		}
		assert.throws(() => partialUpdateLoad(fixed, V30, false), /^Error: Partial Update on Doris 3\.0\.6 needs/);
		assert.throws(() => partialUpdateLoad(fixed, TRUNK, false), /Partial Update on Doris an unknown release \(version_comment "Doris version trunk"\)/);
	});

	it('a whole-row load is left as it is', () => {
		const whole: LoadOptions = { format: 'json', strictMode: true };
		assert.equal(partialUpdateLoad(whole, V21, false), whole);
	});
});
