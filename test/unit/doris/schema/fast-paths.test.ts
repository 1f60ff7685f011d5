/**
 * The character-code fast paths (plain date text in datetime.ts, plain decimals in coerce-type.ts)
 * must give exactly what the general paths give. References: text with a leading space skips the
 * date fast path (DATE_RE allows it and ignores it); coerceDecimal is the general decimal path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileType, INVALID, makeCompileContext, type FailSlot } from '../../../../src/doris/schema/coerce-type';
import { DateCoercer, isStoredDateForm } from '../../../../src/doris/schema/datetime';
import { LineSink } from '../../../../src/doris/schema/line-sink';
import { coerceDecimal, type DecimalFailure, type NumberResult } from '../../../../src/doris/schema/numbers';
import { parseDorisType } from '../../../../src/doris/schema/type-parser';

const DATES = [
	'2024-05-01', '0999-01-01', '0000-01-01', '9999-12-31', '2024-02-29', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-05-00',
	'2024-05-01 10:11:12', '2024-05-01T10:11:12', '2024-05-01 23:59:59', '2024-05-01 24:00:00', '2024-05-01 10:60:00', '2024-05-01 10:11:60',
	'2024-05-01 10:11:12.1', '2024-05-01 10:11:12.12', '2024-05-01 10:11:12.123', '2024-05-01T10:11:12.123', '2024-05-01 10:11:12.1234',
	'2024-05-01 10:11:12.123456', '2024-05-01 10:11:12.1234565', '2024-05-01 10:11:12.999999999', '2024-05-01 10:11:12.9999999999',
	'2024-05-01 10:11:12.', '2024-05-01 10:11:12.12a', '2024-05-01 10:11:12.5', '2024-12-31 23:59:59.9996', '9999-12-31 23:59:59.9999999',
	'2024-5-01', '2024/05/01', '2024-05-01 1:11:12', '2024-05-0a', '20a4-05-01', '2024-05-01 10:11', '2024-05-01x10:11:12',
];

describe('plain date text: same result as the general parser', () => {
	for (const zone of ['UTC', 'Asia/Shanghai']) {
		for (const [withTime, precision] of [[false, 0], [true, 0], [true, 3], [true, 6]] as const) {
			it(`${withTime ? `DATETIME(${precision})` : 'DATE'} in ${zone}`, () => {
				const dc = new DateCoercer(withTime, precision, { timeZone: zone, epochUnit: 'reject' });
				for (const text of DATES) {
					const want = { ...dc.coerce(` ${text}`) };
					const got = { ...dc.coerce(text) };
					if (!want.ok) want.value = got.value; // value is stale when not ok
					assert.deepEqual(got, want, text);
				}
			});
		}
	}
});

/** A text's code units as the packed rows' fast path reads them (bytes when it is ASCII). */
function unitsOf(text: string): Uint8Array | Uint16Array {
	return new LineSink(text).inputUnits;
}

describe('isStoredDateForm: only text the date coercer keeps as it is', () => {
	it('refuses 0000-02-29, which Doris refuses (year 0 is no leap year in its calendar)', () => {
		assert.equal(isStoredDateForm(unitsOf('0000-02-29'), 0, 10, false, -1), false);
		assert.equal(isStoredDateForm(unitsOf('0000-02-29 10:11:12'), 0, 19, true, 0), false);
		assert.equal(isStoredDateForm(unitsOf('0400-02-29'), 0, 10, false, -1), true);
	});
	const more = ['2024-05-01 10:11:12.000', '2024-05-01 10:11:12.000000', '1900-02-29', '2000-02-29', '0000-02-29', '0000-02-28', '0000-02-29 10:11:12', '0400-02-29', '2024-05-01 10:11:12 ', 'x2024-05-01', '2024-05-01 -1:11:12', '2024-05-01 10:11:1x', '+024-05-01', '２０２４-05-01', '2024-05-01 10:11:12.00０', '2024-0５-01'];
	for (const zone of ['UTC', 'Asia/Shanghai']) {
		for (const [withTime, precision] of [[false, 0], [true, 0], [true, 3], [true, 6]] as const) {
			it(`${withTime ? `DATETIME(${precision})` : 'DATE'} in ${zone}`, () => {
				const dc = new DateCoercer(withTime, precision, { timeZone: zone, epochUnit: 'reject' });
				let stored = 0;
				for (const text of [...DATES, ...more]) {
					// Read where it stands in a longer text, as in a packed line.
					const line = `{"v":"${text}"}`;
					const inPlace = isStoredDateForm(unitsOf(line), 6, 6 + text.length, withTime, precision);
					const r = dc.coerce(text);
					assert.equal(inPlace, r.ok && r.value === text, text);
					if (inPlace) stored++;
				}
				assert.ok(stored >= 2, 'some texts are in the stored form');
			});
		}
	}
});

const DECIMALS: unknown[] = [
	'0', '-0', '0.5', '-0.5', '0.00', '-0.00', '5.', '-5.', '.5', '5', '-5', '62707.39', '62707.3', '62707.399', '62707.395', '007.1', '00',
	'1234567890', '12345678901', '9999999999.99', '-9999999999.99', '99999999999', ' 1.5', '1.5 ', '1e3', '1.5e-1', '+1.5', 'abc', '', '-', '1.2.3',
	0, -0, 1, -1, 0.5, 62707.39, 1234.5, 0.1 + 0.2, 1e21, 1e-7, 9999999999.99, 10000000000, 2 ** 53, 2 ** 53 + 2, NaN, Infinity, true, null,
];

describe('plain decimals: same result as coerceDecimal', () => {
	for (const [precision, scale] of [[12, 2], [10, 0], [5, 5], [38, 9]]) {
		it(`DECIMAL(${precision}, ${scale})`, () => {
			const handler = compileType(parseDorisType(`DECIMAL(${precision}, ${scale})`), makeCompileContext({ timeZone: 'UTC', epochUnit: 'reject' }));
			for (const v of DECIMALS) {
				if (v === null) continue; // the row mapper never hands null to a handler
				const slot: NumberResult<DecimalFailure> = { ok: false, value: 0, failure: 'type' };
				const r = coerceDecimal(v, precision, scale, slot);
				const fail: FailSlot = { rule: 'type', detail: '', path: '' };
				const out = handler.coerce(v, fail);
				if (r.ok) assert.equal(out, r.value, `${String(v)}`);
				else {
					assert.equal(out, INVALID, `${String(v)} should be refused`);
					// Digits past the scale are reported under the rule 'precision' too.
					assert.equal(fail.rule, r.failure === 'scale' ? 'precision' : r.failure, `${String(v)}`);
				}
			}
		});
	}
});
