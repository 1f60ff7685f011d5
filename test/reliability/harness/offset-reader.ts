/**
 * The offsets the broker holds for a pipeline (pipeline.ts): its group's committed offsets and its
 * topic's end offsets, read with an admin of the pipeline's own, never the one a test creates and
 * deletes topics with. kafkajs keeps every topic an admin read (fetchOffsets, fetchTopicOffsets) in its
 * metadata targets, and createTopics / deleteTopics first refresh the metadata of all targets, bailing
 * on UNKNOWN_TOPIC_OR_PARTITION. A read of the topic racing its delete on the same admin puts it back
 * into the targets without an error (it joins the delete's own refresh in flight, or the broker still
 * lists the topic: the controller answers DeleteTopics before the broker's metadata cache applies it),
 * and from then on that admin could create nothing until a topic of that name existed again:
 * reliability/kafka-group 'topic deleted and recreated' saw every createTopics fail for 30 s, none
 * reaching the broker, twice in fresh-clone runs under load 7-10.
 */
import type { Admin, Kafka } from 'kafkajs';

export class OffsetReader {
	/** The admin, connected on first use (again after a failed connect: the broker restart cases). */
	private admin: Promise<Admin> | undefined;
	private closed = false;

	constructor(
		private readonly kafka: Kafka,
		private readonly groupId: string,
		private readonly topic: string,
	) {}

	/** The group's committed offsets as the broker holds them (partitions without one are left out). */
	async committed(): Promise<Map<number, bigint>> {
		const [entry] = await whileRetriable(async () => (await this.connected()).fetchOffsets({ groupId: this.groupId, topics: [this.topic] }));
		const out = new Map<number, bigint>();
		for (const { partition, offset } of entry?.partitions ?? []) if (BigInt(offset) >= 0n) out.set(partition, BigInt(offset));
		return out;
	}

	/** The topic's offsets per partition (`high`: its end). */
	endOffsets(): ReturnType<Admin['fetchTopicOffsets']> {
		return whileRetriable(async () => (await this.connected()).fetchTopicOffsets(this.topic));
	}

	/** Disconnects the admin; every read after this is refused. */
	async close(): Promise<void> {
		this.closed = true;
		const admin = this.admin;
		this.admin = undefined;
		await admin?.then((connected) => connected.disconnect()).catch(() => undefined);
	}

	private connected(): Promise<Admin> {
		if (this.closed) return Promise.reject(new Error('the pipeline is closed'));
		if (this.admin === undefined) {
			const admin = this.kafka.admin();
			const connecting = admin.connect().then(
				() => admin,
				async (error: unknown) => {
					if (this.admin === connecting) this.admin = undefined;
					await admin.disconnect().catch(() => undefined);
					throw error;
				},
			);
			this.admin = connecting;
		}
		return this.admin;
	}
}

/**
 * Repeats an admin call while the broker answers with a retriable error: right after a broker restart
 * the group coordinator answers GROUP_LOAD_IN_PROGRESS for a few seconds, which is not a test failure.
 */
async function whileRetriable<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
	const started = Date.now();
	for (;;) {
		try {
			return await call();
		} catch (error) {
			const retriable = (error as { retriable?: unknown }).retriable === true;
			if (!retriable || Date.now() - started > timeoutMs) throw error;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}
