import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { PartitionCommitTracker } from '../../../src/kafka/commit-tracker';

describe('PartitionCommitTracker', () => {
	it('commits only the end of the longest finished prefix when executions finish out of order', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 100n);
		const b = t.add(100n, 200n);
		const c = t.add(200n, 300n);
		assert.deepEqual(t.succeed(c), { kind: 'done' });
		assert.deepEqual(t.succeed(b), { kind: 'done' });
		assert.equal(t.committableOffset, undefined);
		assert.deepEqual(t.succeed(a), { kind: 'done', commitTo: 300n });
		assert.equal(t.committableOffset, 300n);
	});

	it('a failure holds commits at its first offset and supersedes everything after it', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 10n);
		const b = t.add(10n, 20n);
		const c = t.add(20n, 30n);
		assert.deepEqual(t.succeed(a), { kind: 'done', commitTo: 10n });
		assert.deepEqual(t.fail(b), { kind: 'failed', redeliverFrom: 10n, superseded: 1 });
		assert.deepEqual(t.succeed(c), { kind: 'ignored' }, 'a superseded success must not commit');
		assert.equal(t.committableOffset, 10n);
		assert.equal(t.failedAt, 10n);
		assert.throws(() => t.add(30n, 40n), /awaits redelivery/);
		assert.equal(t.takeFailed()?.first, 10n);
		const again = t.add(10n, 30n);
		assert.deepEqual(t.succeed(again), { kind: 'done', commitTo: 30n });
	});

	it('an earlier failure during a pending redelivery moves the redelivery point back', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 10n);
		const b = t.add(10n, 20n);
		t.fail(b);
		assert.deepEqual(t.fail(a), { kind: 'failed', redeliverFrom: 0n, superseded: 1 });
		assert.equal(t.failedAt, 0n);
		assert.equal(t.committableOffset, undefined);
	});

	it('after a rewind, refuses an execution that does not start where the partition was rewound', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 10n);
		t.fail(a);
		t.takeFailed();
		// Fetched before the rewind (a parse that awaited the registry while the redelivery sought back).
		assert.throws(() => t.add(10n, 20n), /does not start at offset 0, where the partition was rewound/);
		assert.equal(t.committableOffset, undefined);
		const again = t.add(0n, 10n);
		t.add(10n, 20n); // after the redelivery's first execution, the usual rules
		assert.deepEqual(t.succeed(again), { kind: 'done', commitTo: 10n });
	});

	it('rewoundTo is the rewound position until the redelivery\'s first execution is added', () => {
		const t = new PartitionCommitTracker();
		t.fail(t.add(100n, 110n));
		assert.equal(t.rewoundTo, undefined, 'not before the rewind itself');
		t.takeFailed();
		assert.equal(t.rewoundTo, 100n);
		t.add(100n, 110n);
		assert.equal(t.rewoundTo, undefined);
	});

	it('after a rewind, accepts a later first offset when its fetch started at the rewound position (records gone)', () => {
		const t = new PartitionCommitTracker();
		t.fail(t.add(100n, 110n));
		t.takeFailed();
		assert.throws(() => t.add(105n, 110n, 104n), /rewound/);
		const compacted = t.add(105n, 110n, 100n);
		assert.deepEqual(t.succeed(compacted), { kind: 'done', commitTo: 110n });
	});

	it('reset forgets every offset: outcomes of earlier executions are ignored, lower offsets are accepted', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(1000n, 1010n);
		const b = t.add(1010n, 1020n);
		t.succeed(a);
		t.reset();
		assert.equal(t.nextOffset, undefined);
		assert.equal(t.committableOffset, undefined);
		assert.deepEqual(t.succeed(b), { kind: 'ignored' });
		assert.deepEqual(t.fail(b), { kind: 'ignored' });
		const fresh = t.add(0n, 10n);
		assert.deepEqual(t.succeed(fresh), { kind: 'done', commitTo: 10n });
	});

	it('keeps gaps between executions (compaction, control records) and refuses overlaps', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(5n, 10n);
		const b = t.add(15n, 20n);
		t.succeed(b);
		assert.deepEqual(t.succeed(a), { kind: 'done', commitTo: 20n });
		assert.throws(() => t.add(19n, 25n), /overlaps/);
	});

	it('property: the committable offset never passes an execution that did not succeed', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({ size: fc.integer({ min: 1, max: 5 }), ok: fc.boolean() }), { minLength: 1, maxLength: 30 }),
				fc.func(fc.integer()),
				(specs, order) => {
					const t = new PartitionCommitTracker();
					let offset = 0n;
					const entries = specs.map((spec) => {
						const entry = t.add(offset, offset + BigInt(spec.size));
						offset += BigInt(spec.size);
						return { entry, ok: spec.ok };
					});
					const shuffled = [...entries].sort((x, y) => order(Number(x.entry.first)) - order(Number(y.entry.first)));
					for (const { entry, ok } of shuffled) {
						if (ok) t.succeed(entry);
						else t.fail(entry);
					}
					const firstBad = entries.find(({ ok }) => !ok);
					const limit = firstBad ? firstBad.entry.first : offset;
					const committed = t.committableOffset ?? 0n;
					assert.ok(committed <= limit, `committed ${committed} passed ${limit}`);
					// Everything before the first failure succeeded, so the commit reaches exactly it.
					assert.equal(committed, limit);
				},
			),
		);
	});
});
