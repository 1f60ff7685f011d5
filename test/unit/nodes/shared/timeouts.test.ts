import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { INode } from 'n8n-workflow';

import { readSettings } from '../../../../nodes/DorisStreamLoad/settings';
import { SINKER_DEFAULTS } from '../../../../src/kafka/consumer-options';

const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' } as INode;

const ctx = {
	getNode: () => node,
	getNodeParameter: ((name: string, _i: number, fallback?: unknown) => (name === 'table' ? 't' : fallback)) as never,
};

describe('the trigger and Stream Load defaults agree', () => {
	// An execution the trigger times out is redelivered while its rows may still be loading: when that
	// load commits, the redelivered rows load a second time. At the defaults it must not happen.
	it('the trigger waits longer for an execution than the Stream Load node may take to load its rows', () => {
		const load = readSettings(ctx);
		const worstCaseMs = load.batch.maxIntervalMs + load.retry.maxElapsedMs + (load.load.timeoutSeconds ?? 600) * 1000;
		assert.ok(
			SINKER_DEFAULTS.executionTimeoutMs > worstCaseMs,
			`execution timeout ${SINKER_DEFAULTS.executionTimeoutMs} ms <= batch interval + retry budget + one load timeout ${worstCaseMs} ms`,
		);
	});
});
