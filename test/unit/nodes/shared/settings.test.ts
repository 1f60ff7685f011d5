// How every node reads its parameters (nodes/shared/settings.ts): unset means the description's
// default, a misspelt name is a programming error, and a converter's refusal reaches n8n as a
// NodeOperationError on the node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeOperationError, type INode, type INodeProperties } from 'n8n-workflow';

import { SettingError } from '../../../../src/common/settings';
import { nodeParameters, readNodeSettings } from '../../../../nodes/shared/settings';
import { properties as streamLoadProperties } from '../../../../nodes/DorisStreamLoad/description';
import { LOAD_DEFAULTS } from '../../../../src/batch/load-defaults';

const properties: INodeProperties[] = [
	{ displayName: 'Table', name: 'table', type: 'string', default: 'orders' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		default: {},
		options: [{ displayName: 'Retries', name: 'retries', type: 'number', default: 5 }],
	},
];

const reader = (stored: Record<string, unknown>) => nodeParameters(properties, (name, fallback) => (name in stored ? stored[name] : fallback));

describe('nodeParameters', () => {
	it('an unset parameter or option takes the description default; a stored one wins', () => {
		assert.equal(reader({}).param('table'), 'orders');
		assert.equal(reader({ table: 'x' }).param('table'), 'x');
		assert.equal(reader({}).option('retries'), 5);
		assert.equal(reader({ options: { retries: null } }).option('retries'), 5);
		assert.equal(reader({ options: { retries: 2 } }).option('retries'), 2);
		assert.equal(reader({ options: { retries: 2 } }).optionDefault('retries'), 5);
		assert.equal(reader({}).option('legacyFlag', false), false);
	});

	it('a name the description does not declare throws instead of reading as unset forever', () => {
		assert.throws(() => reader({}).param('tabel'), /declares no parameter "tabel"/);
		assert.throws(() => reader({}).option('retry'), /declares no parameter "retry"/);
	});

	it('the Stream Load description shows the defaults src/ exports', () => {
		const p = nodeParameters(streamLoadProperties, (_name, fallback) => fallback);
		assert.equal(p.param('batchRows'), LOAD_DEFAULTS.maxRows);
		assert.equal(Number(p.param('batchMb')) * 1024 * 1024, LOAD_DEFAULTS.maxBytes);
		assert.equal(p.option('timeoutSeconds'), LOAD_DEFAULTS.timeoutSeconds);
		assert.equal(p.option('labelPrefix'), LOAD_DEFAULTS.labelPrefix);
	});
});

describe('readNodeSettings', () => {
	it('a converter refusal becomes a NodeOperationError on the node, message unchanged', () => {
		const node = { name: 'Doris Stream Load' } as INode;
		assert.throws(
			() =>
				readNodeSettings(node, () => {
					throw new SettingError('Table is empty: choose a table or type its name');
				}),
			(error: unknown) => error instanceof NodeOperationError && error.message === 'Table is empty: choose a table or type its name',
		);
		assert.equal(readNodeSettings(node, () => 42), 42);
	});
});
