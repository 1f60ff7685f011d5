// n8n settings read as n8n reads them (@n8n/config readEnv): the variable, else its _FILE (review session
// 19, L1: EXECUTIONS_TIMEOUT_FILE was ignored by the timeout check).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { n8nEnv } from '../../../../nodes/shared/n8n-env';

describe("n8n's settings for the activation checks", () => {
	it('the variable, else the file its _FILE names (trimmed), quotes taken off; an unreadable file is unset', () => {
		const file = join(mkdtempSync(join(tmpdir(), 'n8n-env-')), 'timeout');
		writeFileSync(file, ' 30\n');
		assert.deepEqual(n8nEnv(['EXECUTIONS_TIMEOUT'], { EXECUTIONS_TIMEOUT_FILE: file }), { EXECUTIONS_TIMEOUT: '30' });
		assert.deepEqual(n8nEnv(['EXECUTIONS_TIMEOUT'], { EXECUTIONS_TIMEOUT: '"45"', EXECUTIONS_TIMEOUT_FILE: file }), { EXECUTIONS_TIMEOUT: '45' });
		assert.deepEqual(n8nEnv(['EXECUTIONS_TIMEOUT'], { EXECUTIONS_TIMEOUT_FILE: join(file, 'missing') }), { EXECUTIONS_TIMEOUT: undefined });
	});
});
