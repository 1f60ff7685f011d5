/**
 * Kafka Connect / Debezium logical types decoded by their declared name (src/common): exact text, no
 * floating point, wall clocks kept, failures named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeConnectPayload } from '../../../src/common/connect-envelope';
import { connectLogicalDecoder, JsonText, LogicalValueError } from '../../../src/common/connect-logical';
import { parseJsonExact } from '../../../src/common/exact-json';
import { decimalText, integerFromTwosComplement, timeOfDay, wallClockFromEpoch } from '../../../src/common/logical-values';

const decode = (name: string, value: unknown, parameters?: Record<string, string>): unknown => {
	const decoder = connectLogicalDecoder(name);
	assert.ok(decoder, name);
	return decoder(value, parameters);
};

describe('Connect logical types', () => {
	it('dates are day counts, times count from midnight (MySQL TIME beyond a day and negative too)', () => {
		assert.equal(decode('io.debezium.time.Date', 19844), '2024-05-01');
		assert.equal(decode('org.apache.kafka.connect.data.Date', -354285), '1000-01-01');
		assert.equal(decode('io.debezium.time.Time', 36930250), '10:15:30.250');
		assert.equal(decode('io.debezium.time.MicroTime', -3020399000000), '-838:59:59.000000');
		assert.equal(decode('io.debezium.time.NanoTime', '86399999999999'), '23:59:59.999999999');
		assert.equal(decode('org.apache.kafka.connect.data.Time', 0), '00:00:00.000');
	});

	it('Timestamp / MicroTimestamp / NanoTimestamp / Connect Timestamp are wall clocks: no zone', () => {
		assert.equal(decode('io.debezium.time.Timestamp', 1529476623000), '2018-06-20 06:37:03.000');
		assert.equal(decode('io.debezium.time.Timestamp', -1), '1969-12-31 23:59:59.999');
		assert.equal(decode('io.debezium.time.MicroTimestamp', '253402300799999999'), '9999-12-31 23:59:59.999999');
		assert.equal(decode('io.debezium.time.MicroTimestamp', 253402300799999999n), '9999-12-31 23:59:59.999999');
		assert.equal(decode('io.debezium.time.NanoTimestamp', '1714557600123456789'), '2024-05-01 10:00:00.123456789');
		assert.equal(decode('org.apache.kafka.connect.data.Timestamp', 1714557600123), '2024-05-01 10:00:00.123');
		assert.equal(connectLogicalDecoder('io.debezium.time.ZonedTimestamp'), undefined, 'ZonedTimestamp is ISO text with its zone: kept');
	});

	// Review session 20, F8: time.precision.mode=isostring (Debezium 3.1+) was not decoded: IsoTimestamp's
	// `Z` read as an instant shifted the wall clock by the node's Time Zone; IsoTime kept its `Z`.
	it('isostring: IsoTimestamp is the wall clock as written (Z dropped, never shifted, digits kept), IsoTime and IsoDate drop the offset', () => {
		assert.equal(decode('io.debezium.time.IsoTimestamp', '2018-06-20T06:37:03Z'), '2018-06-20 06:37:03');
		assert.equal(decode('io.debezium.time.IsoTimestamp', '2024-05-01T10:00:00.123456Z'), '2024-05-01 10:00:00.123456');
		assert.equal(decode('io.debezium.time.IsoTimestamp', '2024-05-01T10:00Z'), '2024-05-01 10:00:00');
		assert.equal(decode('io.debezium.time.IsoTime', '06:37:03Z'), '06:37:03');
		assert.equal(decode('io.debezium.time.IsoTime', '23:59:59.999999Z'), '23:59:59.999999');
		assert.equal(decode('io.debezium.time.IsoDate', '2018-06-20Z'), '2018-06-20');
		// Another offset is no value of these types (Debezium formats at UTC): refused, not guessed.
		assert.throws(() => decode('io.debezium.time.IsoTimestamp', '2018-06-20T06:37:03+08:00'), /is not ISO-8601 text at UTC like "2018-06-20T06:37:03Z"/);
		assert.throws(() => decode('io.debezium.time.IsoTime', 36930250), LogicalValueError);
	});

	it('Decimal: base64 two\'s complement with the scale parameter, or a JSON number (decimal.format=NUMERIC)', () => {
		const scale4 = { scale: '4', 'connect.decimal.precision': '20' };
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 'ALxhAA==', scale4), '1234.5600');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', '/1SrVnMU4PUt', scale4), '-1234567890123456.7891');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', '/w==', scale4), '-0.0001');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 'AA==', scale4), '0.0000');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', Buffer.from([0x01, 0xe2, 0x40]), { scale: '2' }), '1234.56');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1234.56, { scale: '2' }), '1234.56');
		// NUMERIC: the JSON number 1234.5600 parses as 1234.56; the Decimal is 1234.5600, as in base64.
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1234.56, scale4), '1234.5600');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 0, scale4), '0.0000');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', -0.0001, scale4), '-0.0001');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1e-7, { scale: '7' }), '0.0000001');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1.5e21, { scale: '0' }), '1500000000000000000000');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 120, { scale: '-1' }), '120');
		// Below 1E-6 Jackson writes BigDecimal.toString's E-notation; with 16+ digits exact JSON keeps
		// that text (the value was refused as 'neither base64 bytes nor a number').
		const scale25 = { scale: '25' };
		const [kept] = parseJsonExact('[1.234567890123456789E-7]') as string[];
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', kept, scale25), '0.0000001234567890123456789');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', '1.234567890123456789E-7', scale25), '0.0000001234567890123456789');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', '-1.234567890123456789E-7', scale25), '-0.0000001234567890123456789');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1e-7, { scale: '10' }), '0.0000001000');
		// A negative scale: the integer, as its base64 form gives it (1.2E+21 was the text '1.2e+21').
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1.2e21, { scale: '-20' }), '1200000000000000000000');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 'DA==', { scale: '-20' }), '1200000000000000000000');
		// An exponent no DECIMAL holds stays its text, not a billion zeros.
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', '1.5E+999999999', { scale: '0' }), '1.5E+999999999');
		// More fractional digits than the scale: no Decimal of that scale, left for the DECIMAL rules.
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', 1.005, { scale: '2' }), '1.005');
		assert.equal(decode('org.apache.kafka.connect.data.Decimal', '12345678901234567.1234', scale4), '12345678901234567.1234');
		assert.throws(() => decode('org.apache.kafka.connect.data.Decimal', 'not base64!', scale4), LogicalValueError);
		assert.throws(() => decode('org.apache.kafka.connect.data.Decimal', 'AA==', {}), /scale/);
		assert.equal(decode('io.debezium.data.VariableScaleDecimal', { scale: 5, value: 'BMsv' }), '3.14159');
		assert.equal(decode('io.debezium.data.VariableScaleDecimal', { scale: 0, value: '/5w=' }), '-100');
	});

	it('Json is declared JSON text', () => {
		const text = decode('io.debezium.data.Json', '123');
		assert.ok(text instanceof JsonText);
		assert.equal(JSON.stringify({ doc: text }), '{"doc":"123"}');
	});

	it('exact helpers', () => {
		assert.equal(integerFromTwosComplement(Buffer.from([0xff, 0x7f])), -129n);
		assert.equal(decimalText(-5n, 3), '-0.005');
		assert.equal(decimalText(12n, -2), '1200');
		assert.equal(wallClockFromEpoch(-62167219200000n, 'millis'), '0000-01-01 00:00:00.000');
		assert.equal(wallClockFromEpoch(253402300800000n, 'millis'), '+10000-01-01 00:00:00.000');
		assert.equal(timeOfDay(1n, 'nanos'), '00:00:00.000000001');
	});
});

describe('Connect JSON envelope', () => {
	const schema = {
		type: 'struct',
		fields: [
			{ type: 'int32', optional: false, field: 'id' },
			{ type: 'int32', optional: true, name: 'io.debezium.time.Date', version: 1, field: 'd' },
			{ type: 'array', items: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' }, optional: true, field: 'ts' },
			{ type: 'map', keys: { type: 'string' }, values: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '1' } }, optional: true, field: 'm' },
		],
	};
	it('decodes along the schema, keeps other fields and nulls', () => {
		const r = decodeConnectPayload(schema, { id: 1, d: 0, ts: [0, null], m: { a: 'Bw==' }, extra: 5 });
		assert.deepEqual(r, { ok: true, value: { id: 1, d: '1970-01-01', ts: ['1970-01-01 00:00:00.000000', null], m: { a: '0.7' }, extra: 5 } });
		assert.deepEqual(decodeConnectPayload(schema, { id: 1, d: null }), { ok: true, value: { id: 1, d: null } });
	});
	it('names the field, the value and the type of a value that does not fit', () => {
		const r = decodeConnectPayload({ type: 'struct', fields: [{ type: 'struct', field: 'after', fields: schema.fields }] }, { after: { id: 1, d: 'soon' } });
		assert.equal(r.ok, false);
		if (!r.ok) {
			assert.equal(r.failure.path, 'payload.after.d');
			assert.equal(r.failure.type, 'io.debezium.time.Date');
			assert.equal(r.failure.value, 'soon');
			assert.match(r.failure.message, /payload\.after\.d: "soon" is not an integer count of days, as io\.debezium\.time\.Date requires/);
		}
	});
});
