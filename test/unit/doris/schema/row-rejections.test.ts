/**
 * The whole-row reasons RowMapper gives (row-rejections.ts), alone: each names the table, the rule and
 * what to change, and a row with its sequence value (or a default for a missing one) has none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { JsonText } from '../../../../src/common/connect-logical';
import { manualSchema } from '../../../../src/doris/schema/manual';
import { badDeleteMark, deleteUnsupported, missingSequence, safeValue, type SequenceColumn } from '../../../../src/doris/schema/row-rejections';

const schema = manualSchema('shop', 'orders', [{ name: 'id', type: 'BIGINT', nullable: false }]);
const seq: SequenceColumn = { column: 'version', field: 'version', expected: 'an integer', hasDefault: false, defaultValue: null };

describe('row rejections', () => {
	it('missingSequence: none with a value; null_sequence for an upsert without one, missing_sequence when a constant default fills a missing field (none for CURRENT_TIMESTAMP); delete_sequence for a delete', () => {
		assert.equal(missingSequence(schema, seq, { version: 3 }, false), null);
		assert.equal(missingSequence(schema, seq, { version: 0 }, true), null);
		assert.equal(missingSequence(schema, { ...seq, hasDefault: true, defaultValue: 'CURRENT_TIMESTAMP' }, {}, false), null);
		const constant = missingSequence(schema, { ...seq, field: 'v', hasDefault: true, defaultValue: '0' }, {}, false);
		assert.deepEqual({ ...constant?.[0], message: undefined }, { column: 'version', value: null, expected: 'an integer', rule: 'missing_sequence', message: undefined });
		assert.match(constant?.[0].message ?? '', /^the row has no field "v" for the sequence column "version" of shop\.orders: Doris would give it the column's DEFAULT 0/);
		const nullUpsert = missingSequence(schema, { ...seq, hasDefault: true, defaultValue: '0' }, { version: null }, false);
		assert.equal(nullUpsert?.[0].rule, 'null_sequence');
		assert.match(nullUpsert[0].message, /^the sequence column "version" of shop\.orders would be NULL for this row \(the field is null\)/);
		const missing = missingSequence(schema, seq, {}, false);
		assert.match(missing?.[0].message ?? '', /\(the field is missing\)/);
		const del = missingSequence(schema, { ...seq, hasDefault: true, defaultValue: 'CURRENT_TIMESTAMP' }, {}, true);
		assert.deepEqual({ ...del?.[0], message: undefined }, { column: 'version', value: null, expected: 'an integer', rule: 'delete_sequence', message: undefined });
		assert.match(del?.[0].message ?? '', /^this delete has no value for the sequence column "version" of shop\.orders.*REPLICA IDENTITY FULL; MySQL: binlog_row_image=FULL\)$/);
	});

	it('deleteUnsupported names the key model and the way out for an envelope and for a flattened record', () => {
		const envelope = deleteUnsupported(schema, 'DUPLICATE', 'envelope');
		assert.equal(envelope.rule, 'delete_unsupported');
		assert.equal(
			envelope.message,
			'this change is a delete, and shop.orders is a DUPLICATE KEY table: only a UNIQUE KEY table applies deletes (Doris would load the deleted row as a new one); ' +
				'load the changes into a UNIQUE KEY table, or leave the Debezium Envelopes (CDC) option off to keep each change as a row of its own',
		);
		assert.match(deleteUnsupported(schema, 'AGGREGATE', 'flattened').message, /AGGREGATE KEY table.*or give the table a column "__deleted" to keep each delete as a row flagged "true"$/);
	});

	it('deleteUnsupported for a UNIQUE KEY table without the hidden delete sign: the cause and the fix, word for word', () => {
		const sign = deleteUnsupported(schema, 'UNIQUE', 'sign');
		assert.deepEqual({ ...sign, message: undefined }, { column: null, value: null, expected: 'a UNIQUE KEY table with the hidden delete sign column', rule: 'delete_unsupported', message: undefined });
		assert.equal(
			sign.message,
			'this change is a delete, and shop.orders has no hidden delete sign column __DORIS_DELETE_SIGN__ (created while the FE config enable_batch_delete_by_default was false): ' +
				'Doris drops the sign without a word and would load the delete as an upsert, keeping the row; ALTER TABLE shop.orders ENABLE FEATURE "BATCH_DELETE" to let deletes apply, ' +
				'or leave the field __DORIS_DELETE_SIGN__ out of the record (or set it to 0) to load the row; a tombstone of the Kafka Trigger\'s Tombstones "Delete the Row of Its Key" carries it (set Tombstones to Skip for such a table)',
		);
	});

	it('badDeleteMark quotes the value and keeps it JSON-safe', () => {
		const r = badDeleteMark(schema, 12n);
		assert.equal(r.value, '12');
		assert.equal(r.rule, 'envelope');
		assert.match(r.message, /^field "__deleted" is Debezium's delete marker .* not "12"; give shop\.orders a column "__deleted" to load the field as data$/);
	});

	it('safeValue: bigint as text, JSON text as its text, undefined as null', () => {
		assert.equal(safeValue(5n), '5');
		assert.equal(safeValue(new JsonText('{"a":1}')), '{"a":1}');
		assert.equal(safeValue(undefined), null);
		assert.deepEqual(safeValue({ a: 1 }), { a: 1 });
	});
});
