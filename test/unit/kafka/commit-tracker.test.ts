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

	it('a failure holds commits at its first offset and is delivered again alone: a later execution keeps its success', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 10n);
		const b = t.add(10n, 20n);
		const c = t.add(20n, 30n);
		assert.deepEqual(t.succeed(a), { kind: 'done', commitTo: 10n });
		assert.deepEqual(t.succeed(c), { kind: 'done' });
		assert.deepEqual(t.fail(b), { kind: 'failed', first: 10n, end: 20n, redeliverFrom: 10n });
		assert.equal(t.committableOffset, 10n);
		assert.equal(t.failedAt, 10n);
		assert.equal(t.nextOffset, 10n);
		assert.throws(() => t.add(30n, 40n), /awaits redelivery/);
		assert.equal(t.takeFailed()?.first, 10n);
		assert.equal(t.fillLimit, 20n, 'the redelivery stops where the execution that succeeded begins');
		assert.throws(() => t.add(10n, 30n), /runs past offset 20/);
		const again = t.add(10n, 20n);
		assert.equal(t.fillLimit, undefined);
		assert.equal(t.nextOffset, 30n, 'the partition continues after the execution that succeeded, not with it');
		assert.deepEqual(t.succeed(again), { kind: 'done', commitTo: 30n });
	});

	it('a later execution still running when an earlier one fails keeps its outcome: success commits, failure is delivered again after the first', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 10n);
		const b = t.add(10n, 20n);
		const c = t.add(20n, 30n);
		const d = t.add(30n, 40n);
		t.fail(a);
		assert.deepEqual(t.fail(c), { kind: 'failed', first: 20n, end: 30n, redeliverFrom: 0n });
		t.takeFailed();
		const a2 = t.add(0n, 4n);
		assert.equal(t.nextOffset, 4n);
		const a3 = t.add(5n, 8n); // offset 4 gone (a transaction marker): the execution covers it
		assert.equal(a3.first, 4n);
		const a4 = t.add(8n, 10n);
		assert.equal(t.nextOffset, 20n, 'then the next failed range, past the one still running');
		assert.deepEqual(t.succeed(b), { kind: 'done' });
		t.takeFailed(); // sought to 20
		assert.throws(() => t.add(30n, 40n), /rewound/);
		const c2 = t.add(20n, 30n);
		assert.equal(t.nextOffset, 40n);
		for (const e of [a2, a3, a4, c2]) t.succeed(e);
		assert.equal(t.committableOffset, 30n, 'not past the execution still running');
		assert.deepEqual(t.succeed(d), { kind: 'done', commitTo: 40n });
	});

	it('an earlier failure during a pending redelivery moves the redelivery point back', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 10n);
		const b = t.add(10n, 20n);
		t.fail(b);
		assert.deepEqual(t.fail(a), { kind: 'failed', first: 0n, end: 10n, redeliverFrom: 0n });
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
		assert.throws(() => t.add(15n, 25n), /overlaps/);
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

	it('after a rewind, a fetch kafkajs moved above it by itself (no reset) counts as starting there; executions still running keep their place', () => {
		const t = new PartitionCommitTracker();
		const a = t.add(0n, 5n);
		const b = t.add(10n, 15n);
		t.fail(a);
		t.takeFailed();
		t.succeed(t.add(0n, 5n));
		t.takeFailed(); // sought past B, to 15: kafkajs walked a compacted tail up to 20
		assert.throws(() => t.add(20n, 30n, 20n), /rewound/);
		t.passedAfterRewind(10n);
		assert.equal(t.rewoundTo, 15n, 'a fetch below the rewind moves nothing');
		t.passedAfterRewind(20n);
		assert.equal(t.rewoundTo, 20n);
		const c = t.add(20n, 30n, 20n);
		assert.deepEqual(t.succeed(c), { kind: 'done' }, 'B still holds the commit at 5');
		assert.equal(t.committableOffset, 5n);
		assert.equal(t.fail(b).kind, 'failed', 'B is still tracked: its failure is delivered again');
	});

	it('passedAfterRewind inside a failed range: the redelivered execution still covers the range from its start', () => {
		const t = new PartitionCommitTracker();
		t.fail(t.add(100n, 110n));
		t.takeFailed();
		t.passedAfterRewind(104n);
		const again = t.add(105n, 110n, 104n);
		assert.equal(again.first, 100n);
		assert.deepEqual(t.succeed(again), { kind: 'done', commitTo: 110n });
		t.passedAfterRewind(120n);
		assert.equal(t.rewoundTo, undefined, 'no rewind pending: nothing to move');
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

	it('property: failed ranges delivered again until they succeed, in any finishing order: every offset succeeds exactly once and the commit reaches the end', () => {
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 20 }),
				fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }),
				fc.func(fc.integer()),
				fc.integer({ min: 1, max: 4 }),
				(sizes, outcomes, order, redeliveredSize) => {
					const t = new PartitionCommitTracker();
					let running: ReturnType<typeof t.add>[] = [];
					let offset = 0n;
					for (const size of sizes) {
						running.push(t.add(offset, offset + BigInt(size)));
						offset += BigInt(size);
					}
					const end = offset;
					const succeeded = new Map<bigint, number>();
					let k = 0;
					for (let round = 0; round < 500 && (running.length > 0 || t.failedAt !== undefined); round++) {
						if (running.length > 0) {
							const [next] = [...running].sort((x, y) => order(Number(x.first)) - order(Number(y.first)));
							running = running.filter((e) => e !== next);
							// The last rounds always succeed, so the run ends.
							const ok = round > 300 || (outcomes[k++ % outcomes.length] ?? true);
							if (ok) {
								for (let o = next.first; o < next.end; o++) succeeded.set(o, (succeeded.get(o) ?? 0) + 1);
								t.succeed(next);
							} else t.fail(next);
							continue;
						}
						// Nothing running: the redelivery seeks to the lowest failed range and fills it (and any after it).
						t.takeFailed();
						while (t.fillLimit !== undefined) {
							const from = t.nextOffset as bigint;
							const limit = t.fillLimit;
							const to = from + BigInt(redeliveredSize) < limit ? from + BigInt(redeliveredSize) : limit;
							running.push(t.add(from, to));
						}
					}
					assert.equal(t.committableOffset, end);
					for (let o = 0n; o < end; o++) assert.equal(succeeded.get(o), 1, `offset ${o} succeeded ${succeeded.get(o) ?? 0} times`);
				},
			),
		);
	});
});
