import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Admin } from 'kafkajs';

import type { TopicSubscription } from '../../../src/kafka/consumer-options';
import { pinnedStartOffsets } from '../../../src/kafka/start-positions';

/**
 * An admin client over a broker's topics (`topic` → [earliest, end] per partition) and the group's
 * committed offsets (`topic:partition` → offset; -1 = none), answered as the broker does: asked by
 * name, every partition of those topics; without topics, every topic the group has committed offsets for.
 */
function admin(topics: Record<string, Array<[number, number]>>, committed: Record<string, string>): Admin & { groupReads: Array<string[] | undefined> } {
	const groupReads: Array<string[] | undefined> = [];
	const entries = Object.entries(committed).map(([key, offset]) => ({ topic: key.split(':')[0], partition: Number(key.split(':')[1]), offset, metadata: null }));
	return {
		groupReads,
		listTopics: async () => ['__consumer_offsets', ...Object.keys(topics)],
		fetchTopicOffsets: async (topic: string) =>
			(topics[topic] ?? []).map(([low, high], partition) => ({ partition, offset: String(high), high: String(high), low: String(low) })),
		fetchOffsets: async ({ topics: asked }: { groupId: string; topics?: string[] }) => {
			groupReads.push(asked);
			if (!asked) return [...new Set(entries.map((e) => e.topic))].map((topic) => ({ topic, partitions: entries.filter((e) => e.topic === topic) }));
			// Asked by name: every partition of each topic, -1 where none is committed.
			return asked.map((topic) => ({ topic, partitions: (topics[topic] ?? []).map((_, partition) => ({ partition, offset: committed[`${topic}:${partition}`] ?? '-1', metadata: null })) }));
		},
	} as unknown as Admin & { groupReads: Array<string[] | undefined> };
}

function options(topics: TopicSubscription, overrides: { fromBeginning?: boolean; topicsFoundLater?: string[] } = {}) {
	return { groupId: 'g', topics, fromBeginning: false, ...overrides };
}

/** `topic:partition@offset (skipped)` of each pin. */
function described(pins: Map<string, { offset: bigint; skipped: bigint }>): string[] {
	return [...pins].map(([key, pin]) => `${key}@${pin.offset} (${pin.skipped})`);
}

const broker = { a: [[10, 50], [0, 0]] as Array<[number, number]>, b: [[0, 7]] as Array<[number, number]>, c: [[0, 3]] as Array<[number, number]> };

describe('pinnedStartOffsets', () => {
	it('Read From Beginning on pins nothing and reads nothing', async () => {
		const fake = admin(broker, {});
		assert.deepEqual(described(await pinnedStartOffsets(fake, options({ names: ['a'] }, { fromBeginning: true }))), []);
		assert.deepEqual(fake.groupReads, []);
	});

	it("a group's first activation pins every partition of the list at its end, counting what that skips", async () => {
		assert.deepEqual(described(await pinnedStartOffsets(admin(broker, {}), options({ names: ['a', 'b'] }))), ['a:0@50 (40)', 'a:1@0 (0)', 'b:0@7 (7)']);
	});

	it("a group's first activation pins the pattern's topics, not Kafka's own, nor a topic the New Topics Check found", async () => {
		const pins = await pinnedStartOffsets(admin(broker, {}), options({ pattern: /^[a-z_]+$/ }, { topicsFoundLater: ['c'] }));
		assert.deepEqual(described(pins), ['a:0@50 (40)', 'a:1@0 (0)', 'b:0@7 (7)']);
	});

	it('list "a,b" where a was deleted and created again while inactive (Kafka dropped its offsets, b has some): a starts at its first message', async () => {
		const fake = admin(broker, { 'b:0': '7' });
		assert.deepEqual(described(await pinnedStartOffsets(fake, options({ names: ['a', 'b'] }))), []);
		assert.deepEqual(fake.groupReads, [undefined], "the group's offsets read for all its topics, not only the listed ones");
	});

	it('list "a,c" where c was added to the list: c starts at its first message', async () => {
		assert.deepEqual(described(await pinnedStartOffsets(admin(broker, { 'a:0': '50', 'a:1': '0' }), options({ names: ['a', 'c'] }))), []);
	});

	it('a list whose topics have no offsets while the group has some for a topic it no longer lists: nothing pinned', async () => {
		assert.deepEqual(described(await pinnedStartOffsets(admin(broker, { 'b:0': '3' }), options({ names: ['c'] }))), []);
	});

	it('a pattern topic created while inactive starts at its first message', async () => {
		assert.deepEqual(described(await pinnedStartOffsets(admin(broker, { 'a:0': '50', 'a:1': '0' }), options({ pattern: /^[a-z]$/ }))), []);
	});

	it('offsets answered as -1 are no commit: the group counts as new', async () => {
		assert.deepEqual(described(await pinnedStartOffsets(admin(broker, { 'b:0': '-1' }), options({ names: ['b'] }))), ['b:0@7 (7)']);
	});
});
