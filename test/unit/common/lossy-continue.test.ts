// One message for a Doris Stream Load node that continues on error with nowhere to put the rows it
// cannot load, said by the Kafka trigger at activation and by the node when it runs
// (src/common/lossy-continue.ts): the node, its setting as the editor shows it, and the consequence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LOSSY_CONTINUE_FIX, lossyContinueMessage } from '../../../src/common/lossy-continue';

describe('lossyContinueMessage', () => {
	it('names each node and its setting, then what would become of the rows', () => {
		assert.equal(
			lossyContinueMessage([{ name: 'Load', onError: 'continueRegularOutput' }]),
			'Doris Stream Load node "Load": On Error is "Continue (regular output)" but its Rejected output leads nowhere; the regular output is Loaded, which holds loaded rows only, so rows it cannot load would be lost while the trigger commits their offsets',
		);
		assert.equal(
			lossyContinueMessage([
				{ name: 'A', onError: 'continueErrorOutput' },
				{ name: 'B', continueOnFail: true },
			]),
			'Doris Stream Load node "A": On Error is "Continue (using error output)" but neither its error output nor its Rejected output leads anywhere; Doris Stream Load node "B": Continue On Fail is on (run as On Error "Continue (regular output)") but its Rejected output leads nowhere; the regular output is Loaded, which holds loaded rows only, so rows it cannot load would be lost while the trigger commits their offsets',
		);
	});
	it('says what to do: wire Rejected, use the error output, or stop', () => {
		assert.match(LOSSY_CONTINUE_FIX, /Connect the Rejected output .*"Continue \(using error output\)" and connect the error output.*"Stop Workflow"/);
	});
});
