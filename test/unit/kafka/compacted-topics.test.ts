// Which cleanup.policy values compact (src/kafka/compacted-topics.ts); the brokers' answer is read in
// test/integration/kafka-compacted-topics.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compactedTopics, compactedTopicsMessage, compacts } from '../../../src/kafka/compacted-topics';
import { FollowingConsumer } from '../../../src/kafka/following-consumer';
import type { TopicChange } from '../../../src/kafka/topic-changes';

test('compact, compact with delete, any case and spacing compact; delete and nothing do not', () => {
	for (const policy of ['compact', 'compact,delete', 'delete, compact', 'COMPACT']) assert.equal(compacts(policy), true, policy);
	for (const policy of ['delete', '', undefined]) assert.equal(compacts(policy), false, String(policy));
});

test('the brokers\' answer: compacted topics named, an error for a topic fails the read naming it', async () => {
	const answer = (entries: Array<[string, string, number?]>) => ({
		describeConfigs: async () => ({
			throttleTime: 0,
			resources: entries.map(([resourceName, value, errorCode = 0]) => ({ resourceName, resourceType: 2, errorCode, errorMessage: errorCode === 0 ? null : 'Topic authorization failed.', configEntries: [{ configName: 'cleanup.policy', configValue: value, isDefault: false, configSource: 1, isSensitive: false, readOnly: false, configSynonyms: [] }] })),
		}),
	});
	assert.deepEqual(await compactedTopics(answer([['a', 'delete'], ['b', 'compact']]) as never, ['a', 'b']), ['b']);
	await assert.rejects(compactedTopics(answer([['a', 'delete'], ['b', '', 29]]) as never, ['a', 'b']), /cleanup.policy of topic b: Topic authorization failed/);
	assert.deepEqual(await compactedTopics(answer([]) as never, []), []);
	assert.match(compactedTopicsMessage(['x', 'y']), /^Kafka topics x, y are compacted/);
	// A tombstone has no Debezium source block: the fix says how the Doris Schema node must name tables (review session 20, F7).
	assert.match(compactedTopicsMessage(['x']), /Table From "Kafka Topic" or a Topic → Table Map/);
});

/**
 * The New Topics Check's filter (FollowingConsumer.leaveOutCompacted) and the activation's refusal
 * over a fake admin: a lookup that fails keeps new topics out for the round (a compacted topic let in
 * then was read with Skip for good), and refuses the start.
 */
function followingOver(describeConfigs: () => Promise<unknown>, warnings: string[]) {
	const following = Object.create(FollowingConsumer.prototype) as FollowingConsumer;
	Object.assign(following, { options: { refuseCompactedTopics: true, logger: { warn: (m: string) => warnings.push(m), info: () => undefined } }, admin: { describeConfigs }, warnedCompacted: new Set<string>() });
	// Private steps of the check, called as the check calls them.
	const steps = following as unknown as { leaveOutCompacted(change: TopicChange): Promise<void>; refuseCompacted(topics: string[]): Promise<void> };
	return { leaveOut: steps.leaveOutCompacted.bind(following), refuse: steps.refuseCompacted.bind(following) };
}

const policies = (entries: Record<string, string>) => async () => ({
	throttleTime: 0,
	resources: Object.entries(entries).map(([resourceName, configValue]) => ({ resourceName, resourceType: 2, errorCode: 0, errorMessage: null, configEntries: [{ configName: 'cleanup.policy', configValue }] })),
});

test('a New Topics Check whose lookup fails leaves every new topic out for that round; the next one that reads the policy lets a plain topic in', async () => {
	const warnings: string[] = [];
	let answer: () => Promise<unknown> = policies({ 'db.shop.orders': 'compact' });
	const { leaveOut } = followingOver(() => answer(), warnings);
	const change = (): TopicChange => ({ now: new Set(['db.shop.orders', 'db.shop.items']), added: ['db.shop.orders'], deleted: [], missing: [] });
	const first = change();
	await leaveOut(first);
	assert.deepEqual(first.added, []);
	assert.deepEqual([...first.now], ['db.shop.items']);
	answer = async () => {
		throw new Error('The coordinator is not available');
	};
	const second = change();
	await leaveOut(second);
	assert.deepEqual(second.added, [], 'a failed lookup let a compacted topic in for good');
	assert.match(warnings.at(-1) ?? '', /could not read whether new topics db.shop.orders are compacted \(The coordinator is not available\); not subscribed until it can be read/);
	answer = policies({ 'db.shop.orders': 'delete' });
	const third = change();
	await leaveOut(third);
	assert.deepEqual(third.added, ['db.shop.orders'], 'its policy changed to delete: subscribed');
});

test('activation refuses a start whose topics\' policy cannot be read, naming the permission and the setting', async () => {
	const { refuse } = followingOver(async () => {
		throw new Error('Cluster authorization failed');
	}, []);
	await assert.rejects(refuse(['db.shop.orders']), /could not read whether topics db.shop.orders are compacted \(Cluster authorization failed\).*DescribeConfigs.*Delete the Row of Its Key/);
	await followingOver(policies({ 'db.shop.orders': 'delete' }), []).refuse(['db.shop.orders']);
});
