import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';

import { withoutCustomOptionValues } from '../../../src/kafka/protobuf-schema-text';

// As Confluent's schema printer writes a Kafka Connect INT16 column and a decimal (ProtobufConverter).
const CONNECT = [
	'syntax = "proto3";',
	'package x;',
	'import "confluent/meta.proto";',
	'message Row {',
	'  int32 small = 1 [(confluent.field_meta) = {',
	'    params: [',
	'      {',
	'        key: "connect.type",',
	'        value: "int16"',
	'      }',
	'    ]',
	'  }];',
	'  bytes amount = 2 [(confluent.field_meta) = { params: [ { key: "precision", value: "10" }, { key: "scale", value: "2" } ] }, deprecated = true];',
	'  string bad = 3;',
	'}',
].join('\n');

describe('Protobuf schema text for protobufjs', () => {
	it('a list of messages in a custom option is what protobufjs 7 cannot parse; without the option values it parses, fields and line numbers kept', () => {
		assert.throws(() => protobuf.parse(CONNECT), /illegal value '\{' \(line 7\)/);
		const text = withoutCustomOptionValues(CONNECT);
		assert.equal(text.split('\n').length, CONNECT.split('\n').length);
		assert.match(text, /int32 small = 1 \[\(confluent\.field_meta\) = true\n{7}\];/);
		assert.match(text, /bytes amount = 2 \[\(confluent\.field_meta\) = true, deprecated = true\];/);
		const row = protobuf.parse(text).root.lookupType('x.Row');
		assert.deepEqual(row.fieldsArray.map((f) => [f.name, f.type, f.id]), [['small', 'int32', 1], ['amount', 'bytes', 2], ['bad', 'string', 3]]);
		assert.equal(row.fields.amount.options?.deprecated, true);
		// An error after the options still names the registry's line.
		assert.throws(() => protobuf.parse(withoutCustomOptionValues(CONNECT.replace('string bad = 3;', 'string bad = ;'))), /line 14/);
	});

	it('message and file options, a sub-field option, braces in strings and comments', () => {
		const text = [
			'syntax = "proto3";',
			'option (file.meta) = { tags: ["a", "b"] };',
			'message M {',
			'  option (confluent.message_meta) = { rules: [{ name: "r", expr: "this.v > 0 && \\"}\\" != \'{\'" }] };',
			'  // a comment (with) = { braces',
			'  /* (another) = { */ string v = 1 [(validate.rules).string = { min_len: 1, pattern: "^[{}]+$" }];',
			'  string w = 2 [json_name = "dub", (n) = "plain"];',
			'}',
		].join('\n');
		const out = withoutCustomOptionValues(text);
		assert.equal(
			out,
			[
				'syntax = "proto3";',
				'option (file.meta) = true;',
				'message M {',
				'  option (confluent.message_meta) = true;',
				'  // a comment (with) = { braces',
				'  /* (another) = { */ string v = 1 [(validate.rules).string = true];',
				'  string w = 2 [json_name = "dub", (n) = "plain"];',
				'}',
			].join('\n'),
		);
		assert.deepEqual(protobuf.parse(out).root.lookupType('M').fieldsArray.map((f) => f.name), ['v', 'w']);
	});

	it('text without custom aggregate options, or with one that never closes, is returned as it is', () => {
		const plain = 'syntax = "proto3"; message M { map<string, int32> m = 1; oneof k { string a = 2; } }';
		assert.equal(withoutCustomOptionValues(plain), plain);
		const unclosed = 'message M { string v = 1 [(x) = { a: { b: 1 ]; }';
		assert.equal(withoutCustomOptionValues(unclosed), unclosed);
	});
});
