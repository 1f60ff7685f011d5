// The trigger's Output option as the node reads it (the packing itself: packed-lines.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { INode, INodeProperties } from 'n8n-workflow';

import { properties } from '../../../../nodes/KafkaTrigger/description';
import { readTriggerSettings } from '../../../../nodes/KafkaTrigger/settings';

const node = { name: 'Kafka Trigger', type: 'n8n-nodes-doris-sinker.kafkaTrigger' } as INode;

function context(params: Record<string, unknown>) {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getNode: () => node,
		getMode: () => 'trigger',
		getWorkflow: () => ({ id: 'wf1', name: 'w', active: true }),
	} as unknown as Parameters<typeof readTriggerSettings>[0];
}

const base = { topics: 'a', groupId: 'g', format: 'json' };

describe('Kafka trigger: Output option', () => {
	it('is a top-level option, One Item per Message by default', () => {
		const output = properties.find((p: INodeProperties) => p.name === 'output');
		assert.ok(output);
		assert.equal(output.default, 'message');
		assert.deepEqual(
			output.options?.map((o) => ('value' in o ? [o.name, o.value] : [])),
			[
				['One Item per Batch (Fastest)', 'batch'],
				['One Item per Message', 'message'],
			],
		);
	});

	it('reaches the parser; a workflow saved before the option existed keeps one item per message', () => {
		assert.equal(readTriggerSettings(context({ ...base, output: 'batch' })).consumer.parser.output, 'batch');
		assert.equal(readTriggerSettings(context({ ...base, output: 'message' })).consumer.parser.output, 'message');
		assert.equal(readTriggerSettings(context(base)).consumer.parser.output, 'message');
	});

	it('an unknown value fails activation naming the field and the value', () => {
		assert.throws(() => readTriggerSettings(context({ ...base, output: 'lines' })), /Output "lines" is not one of/);
	});
});
