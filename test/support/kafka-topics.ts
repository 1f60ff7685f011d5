// Topics every kind of test creates on the one test broker (integration, e2e, reliability, the ground's
// own checks, the demo), made ready the same way so none of them fails on a broker still catching up.
import type { Admin, ITopicConfig } from 'kafkajs';
import { waitFor } from './wait-for';

/** Far more than a KRaft broker needs to publish a new topic to its metadata cache (milliseconds). */
const READY_WITHIN_MS = 30_000;

/**
 * createTopics waiting until every partition has a leader. kafkajs' own wait retries only
 * LEADER_NOT_AVAILABLE, but a KRaft broker whose metadata cache has not caught up with the controller
 * yet answers UNKNOWN_TOPIC_OR_PARTITION for a topic it just created, and createTopics then throws
 * (seen in a fresh clone's npm test, 150 ms into a test). So the create is tried again: the topic the
 * first try made answers TOPIC_ALREADY_EXISTS, which kafkajs returns as false without waiting, and then
 * its leaders are waited for. Up to 30 s in all.
 *
 * An UNKNOWN_TOPIC_OR_PARTITION on every try is another thing: createTopics first refreshes the
 * metadata of every topic the admin ever read (kafkajs' metadata targets) and stops at a deleted one,
 * so nothing reaches the broker until a topic of that name exists again. An admin gets there by
 * reading a topic that another client then deletes, or by reading it while it deletes it (the read
 * can pass while the broker still lists the topic): create topics with an admin that reads nothing
 * being deleted (reliability/harness/pipeline.ts reads offsets with an admin of its own).
 */
export async function createTopicsReady(admin: Admin, topics: ITopicConfig[]): Promise<void> {
	const names = topics.map((t) => t.topic);
	const deadline = Date.now() + READY_WITHIN_MS;
	let tries = 0;
	const outcome = await waitFor(
		`topics ${names.join(', ')} to be created`,
		() => {
			tries++;
			return admin.createTopics({ waitForLeaders: true, topics }).then(
				(created) => (created ? 'with leaders' : 'already there'),
				(error: unknown) => {
					if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
					return undefined;
				},
			);
		},
		{ timeoutMs: READY_WITHIN_MS, intervalMs: 100, progress: async () => `${tries} tries, each answered UNKNOWN_TOPIC_OR_PARTITION: does this admin's metadata still target a deleted topic?` },
	);
	if (outcome === 'with leaders') return;
	await waitFor(`topics ${names.join(', ')} to have a leader for every partition`, () => haveLeaders(admin, names), {
		timeoutMs: Math.max(deadline - Date.now(), 0),
		intervalMs: 100,
	});
}

/**
 * createPartitions waiting until the broker's metadata shows all `count` partitions with a leader: a
 * producer that asks sooner does not know the new partitions yet, and kafkajs' send then returns no
 * result for them (a reliability test failed on it in a fresh clone: "returned no base offset").
 */
export async function createPartitionsReady(admin: Admin, topic: string, count: number): Promise<void> {
	await admin.createPartitions({ topicPartitions: [{ topic, count }] });
	await waitFor(`topic ${topic} to have ${count} partitions with a leader`, () => haveLeaders(admin, [topic], count), { timeoutMs: READY_WITHIN_MS, intervalMs: 100 });
}

async function haveLeaders(admin: Admin, names: string[], partitions?: number): Promise<boolean> {
	const { topics } = await admin.fetchTopicMetadata({ topics: names }).catch(() => ({ topics: [] }));
	return (
		topics.length === names.length &&
		topics.every((t) => t.partitions.length > 0 && (partitions === undefined || t.partitions.length === partitions) && t.partitions.every((p) => p.leader >= 0))
	);
}
