/**
 * An execution n8n never reports the end of (queue mode: a completion event Bull missed) is named in
 * a warning while the trigger waits for it, instead of a silent wait of its whole Execution Timeout.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';

import { unfinishedExecutionWarning, unfinishedWarningEvery, warnWhileUnfinished } from '../../../src/kafka/unfinished-watch';
import { emitterWorld, fetchOf } from './emitter-support';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

describe('an execution n8n has not reported the end of', () => {
	beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'] }));
	afterEach(() => mock.timers.reset());

	it('is named in a warning every few minutes while the trigger waits (before: nothing until the Execution Timeout)', async () => {
		const { emitter, state, executions, warnings } = emitterWorld();
		await emitter.emit(state, fetchOf('0', range(0, 5)));
		assert.equal(executions.length, 1);
		mock.timers.tick(299_000);
		assert.deepEqual(warnings, []);
		mock.timers.tick(1_000);
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /execution of t\[0\] offsets 0 to 4 has not finished after 300 s: n8n has not reported its end \(it may still be running.*\), and the trigger's Execution Timeout is 0/);
		mock.timers.tick(300_000);
		assert.equal(warnings.length, 2);
		assert.match(warnings[1], /after 600 s/);
	});

	it('stops warning once the run settles', async () => {
		let finish: (value: string) => void = () => {};
		const warned: number[] = [];
		const run = warnWhileUnfinished(new Promise<string>((resolve) => (finish = resolve)), 60_000, (waited) => warned.push(waited));
		mock.timers.tick(60_000);
		finish('done');
		assert.equal(await run, 'done');
		mock.timers.tick(600_000);
		assert.deepEqual(warned, [60_000]);
	});

	it('warns every tenth of the Execution Timeout, at least a minute apart, and says when it is given up', () => {
		assert.equal(unfinishedWarningEvery(3_600_000), 360_000);
		assert.equal(unfinishedWarningEvery(120_000), 60_000);
		assert.equal(unfinishedWarningEvery(0), 300_000);
		assert.match(unfinishedExecutionWarning({ topic: 'orders', partition: 2, firstOffset: '10', lastOffset: '19' }, 360_000, 3_600_000), /offsets 10 to 19 .* given up 3240 s from now/);
	});
});
