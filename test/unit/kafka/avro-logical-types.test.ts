/**
 * Avro logical types as the Schema Registry decoder reads them (avsc with this package's typeHook):
 * Avro's own and Kafka Connect's `connect.name` types, decoded from the declared type into exact text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import avro from 'avsc';

import { logicalTypeHook } from '../../../src/kafka/avro-logical-types';
import { toJsonSafe } from '../../../src/kafka/schema-registry';

function roundTrip(fields: Array<{ name: string; type: unknown }>, record: Record<string, unknown>): unknown {
	const type = avro.Type.forSchema({ type: 'record', name: 'R', namespace: 't', fields } as avro.Schema, { typeHook: logicalTypeHook as never });
	return toJsonSafe(type.fromBuffer(type.toBuffer(record)));
}

describe('Avro logical types', () => {
	it('float is the decimal Java writes for the single (10.22, as the JSON converter writes it), in unions and arrays too', () => {
		const decoded = roundTrip(
			[
				{ name: 'f', type: 'float' },
				{ name: 'optional', type: ['null', 'float'] },
				{ name: 'both', type: ['null', 'float', 'double'] },
				{ name: 'list', type: { type: 'array', items: 'float' } },
				{ name: 'd', type: 'double' },
			],
			{ f: 10.22, optional: 0.1, both: { float: 123456.79 }, list: [1234567.9, 1.4e-45], d: 10.220000267028809 },
		);
		assert.deepEqual(decoded, { f: 10.22, optional: 0.1, both: 123456.79, list: [1234567.9, 1.4e-45], d: 10.220000267028809 });
	});
	it("Avro's own: date, time, timestamps (instants) and local timestamps (wall clock), nanos beyond 2^53", () => {
		const decoded = roundTrip(
			[
				{ name: 'd', type: { type: 'int', logicalType: 'date' } },
				{ name: 'tm', type: { type: 'int', logicalType: 'time-millis' } },
				{ name: 'tu', type: { type: 'long', logicalType: 'time-micros' } },
				{ name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
				{ name: 'tsu', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
				{ name: 'tsn', type: { type: 'long', logicalType: 'timestamp-nanos' } },
				{ name: 'lts', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
				{ name: 'ltsu', type: { type: 'long', logicalType: 'local-timestamp-micros' } },
			],
			{ d: 19844, tm: 36930250, tu: 36930250123n, ts: 1714557600123n, tsu: 253402300799999999n, tsn: 1714557600123456789n, lts: -1n, ltsu: 1714557600123456n },
		);
		assert.deepEqual(decoded, {
			d: '2024-05-01',
			tm: '10:15:30.250',
			tu: '10:15:30.250123',
			ts: '2024-05-01T10:00:00.123Z',
			tsu: '9999-12-31T23:59:59.999999Z',
			tsn: '2024-05-01T10:00:00.123456789Z',
			lts: '1969-12-31 23:59:59.999',
			ltsu: '2024-05-01 10:00:00.123456',
		});
	});

	it('decimal on bytes and fixed, uuid on fixed(16), invalid attributes fall back to the underlying type', () => {
		const decoded = roundTrip(
			[
				{ name: 'a', type: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 4 } },
				{ name: 'b', type: { type: 'fixed', name: 'F', size: 8, logicalType: 'decimal', precision: 18, scale: 2 } },
				{ name: 'u', type: { type: 'fixed', name: 'U', size: 16, logicalType: 'uuid' } },
				{ name: 's', type: { type: 'string', logicalType: 'uuid' } },
				{ name: 'bad', type: { type: 'bytes', logicalType: 'decimal', scale: 2 } },
				{ name: 'n', type: 'long' },
			],
			{
				a: Buffer.from('ff54ab567314e0f52d', 'hex'),
				b: Buffer.from('fffffffffffffffe', 'hex'),
				u: Buffer.from('123e4567e89b12d3a456426614174000', 'hex'),
				s: '123e4567-e89b-12d3-a456-426614174000',
				bad: Buffer.from([1]),
				n: 2n ** 62n,
			},
		);
		assert.deepEqual(decoded, {
			a: '-1234567890123456.7891',
			b: '-0.02',
			u: '123e4567-e89b-12d3-a456-426614174000',
			s: '123e4567-e89b-12d3-a456-426614174000',
			bad: 'AQ==',
			// A plain long beyond 2^53: exact text, as the JSON path keeps it.
			n: '4611686018427387904',
		});
	});

	// Before, a duration came out as base64 of its 12 bytes ("AQAAAAIAAAC4CwAA"): meaningless text in a
	// VARCHAR column, loaded without a word.
	it('duration (fixed 12: months, days, milliseconds, little-endian) is ISO 8601 text; on another size its bytes', () => {
		const twelve = (months: number, days: number, millis: number) => {
			const b = Buffer.alloc(12);
			b.writeUInt32LE(months, 0);
			b.writeUInt32LE(days, 4);
			b.writeUInt32LE(millis, 8);
			return b;
		};
		const decoded = roundTrip(
			[
				{ name: 'a', type: { type: 'fixed', name: 'D', size: 12, logicalType: 'duration' } },
				{ name: 'b', type: ['null', 'D'] },
				{ name: 'c', type: 'D' },
				{ name: 'd', type: 'D' },
				{ name: 'bad', type: { type: 'fixed', name: 'E', size: 8, logicalType: 'duration' } },
			],
			{ a: twelve(1, 2, 3000), b: twelve(0, 0, 1), c: twelve(0, 0, 0), d: twelve(4294967295, 4294967295, 4294967295), bad: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]) },
		);
		assert.deepEqual(decoded, { a: 'P1M2DT3S', b: 'P0M0DT0.001S', c: 'P0M0DT0S', d: 'P4294967295M4294967295DT4294967.295S', bad: 'AQAAAAAAAAA=' });
	});

	it('Connect names (AvroConverter) win over logicalType: Timestamp is the wall clock; Debezium types decode', () => {
		const decoded = roundTrip(
			[
				{ name: 'ts', type: { type: 'long', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Timestamp', logicalType: 'timestamp-millis' } },
				{ name: 'd', type: { type: 'int', 'connect.version': 1, 'connect.name': 'io.debezium.time.Date' } },
				{ name: 'mt', type: ['null', { type: 'long', 'connect.version': 1, 'connect.name': 'io.debezium.time.MicroTimestamp' }] },
				{
					name: 'amount',
					type: { type: 'bytes', scale: 4, precision: 20, 'connect.version': 1, 'connect.parameters': { scale: '4', 'connect.decimal.precision': '20' }, 'connect.name': 'org.apache.kafka.connect.data.Decimal', logicalType: 'decimal' },
				},
				{
					name: 'v',
					type: {
						type: 'record',
						name: 'VariableScaleDecimal',
						namespace: 'io.debezium.data',
						fields: [
							{ name: 'scale', type: 'int' },
							{ name: 'value', type: 'bytes' },
						],
						'connect.name': 'io.debezium.data.VariableScaleDecimal',
					},
				},
				{ name: 'j', type: { type: 'string', 'connect.name': 'io.debezium.data.Json' } },
				{ name: 'js', type: { type: 'string', 'connect.name': 'io.debezium.data.Json' } },
				{ name: 'iso', type: { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.time.IsoTimestamp' } },
				{ name: 'isoTime', type: { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.time.IsoTime' } },
				{ name: 'isoDate', type: { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.time.IsoDate' } },
			],
			{ ts: 1529476623000, d: 19844, mt: 253402300799999999n, amount: Buffer.from('00bc6100', 'hex'), v: { scale: 5, value: Buffer.from('04cb2f', 'hex') }, j: '{"n": 9007199254740993}', js: '"text"', iso: '2018-06-20T06:37:03Z', isoTime: '06:37:03Z', isoDate: '2018-06-20Z' },
		);
		assert.deepEqual(decoded, {
			ts: '2018-06-20 06:37:03.000',
			d: '2024-05-01',
			mt: '9999-12-31 23:59:59.999999',
			amount: '1234.5600',
			v: '3.14159',
			j: '{"n": 9007199254740993}',
			js: 'text',
			iso: '2018-06-20 06:37:03',
			isoTime: '06:37:03',
			isoDate: '2018-06-20',
		});
	});
});
