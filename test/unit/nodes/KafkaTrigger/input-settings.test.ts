// The trigger's settings for delimited text and Add Kafka Fields: read once, checked, named when wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { INode } from 'n8n-workflow';

import { readTriggerSettings } from '../../../../nodes/KafkaTrigger/settings';

const node = { name: 'Kafka Trigger', type: 'n8n-nodes-doris-sinker.kafkaTrigger', typeVersion: 1.1 } as INode;

function settings(params: Record<string, unknown>) {
	const ctx = {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getNode: () => node,
		getMode: () => 'trigger',
		getWorkflow: () => ({ id: 'wf1', name: 'w', active: true }),
	} as unknown as Parameters<typeof readTriggerSettings>[0];
	return readTriggerSettings(ctx).consumer.parser;
}

describe('Kafka trigger settings: delimited text and Add Kafka Fields', () => {
	it('Delimited Text: column names trimmed, separator in Doris notation, defaults for quote and empty fields', () => {
		const parser = settings({ topics: 't', groupId: 'g', format: 'csv', csvColumns: ' id, name ,amount', csvSeparator: '\\x01' });
		assert.equal(parser.format, 'csv');
		assert.deepEqual(parser.delimited, { columns: ['id', 'name', 'amount'], separator: '\u0001', quote: '"', emptyAsNull: false });
		assert.throws(() => settings({ topics: 't', groupId: 'g', format: 'csv', csvColumns: '' }), /Column Names is empty/);
		assert.throws(() => settings({ topics: 't', groupId: 'g', format: 'csv', csvColumns: 'a,b', csvSeparator: '' }), /Separator is empty/);
	});

	it('Add Kafka Fields: a name every message has (a CSV Column Name, Text\'s value field) is refused at activation, naming both', () => {
		const fields = (name: string) => ({ kafkaFields: { field: [{ source: 'offset', name }] } });
		assert.throws(() => settings({ topics: 't', groupId: 'g', format: 'csv', csvColumns: 'id, src_offset', options: fields('src_offset') }), /Add Kafka Fields, entry 1: field "src_offset" is also a CSV Column Name/);
		assert.throws(() => settings({ topics: 't', groupId: 'g', format: 'text', options: fields('value') }), /field "value" is the field Message Format Text puts the message in/);
		settings({ topics: 't', groupId: 'g', format: 'csv', csvColumns: 'id, amount', options: fields('src_offset') });
	});

	it('Add Kafka Fields: entries read from the fixed collection, bad ones named', () => {
		const options = { kafkaFields: { field: [{ source: 'key', name: ' event_key ' }, { source: 'header', header: 'tenant-id', name: 'tenant' }] } };
		const parser = settings({ topics: 't', groupId: 'g', format: 'json', options });
		assert.deepEqual(parser.kafkaFields, [
			{ source: 'key', header: '', name: 'event_key' },
			{ source: 'header', header: 'tenant-id', name: 'tenant' },
		]);
		assert.deepEqual(settings({ topics: 't', groupId: 'g', format: 'json' }).kafkaFields, []);
		assert.throws(() => settings({ topics: 't', groupId: 'g', format: 'json', options: { kafkaFields: { field: [{ source: 'header', name: 'x' }] } } }), /entry 1: the header name is empty/);
	});
});
