import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { AssignmentFence, type FenceLookup } from '../../../src/kafka/assignment-fence';
import { FENCE_MARGIN_MS, MAX_FENCE_WAIT_MS, type FenceMark } from '../../../src/kafka/partition-fence';
import { PartitionState } from '../../../src/kafka/partition-state';

const OWN = { executionTimeoutMs: 60_000, heartbeatIntervalMs: 3_000 };
const NOW = Date.UTC(2026, 0, 1);

interface Log {
	level: 'info' | 'warn';
	message: string;
}

/** A fence whose lookup answers `answer` for every partition (or fails), on a clock frozen at NOW. */
function fence(t: TestContext, answer: FenceMark | Error) {
	t.mock.timers.enable({ apis: ['setTimeout'] });
	t.mock.method(Date, 'now', () => NOW);
	const logs: Log[] = [];
	const changes = { count: 0 };
	let answered: () => void = () => {};
	const lookedUp = new Promise<void>((resolve) => (answered = resolve));
	const lookup: FenceLookup = async (added) => {
		// Resolves after the fence has handled the answer (its handlers run as microtasks, before this).
		setImmediate(answered);
		if (answer instanceof Error) throw answer;
		return new Map(added.map((s) => [s, answer]));
	};
	const logger = { info: (message: string) => void logs.push({ level: 'info', message }), warn: (message: string) => void logs.push({ level: 'warn', message }) };
	const assignment = new AssignmentFence(lookup, OWN, logger, () => changes.count++);
	return { assignment, logs, changes, lookedUp };
}

describe('AssignmentFence', () => {
	it('keeps new partitions fenced while the mark is looked up, and starts them at once when the previous owner released them', async (t) => {
		const { assignment, logs, changes, lookedUp } = fence(t, { held: false });
		const state = new PartitionState('t', 0);
		assignment.onAssignment([state]);
		assert.equal(state.fencedUntil, Number.POSITIVE_INFINITY, 'fenced while the lookup runs');
		await lookedUp;
		assert.equal(state.fencedUntil, 0);
		assert.equal(changes.count, 1, 'the consumer resumes it');
		assert.deepEqual(logs, []);
	});

	it('waits for a HELD mark until its deadline + margin, takes that deadline into its own marks, and resumes when the fence ends', async (t) => {
		const until = NOW + 10_000;
		const { assignment, logs, changes, lookedUp } = fence(t, { held: true, until });
		const state = new PartitionState('t', 3);
		assignment.onAssignment([state]);
		await lookedUp;
		assert.equal(state.fencedUntil, until + FENCE_MARGIN_MS);
		assert.equal(state.heldUntil, until, 'this ownership never promises less than the previous one');
		assert.equal(logs.length, 1);
		assert.equal(logs[0].level, 'info');
		assert.match(logs[0].message, /Kafka partition t\[3\] was held .* until 2026-01-01T00:00:10\.000Z \(its last deadline\); starting it in 15 s/);
		const before = changes.count;
		t.mock.timers.tick(until + FENCE_MARGIN_MS - NOW);
		assert.equal(state.fencedUntil, 0);
		assert.equal(changes.count, before + 1, 'the end of the fence resumes it');
	});

	it('a failed lookup waits as for a HELD mark without a deadline: own Execution Timeout + margin + a heartbeat', async (t) => {
		const { assignment, logs, lookedUp } = fence(t, new Error('coordinator not available'));
		const states = [new PartitionState('t', 0), new PartitionState('u', 1)];
		assignment.onAssignment(states);
		await lookedUp;
		for (const state of states) assert.equal(state.fencedUntil, NOW + OWN.executionTimeoutMs + FENCE_MARGIN_MS + OWN.heartbeatIntervalMs);
		assert.equal(logs[0].level, 'warn');
		assert.match(logs[0].message, /could not read the previous owner's fence mark/);
		assert.equal(logs.filter((l) => /its mark has no deadline/.test(l.message)).length, 2);
	});

	it('a deadline past the longest wait (clocks apart) is capped, with a warning', async (t) => {
		const { assignment, logs, lookedUp } = fence(t, { held: true, until: NOW + 2 * MAX_FENCE_WAIT_MS });
		const state = new PartitionState('t', 0);
		assignment.onAssignment([state]);
		await lookedUp;
		assert.equal(state.fencedUntil, NOW + MAX_FENCE_WAIT_MS);
		assert.equal(logs[0].level, 'warn');
		assert.match(logs[0].message, /clocks apart\?\); starting it in 60 min/);
	});

	it('leaves a partition revoked before the answer came alone', async (t) => {
		const { assignment, logs, changes, lookedUp } = fence(t, { held: true, until: NOW + 10_000 });
		const state = new PartitionState('t', 0);
		assignment.onAssignment([state]);
		state.revoke();
		await lookedUp;
		assert.equal(state.fenceTimer, undefined);
		assert.equal(state.heldUntil, 0);
		assert.equal(changes.count, 0);
		assert.deepEqual(logs, []);
	});

	it('an assignment with no new partitions looks nothing up', () => {
		let lookups = 0;
		const assignment = new AssignmentFence(
			async () => {
				lookups++;
				return new Map();
			},
			OWN,
			{ info: () => {}, warn: () => {} },
			() => {},
		);
		assignment.onAssignment([]);
		assert.equal(lookups, 0);
	});
});
