// n8n's concurrency limit in front of the trigger's executions (src/common/n8n-queues.ts; review session
// 19, F6): said at activation when it is below Executions in Flight; nothing was said before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { concurrencyLimitWarning } from '../../../src/common/n8n-queues';

describe("n8n's production concurrency limit against Executions in Flight", () => {
	it('below it: a warning naming both, and the Keep Order consequence when on', () => {
		const warning = concurrencyLimitWarning({ N8N_CONCURRENCY_PRODUCTION_LIMIT: '5' }, 10, true);
		assert.match(String(warning), /at most 5 production execution\(s\) at once \(N8N_CONCURRENCY_PRODUCTION_LIMIT.*up to 10 in flight/);
		assert.match(String(warning), /Keep Order per Partition/);
		assert.doesNotMatch(String(concurrencyLimitWarning({ N8N_CONCURRENCY_PRODUCTION_LIMIT: '5' }, 10, false)), /Keep Order/);
	});

	it('nothing when unlimited (-1, the default), at or above it, or in queue mode (where n8n does not apply it)', () => {
		assert.equal(concurrencyLimitWarning({}, 10, false), undefined);
		assert.equal(concurrencyLimitWarning({ N8N_CONCURRENCY_PRODUCTION_LIMIT: '-1' }, 10, false), undefined);
		assert.equal(concurrencyLimitWarning({ N8N_CONCURRENCY_PRODUCTION_LIMIT: '10' }, 10, false), undefined);
		assert.equal(concurrencyLimitWarning({ N8N_CONCURRENCY_PRODUCTION_LIMIT: '5', EXECUTIONS_MODE: 'queue' }, 10, false), undefined);
	});
});
