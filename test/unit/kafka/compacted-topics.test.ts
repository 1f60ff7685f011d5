// Which cleanup.policy values compact (src/kafka/compacted-topics.ts); the brokers' answer is read in
// test/integration/kafka-compacted-topics.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compactedTopics, compactedTopicsMessage, compacts } from '../../../src/kafka/compacted-topics';

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
});
