import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { JsonValue } from '../../../src/common/exact-json';
import { connectSchemaOfAvro } from '../../../src/kafka/avro-connect-schema';

/** The Connect type of each field of a record schema: `type`, `type name`, or `-` when it has none. */
function fieldTypes(schema: unknown): Record<string, string> {
	const connect = connectSchemaOfAvro(schema as JsonValue);
	assert.ok(connect !== undefined);
	const out: Record<string, string> = {};
	for (const field of connect.fields as Array<Record<string, unknown>>) {
		const params = field.parameters === undefined ? '' : ` ${JSON.stringify(field.parameters)}`;
		out[String(field.field)] = `${String(field.type ?? '-')}${field.name === undefined ? '' : ` ${String(field.name)}`}${params}${field.optional === true ? ' optional' : ''}`;
	}
	return out;
}

describe('the Connect schema of an Avro writer schema (Create Missing Tables column types)', () => {
	it('primitives, int8 / int16 by connect.type, unions of null and one type optional, several types untyped', () => {
		const schema = {
			type: 'record',
			name: 'Row',
			fields: [
				{ name: 'i', type: 'int' },
				{ name: 'l', type: 'long' },
				{ name: 'f', type: 'float' },
				{ name: 'd', type: ['null', 'double'] },
				{ name: 'b', type: 'boolean' },
				{ name: 's', type: { type: 'string' } },
				{ name: 'y', type: 'bytes' },
				{ name: 'tiny', type: { type: 'int', 'connect.type': 'int8' } },
				{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } },
				{ name: 'x', type: { type: 'fixed', name: 'X', size: 4 } },
				{ name: 'a', type: { type: 'array', items: 'long' } },
				{ name: 'm', type: { type: 'map', values: 'string' } },
				{ name: 'u', type: ['null', 'string', 'long'] },
			],
		};
		assert.deepEqual(fieldTypes(schema), {
			i: 'int32',
			l: 'int64',
			f: 'float32',
			d: 'float64 optional',
			b: 'boolean',
			s: 'string',
			y: 'bytes',
			tiny: 'int8',
			e: 'string',
			x: 'bytes',
			a: 'array',
			m: 'map',
			u: '- optional',
		});
	});

	it("Avro logical types by the Connect names of their Doris types; connect.name / connect.parameters win; invalid attributes are the underlying type", () => {
		const schema = {
			type: 'record',
			name: 'Row',
			fields: [
				{ name: 'dec', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
				{ name: 'badDec', type: { type: 'bytes', logicalType: 'decimal', scale: 2 } },
				{ name: 'day', type: { type: 'int', logicalType: 'date' } },
				{ name: 'ms', type: { type: 'long', logicalType: 'timestamp-millis' } },
				{ name: 'us', type: { type: 'long', logicalType: 'local-timestamp-micros' } },
				{ name: 'id', type: { type: 'string', logicalType: 'uuid' } },
				{ name: 'wrongDate', type: { type: 'long', logicalType: 'date' } },
				{ name: 'zoned', type: { type: 'string', 'connect.name': 'io.debezium.time.ZonedTimestamp', 'connect.version': 1 } },
				{ name: 'len', type: { type: 'string', 'connect.parameters': { '__debezium.source.column.length': '20' } } },
				{ name: 'cdec', type: { type: 'bytes', logicalType: 'decimal', precision: 64, scale: 4, 'connect.name': 'org.apache.kafka.connect.data.Decimal', 'connect.parameters': { scale: '4', 'connect.decimal.precision': '20' } } },
			],
		};
		assert.deepEqual(fieldTypes(schema), {
			dec: 'bytes org.apache.kafka.connect.data.Decimal {"scale":"2","connect.decimal.precision":"10"}',
			badDec: 'bytes',
			day: 'int32 org.apache.kafka.connect.data.Date',
			ms: 'int64 org.apache.kafka.connect.data.Timestamp',
			us: 'int64 io.debezium.time.MicroTimestamp',
			id: 'string io.debezium.data.Uuid',
			wrongDate: 'int64',
			zoned: 'string io.debezium.time.ZonedTimestamp',
			len: 'string {"__debezium.source.column.length":"20"}',
			cdec: 'bytes org.apache.kafka.connect.data.Decimal {"scale":"4","connect.decimal.precision":"20"}',
		});
	});

	it("named types by full name (Debezium's after names before's record), recursion as a struct without fields, no record: undefined", () => {
		const value = { type: 'record', name: 'Value', namespace: 'db.t', fields: [{ name: 'id', type: 'long' }] };
		const envelope = { type: 'record', name: 'Envelope', namespace: 'db.t', fields: [{ name: 'before', type: ['null', value] }, { name: 'after', type: ['null', 'Value'] }] };
		const connect = connectSchemaOfAvro(envelope as JsonValue);
		const [before, after] = connect?.fields as Array<Record<string, unknown>>;
		assert.deepEqual(after.fields, [{ type: 'int64', field: 'id' }]);
		assert.deepEqual(after, { ...before, field: 'after' });
		const node = { type: 'record', name: 'Node', fields: [{ name: 'v', type: 'long' }, { name: 'next', type: ['null', 'Node'] }] };
		assert.deepEqual(fieldTypes(node), { v: 'int64', next: 'struct Node optional' });
		assert.equal(connectSchemaOfAvro('long'), undefined);
		assert.equal(connectSchemaOfAvro(['null', 'string']), undefined);
	});
});
