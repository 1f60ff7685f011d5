// One message for a node with Execute Once on a path the rows take, said by the Kafka trigger at
// activation and by a Doris node when it runs (src/common/execute-once.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EXECUTE_ONCE_FIX, executeOnceMessage } from '../../../src/common/execute-once';

describe('executeOnceMessage', () => {
	it('names the node and the setting, what n8n does with it, and what would become of the rows', () => {
		assert.equal(
			executeOnceMessage('Doris Schema'),
			'Node "Doris Schema" has the setting Execute Once on: n8n hands it the first item of each execution only and drops the others, so their rows would be lost while the trigger commits their offsets',
		);
		assert.match(EXECUTE_ONCE_FIX, /^Turn Execute Once off \(node Settings\)/);
	});
});
