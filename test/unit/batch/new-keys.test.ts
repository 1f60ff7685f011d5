// Rows Doris 2.1 / 3.0 refuse for their new key in a partial update in strict mode (src/batch/new-keys.ts):
// told from other refusals by the missing ErrorURL, handed to Rejected as `doris_new_key`, and an execution
// failing for them says so and how to fix it, not Doris' bare "too many filtered rows".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { explainNewKeys, newKeyRefusal, newKeysOf, refusesNewKeys } from '../../../src/batch/new-keys';
import { sortItemsForLoad } from '../../../src/batch/load-items';
import { rejectedItems } from '../../../src/batch/rejected-items';
import { StreamLoadError } from '../../../src/doris/stream-load/errors';
import { json, row } from './items-support';

function refusal(filtered: number, errorUrl?: string, kind: 'data_quality' | 'doris' = 'data_quality'): StreamLoadError {
	const response = { Status: 'Fail', Message: '[DATA_QUALITY_ERROR]too many filtered rows', NumberTotalRows: 10, NumberFilteredRows: filtered, ...(errorUrl === undefined ? {} : { ErrorURL: errorUrl }) };
	const error = new StreamLoadError('Stream Load into d.t failed: [DATA_QUALITY_ERROR]too many filtered rows', { kind, retryable: false, table: 'd.t', label: 'l1', response });
	error.rejectedRows = errorUrl === undefined ? undefined : ['Reason: column_name[n], bad. src line [..]; '];
	return error;
}

const STRICT_PARTIAL = { partialUpdate: 'fixed', strictMode: true } as const;

describe('new keys of a partial update in strict mode (Doris 2.1 / 3.0)', () => {
	it('only a strict partial update without the 3.1 header refuses new keys', () => {
		assert.equal(refusesNewKeys(STRICT_PARTIAL), true);
		assert.equal(refusesNewKeys({ ...STRICT_PARTIAL, partialUpdateNewKeyBehavior: 'APPEND' }), false);
		assert.equal(refusesNewKeys({ strictMode: true }), false);
	});

	it('a refusal without ErrorURL counts new keys only; one with an error log, or of another kind, does not say', () => {
		assert.equal(newKeysOf(refusal(7)), 7);
		assert.equal(newKeysOf(refusal(7, 'http://be:8040/api/_load_error_log?file=x')), undefined);
		assert.equal(newKeysOf(refusal(0)), undefined);
		assert.equal(newKeysOf(refusal(7, undefined, 'doris')), undefined);
	});

	it('the refusal that fails an execution names the new keys, the rule and the fixes; still a row refusal, with its answer', () => {
		const explained = explainNewKeys(refusal(60), STRICT_PARTIAL);
		assert.match(explained.message, /too many filtered rows — 60 row\(s\) whose key is not stored in table d\.t yet: a partial update in strict mode on Doris 2\.1 \/ 3\.0 refuses them/);
		assert.match(explained.message, /rule doris_new_key.*without Partial Update.*upgrade Doris to 3\.1/);
		assert.deepEqual([explained.kind, explained.label, explained.response?.NumberFilteredRows], ['data_quality', 'l1', 60]);
		const withLog = refusal(3, 'http://be:8040/api/_load_error_log?file=x');
		assert.equal(explainNewKeys(withLog, STRICT_PARTIAL), withLog, 'rows with a reason: Doris says why');
		const notStrictPartial = refusal(60);
		assert.equal(explainNewKeys(notStrictPartial, { ...STRICT_PARTIAL, partialUpdateNewKeyBehavior: 'APPEND' }), notStrictPartial);
	});

	it('on Rejected: rule doris_new_key, the reason and the fixes', () => {
		const items = [row(1), row(2)];
		const [item] = rejectedItems(items, sortItemsForLoad(items, json), [{ row: 1, reason: newKeyRefusal(refusal(1)) }], 'd.t');
		const reason = (item.json._invalid as { reasons: Array<Record<string, unknown>> }).reasons[0];
		assert.equal(item.index, 1);
		assert.equal(reason.rule, 'doris_new_key');
		assert.equal(reason.expected, 'a key stored in table d.t (a partial update in strict mode, Doris 2.1 / 3.0)');
		assert.match(String(reason.message), /^Doris refused the row: its key is not stored in the table yet, .*without Partial Update.*3\.1/);
	});
});
