/**
 * A Protobuf value written with another schema than the one its wire header's schema id names (a
 * producer that embeds a stale schema id, a registry holding another schema under that id): fields on
 * the wire the id's schema does not declare. protobufjs skips them, so the row loaded without their
 * values and nothing said so; the decoder refuses such a value, so it goes to the invalid output with
 * its reason, as a value that does not decode. A local server stands in for the registry.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';

import protobuf from 'protobufjs';

import { createSchemaRegistryDecoder } from '../../../src/kafka/schema-registry';

/** What the registry holds under id 7: the schema the producer used before it added fields. */
const REGISTERED = [
	'syntax = "proto3";',
	'package shop;',
	'import "google/protobuf/timestamp.proto";',
	'import "google/protobuf/any.proto";',
	'message Order {',
	'  int64 id = 1;',
	'  string item = 2;',
	'  Address ship_to = 3;',
	'  google.protobuf.Timestamp at = 4;',
	'  google.protobuf.Any extra = 5;',
	'  message Address { string city = 1; }',
	'}',
	'message Note { string text = 1; }',
].join('\n');

/** What the producer writes with: a field more at the top, one more in Address, one more in Note. */
const WRITTEN = [
	'syntax = "proto3";',
	'package shop;',
	'message Order {',
	'  int64 id = 1;',
	'  string item = 2;',
	'  Address ship_to = 3;',
	'  Stamp at = 4;',
	'  Any extra = 5;',
	'  string coupon = 9;',
	'  message Address { string city = 1; string zip = 2; }',
	'}',
	'message Note { string text = 1; int32 stars = 2; }',
	// The Timestamp and Any of the registered schema, with their field numbers.
	'message Stamp { int64 seconds = 1; int32 nanos = 2; }',
	'message Any { string type_url = 1; bytes value = 2; }',
].join('\n');

const written = protobuf.parse(WRITTEN).root;

/** Magic byte, schema id 7, message indexes [0] (one 0 byte), then `value` encoded as the producer's `type`. */
function wire(typeName: string, value: Record<string, unknown>): Buffer {
	const type = written.lookupType(typeName);
	return Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 0]), type.encode(type.fromObject(value)).finish()]);
}

let server: Server;
let url: string;

before(async () => {
	server = createServer((request, response) => {
		if (request.url === '/schemas/ids/7') {
			response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify({ schema: REGISTERED, schemaType: 'PROTOBUF' }));
			return;
		}
		response.writeHead(404, { 'content-type': 'application/json' }).end('{"error_code":40403,"message":"Schema not found"}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Schema Registry decoder: Protobuf fields the schema id\'s schema does not declare', () => {
	it('a field the message type does not declare is refused, naming the schema id, the message type, the field number and its wire type', async () => {
		const decoder = createSchemaRegistryDecoder({ url });
		await assert.rejects(decoder.decode(wire('shop.Order', { id: 1, item: 'tea', coupon: 'SAVE10' })), (error: Error) => {
			assert.equal(error.name, 'UnknownProtobufFieldsError');
			assert.match(error.message, /^schema id 7, message type shop\.Order: the value has field 9 \(wire type 2, length-delimited\), which the schema does not declare/);
			assert.match(error.message, /no silent loss/);
			return true;
		});
	});

	it('a field a nested message type does not declare is refused, naming where it is', async () => {
		const decoder = createSchemaRegistryDecoder({ url });
		await assert.rejects(decoder.decode(wire('shop.Order', { id: 1, shipTo: { city: 'Lyon', zip: '69001' } })), /schema id 7, message type shop\.Order: the value has field 2 \(wire type 2, length-delimited\) in shipTo \(shop\.Order\.Address\), which the schema does not declare/);
	});

	it('a field a well-known type does not declare, and one in the message an Any packs, are refused too', async () => {
		const decoder = createSchemaRegistryDecoder({ url });
		const stamp = written.lookupType('shop.Stamp');
		// A Timestamp with a field 3: written by no Timestamp, but a value all the same.
		const withThird = Buffer.concat([stamp.encode({ seconds: 1 }).finish(), Buffer.from([0x18, 0x05])]);
		const order = written.lookupType('shop.Order');
		const outer = order.encode({ id: 1 }).finish();
		const atField = Buffer.concat([Buffer.from([0x22, withThird.length]), withThird]);
		await assert.rejects(
			decoder.decode(Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 0]), outer, atField])),
			/schema id 7, message type shop\.Order: the value has field 3 \(wire type 0, varint\) in at \(google\.protobuf\.Timestamp\), which the schema does not declare/,
		);
		const note = written.lookupType('shop.Note');
		const packed = { typeUrl: 'type.googleapis.com/shop.Note', value: note.encode({ text: 'hi', stars: 5 }).finish() };
		await assert.rejects(decoder.decode(wire('shop.Order', { id: 1, extra: packed })), /schema id 7, message type shop\.Order: the value has field 2 \(wire type 0, varint\) in extra \(the shop\.Note its google\.protobuf\.Any packs\), which the schema does not declare/);
	});

	it('a value with only the fields the schema declares decodes as before', async () => {
		const decoder = createSchemaRegistryDecoder({ url });
		const note = written.lookupType('shop.Note');
		const value = wire('shop.Order', {
			id: 1,
			item: 'tea',
			shipTo: { city: 'Lyon' },
			at: { seconds: 1, nanos: 2_000_000 },
			extra: { typeUrl: 'type.googleapis.com/shop.Note', value: note.encode({ text: 'hi' }).finish() },
		});
		assert.deepEqual(await decoder.decode(value), { id: 1, item: 'tea', shipTo: { city: 'Lyon' }, at: '1970-01-01T00:00:01.002Z', extra: { '@type': 'type.googleapis.com/shop.Note', text: 'hi' } });
	});
});
