/**
 * Record batches CRC-checked as Java's consumer checks them (check.crcs=true), and a corrupt one held,
 * never delivered: kafkajs 2.2.4 checks no CRC, so a flipped byte on a broker's disk or on the wire
 * became altered rows, loaded and committed (record-set-check.ts says how the check is made).
 *
 * Two patches, through kafkajsPatch (kafkajs-patch.ts), only on kafkajs 2.2.4:
 * - the `decode` of every Fetch response version (node_modules/kafkajs/src/protocol/requests/fetch/
 *   v0..v11/response.js, kafkajsModulePatch): the raw response is checked before kafkajs decodes it; a
 *   partition with a corrupt entry has its record set cut where that entry begins, so kafkajs decodes
 *   the entries before it (delivered, as Java delivers the records before a corrupt batch) and nothing
 *   from it on (a corrupt compressed batch would otherwise also fail its decompression and with it the
 *   whole fetch). The partition's decoded messages array is marked with the corruption (corruptionOf).
 * - ConsumerGroup.prototype.fetch (consumer/consumerGroup.js): a fetched partition whose batch has
 *   nothing to hand out before the corruption (the corrupt batch is where the partition continues) is
 *   told to the group member's listener, which holds the partition (the sinker: Redelivery.hold, an
 *   error naming topic, partition, base offset and both CRCs, then the capped redelivery backoff before
 *   the partition is fetched again). The broker answers the same bytes again, so the partition stays held
 *   with the error repeated at most once per backoff, its lag growing: nothing is committed past it. A
 *   member with no listener (a kafkajs consumer that is not the sinker's) gets the fetch failed with
 *   KafkaCorruptBatchError instead of an empty batch kafkajs would fetch again at once, silently.
 */
import { GroupMemberListeners, MemberWatch } from './group-member-listeners';
import { kafkajsModulePatch, kafkajsPatch } from './kafkajs-patch';
import { corruptPartitions, cutAtCorruption, FETCH_VERSIONS, type CorruptBatch } from './record-set-check';

/** A corrupt batch where a fetched partition continues: the partition cannot go on until its bytes are good. */
export interface CorruptBatchReport extends CorruptBatch {
	topic: string;
	partition: number;
}

export type CorruptBatchListener = (report: CorruptBatchReport) => void;

/** Java's name for it (org.apache.kafka.common.errors.CorruptRecordException); the message names everything. */
export class KafkaCorruptBatchError extends Error {
	constructor(readonly report: CorruptBatchReport) {
		super(
			`Kafka record batch at offset ${report.baseOffset} of ${report.topic}[${report.partition}] is corrupt (magic ${report.magic}, ${report.size} bytes): ${report.reason}; not delivered, nothing past it committed`,
		);
		this.name = 'KafkaCorruptBatchError';
	}
}

/** The corruption each decoded partition's messages array ends before (a WeakMap: the array is kafkajs' own). */
const corruptions = new WeakMap<object, CorruptBatch>();

/** The corrupt batch a decoded partition's messages stop before, if any. */
export function corruptionOf(messages: object): CorruptBatch | undefined {
	return corruptions.get(messages);
}

/** The fields of a kafkajs 2.2.4 decoded Fetch response the decoder wrapper reads. */
interface DecodedFetch {
	responses: Array<{ topicName: string; partitions: Array<{ messages: object }> }>;
}

interface FetchResponseModule {
	decode(raw: Buffer): Promise<DecodedFetch>;
}

/** The decoders checkingDecode made: a version re-exporting another's decode (v2 is v1's) keeps it, checked once. */
const checkingDecoders = new WeakSet<FetchResponseModule['decode']>();

/** `decode` of a Fetch response of `version`, with every record batch CRC-checked first. */
export function checkingDecode(version: number, decode: FetchResponseModule['decode']): FetchResponseModule['decode'] {
	const checking = async (raw: Buffer) => {
		let found;
		try {
			found = corruptPartitions(raw, version);
		} catch {
			// Bytes that are no Fetch response of this version: kafkajs' own decode says what is wrong.
			return decode(raw);
		}
		if (found.length === 0) return decode(raw);
		const decoded = await decode(cutAtCorruption(raw, found));
		for (const cut of found) corruptions.set(decoded.responses[cut.topicIndex].partitions[cut.partitionIndex].messages, cut.batch);
		return decoded;
	};
	checkingDecoders.add(checking);
	return checking;
}

/** The fields of a kafkajs 2.2.4 Batch (consumer/batch.js) the fetch wrapper reads. */
export interface FetchedBatch {
	topic: string;
	partition: number;
	/** The partition's decoded messages, as the response carried them (the array corruptionOf knows). */
	rawMessages: object;
	/** What eachBatch is handed: the messages at or after the fetch offset that are not control or aborted records. */
	messages: readonly unknown[];
}

/** The fields of a kafkajs 2.2.4 ConsumerGroup the fetch wrapper reads. */
interface ConsumerGroupState {
	groupId: string;
	memberId: string | null;
	fetch(nodeId: number): Promise<FetchedBatch[]>;
}

const listeners = new GroupMemberListeners<CorruptBatchListener>();

/** One consumer's watch on corrupt batches where its partitions continue, across its group joins; `end` on close. */
export class MemberCorruptBatchWatch extends MemberWatch<CorruptBatchListener> {
	constructor(groupId: string, listener: CorruptBatchListener) {
		super(listeners, groupId, listener);
	}
}

/**
 * Tells `listener` of each fetched partition that cannot go on: a corrupt batch with nothing before it
 * to hand out. A batch with messages before the corruption is handed out first; the next fetch starts
 * at the corrupt batch and is told then. Throws KafkaCorruptBatchError without a listener.
 */
export function tellCorruptBatches(batches: readonly FetchedBatch[], listener: CorruptBatchListener | undefined): void {
	for (const batch of batches) {
		const corrupt = corruptionOf(batch.rawMessages);
		if (corrupt === undefined || batch.messages.length > 0) continue;
		const report: CorruptBatchReport = { ...corrupt, topic: batch.topic, partition: batch.partition };
		if (listener === undefined) throw new KafkaCorruptBatchError(report);
		listener(report);
	}
}

const decoderPatches = FETCH_VERSIONS.map((version) =>
	kafkajsModulePatch<FetchResponseModule, 'decode'>(`kafkajs/src/protocol/requests/fetch/v${version}/response.js`, 'decode', (decode) =>
		// v2, v3 re-export v1's decode, v6 v5's, v9, v10 v8's, each with its own layout: patched first, it is checked already.
		checkingDecoders.has(decode) ? decode : checkingDecode(version, decode),
	),
);

const fetchPatch = kafkajsPatch<ConsumerGroupState, 'fetch'>(
	'kafkajs/src/consumer/consumerGroup.js',
	'fetch',
	(fetch) =>
		async function (this: ConsumerGroupState, nodeId: number): Promise<FetchedBatch[]> {
			const batches = await fetch.call(this, nodeId);
			tellCorruptBatches(batches, listeners.of(this.groupId, this.memberId));
			return batches;
		},
);

/** Installs both patches (idempotent); false when the kafkajs found is not the version they were written for. */
export function checkKafkajsBatchCrcs(): boolean {
	const decoders = decoderPatches.map((install) => install());
	return fetchPatch() && decoders.every(Boolean);
}
