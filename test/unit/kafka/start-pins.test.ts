import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin } from 'kafkajs';

import { PartitionState } from '../../../src/kafka/partition-state';
import { StartPins, type PinSeating } from '../../../src/kafka/start-pins';

/** An admin client answering the group's offsets: -1 = none committed; a function may fail. */
function admin(offsets: () => Record<string, string>): Admin {
	return {
		fetchOffsets: async ({ topics }: { topics: string[] }) =>
			topics.map((topic) => ({ topic, partitions: Object.entries(offsets()).filter(([k]) => k.startsWith(`${topic}:`)).map(([k, offset]) => ({ partition: Number(k.split(':')[1]), offset })) })),
	} as unknown as Admin;
}

function consumer(): PinSeating & { seeks: string[]; seatedCalls: number } {
	const out = {
		seeks: [] as string[],
		seatedCalls: 0,
		seek: (state: PartitionState, offset: bigint) => {
			out.seeks.push(`${state.topic}:${state.partition}@${offset}`);
			return true;
		},
		isClosing: () => false,
		seated: () => {
			out.seatedCalls++;
		},
	};
	return out;
}

const warnings: string[] = [];
const logger = { warn: (message: string) => void warnings.push(message) };
const pins = () =>
	new Map([
		['t:0', { offset: 100n, skipped: 100n }],
		['t:1', { offset: 200n, skipped: 150n }],
	]);

describe('StartPins', () => {
	it('seats a pin only where the group still has no offset: another instance that committed first wins', async () => {
		const c = consumer();
		const startPins = new StartPins(pins(), admin(() => ({ 't:0': '-1', 't:1': '57' })), 'g', c, logger, 1);
		const added = [new PartitionState('t', 0), new PartitionState('t', 1), new PartitionState('t', 2)];
		startPins.onAssignment(added);
		assert.deepEqual(added.map((s) => s.startPending), [true, true, false], 'pinned partitions wait');
		await startPins.seated;
		assert.deepEqual(c.seeks, ['t:0@100']);
		assert.deepEqual(added.map((s) => s.pinnedStart), [100n, undefined, undefined]);
		assert.deepEqual(added.map((s) => s.startPending), [false, false, false]);
		assert.equal(c.seatedCalls, 1);
	});

	it('only the first assignment has pins; a partition revoked meanwhile is not seated', async () => {
		const c = consumer();
		const startPins = new StartPins(pins(), admin(() => ({ 't:0': '-1', 't:1': '-1' })), 'g', c, logger, 1);
		const first = [new PartitionState('t', 0), new PartitionState('t', 1)];
		startPins.onAssignment(first);
		first[1].revoked = true;
		await startPins.seated;
		assert.deepEqual(c.seeks, ['t:0@100']);
		startPins.onAssignment([new PartitionState('t', 0)]);
		await startPins.seated;
		assert.deepEqual(c.seeks, ['t:0@100'], 'no seek on a later assignment');
	});

	it('one warning names the group, each topic and the messages its seated pins skip; a pin another instance committed first skips nothing', async () => {
		warnings.length = 0;
		const c = consumer();
		const topics = new Map([
			['t:0', { offset: 100n, skipped: 100n }],
			['t:1', { offset: 200n, skipped: 150n }],
			['u:0', { offset: 9n, skipped: 9n }],
			['u:1', { offset: 5n, skipped: 5n }],
			['empty:0', { offset: 0n, skipped: 0n }],
		]);
		const startPins = new StartPins(topics, admin(() => ({ 't:0': '-1', 't:1': '-1', 'u:0': '-1', 'u:1': '5', 'empty:0': '-1' })), 'orders-group', c, logger, 1);
		startPins.onAssignment([...topics.keys()].map((key) => new PartitionState(key.split(':')[0], Number(key.split(':')[1]))));
		await startPins.seated;
		assert.equal(warnings.length, 1);
		assert.match(warnings[0], /Read From Beginning is off and group orders-group has no committed offsets/);
		assert.match(warnings[0], /: t \(250 messages\), u \(9 messages\)\./);
		assert.doesNotMatch(warnings[0], /empty/, 'a topic with nothing to skip is not named');
	});

	it('no warning when the seated pins skip nothing', async () => {
		warnings.length = 0;
		const startPins = new StartPins(new Map([['t:0', { offset: 0n, skipped: 0n }]]), admin(() => ({ 't:0': '-1' })), 'g', consumer(), logger, 1);
		startPins.onAssignment([new PartitionState('t', 0)]);
		await startPins.seated;
		assert.deepEqual(warnings, []);
	});

	it('after three failed lookups the pins hold as read, with a warning per attempt', async () => {
		warnings.length = 0;
		const c = consumer();
		const startPins = new StartPins(pins(), admin(() => { throw new Error('coordinator not available'); }), 'g', c, logger, 1);
		const added = [new PartitionState('t', 0), new PartitionState('t', 1)];
		startPins.onAssignment(added);
		await startPins.seated;
		assert.deepEqual(c.seeks, ['t:0@100', 't:1@200']);
		assert.equal(warnings.length, 4);
		assert.match(warnings[2], /attempt 3 of 3/);
		assert.match(warnings[3], /: t \(250 messages\)\./, 'then the pins held as read name what they skip');
	});
});
