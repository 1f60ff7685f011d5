import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { refusalOf } from '../../../src/batch/refusal';
import { StreamLoadError } from '../../../src/doris/stream-load/errors';

const refused = (rejectedRows: string[]) => Object.assign(new StreamLoadError('Doris rejected rows (1 filtered): [DATA_QUALITY_ERROR]too many filtered rows', { kind: 'data_quality', retryable: false }), { rejectedRows });

describe('refusalOf', () => {
	it("a row of a strict partial update before 3.1 refused without an error-log line: says its key is new (Doris writes no reason)", () => {
		const load = { partialUpdate: 'fixed' as const, strictMode: true };
		assert.match(refusalOf(refused([]), load).message, /too many filtered rows \(no reason in the error log: in a partial update in strict mode Doris 2\.1 \/ 3\.0 refuse a row whose key is not stored yet/);
		assert.equal(refusalOf(refused([]), { ...load, partialUpdateNewKeyBehavior: 'APPEND' }).message, 'Doris rejected rows (1 filtered): [DATA_QUALITY_ERROR]too many filtered rows', '3.1 inserts new keys');
		assert.equal(refusalOf(refused([]), { strictMode: true }).message, 'Doris rejected rows (1 filtered): [DATA_QUALITY_ERROR]too many filtered rows', 'no partial update');
		assert.equal(refusalOf(refused(["Reason: column_name[n], 'abc' is not a valid INT value. src line [{}]; "]), load).message, "column_name[n], 'abc' is not a valid INT value", "Doris' own reason");
	});
});
