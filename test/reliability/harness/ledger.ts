/**
 * What the tests produced, by partition and offset: the known set every reliability case checks the
 * table (and the invalid output) against. Offsets come from the broker's produce answers, so the
 * invariant "a committed offset never passes a row that is not in Doris" is checked against what
 * Kafka really holds, not against what the consumer says it saw.
 */
import type { Kafka, Message } from 'kafkajs';

/** A message that must end on the invalid output, and why. */
export interface ExpectedInvalid {
	rule: string;
	/** null for reasons about the whole message (parse error, not an object, tombstone). */
	column: string | null;
	/** What the message text of the first reason must contain (column, value, limit). */
	mentions?: RegExp;
	/** The offending value the first reason must carry (as the invalid output gives it). */
	value?: unknown;
}

export interface Entry {
	partition: number;
	offset: bigint;
	/** The row's key when it must reach Doris; null when it must go to the invalid output. */
	id: string | null;
	invalid?: ExpectedInvalid;
}

export interface ToProduce {
	partition: number;
	value: Buffer | string | null;
	id: string | null;
	invalid?: ExpectedInvalid;
	key?: string;
}

export class Ledger {
	private readonly byPartition = new Map<number, Entry[]>();
	/** Rows of a log that is gone (topic deleted): still expected in Doris, no longer at any offset. */
	private readonly retired: Entry[] = [];

	add(entry: Entry): void {
		let list = this.byPartition.get(entry.partition);
		if (!list) this.byPartition.set(entry.partition, (list = []));
		list.push(entry);
	}

	/** Entries of one partition below `offset` (what a commit of `offset` vouches for). */
	below(partition: number, offset: bigint): Entry[] {
		return (this.byPartition.get(partition) ?? []).filter((e) => e.offset < offset);
	}

	all(): Entry[] {
		return [...this.byPartition.values()].flat();
	}

	/** The topic was deleted: its rows stay expected in Doris, its offsets are free for the new log. */
	retireOffsets(): void {
		this.retired.push(...this.all());
		this.byPartition.clear();
	}

	/** Keys of every row that must be in Doris. */
	validIds(): Set<string> {
		const out = new Set<string>();
		for (const e of [...this.retired, ...this.all()]) if (e.id !== null) out.add(e.id);
		return out;
	}

	invalidEntries(): Entry[] {
		return this.all().filter((e) => e.invalid !== undefined);
	}

	get size(): number {
		let n = 0;
		for (const list of this.byPartition.values()) n += list.length;
		return n;
	}

	/** Drops entries of a partition in [from, to): deleted by retention before anyone read them. */
	forget(partition: number, from: bigint, to: bigint): Entry[] {
		const list = this.byPartition.get(partition) ?? [];
		const gone = (e: Entry) => e.offset >= from && e.offset < to;
		this.byPartition.set(
			partition,
			list.filter((e) => !gone(e)),
		);
		return list.filter(gone);
	}
}

/**
 * Produces `items` (acks from all replicas), one request per partition and chunk, and records each
 * message's offset in the ledger: the broker appends one request's records to a partition contiguously
 * from the baseOffset it answers with.
 */
export async function produceKnown(kafka: Kafka, topic: string, items: ToProduce[], ledger: Ledger, chunk = 1000): Promise<void> {
	const producer = kafka.producer({ allowAutoTopicCreation: false });
	await producer.connect();
	try {
		const byPartition = new Map<number, ToProduce[]>();
		for (const item of items) {
			let list = byPartition.get(item.partition);
			if (!list) byPartition.set(item.partition, (list = []));
			list.push(item);
		}
		for (const [partition, list] of byPartition) {
			for (let start = 0; start < list.length; start += chunk) {
				const slice = list.slice(start, start + chunk);
				const messages: Message[] = slice.map((item) => ({ partition, key: item.key ?? item.id ?? null, value: item.value }));
				const [meta] = await producer.send({ topic, acks: -1, messages });
				if (meta === undefined || meta.baseOffset === undefined) throw new Error(`produce to ${topic}[${partition}] returned no base offset`);
				const base = BigInt(meta.baseOffset);
				slice.forEach((item, i) => ledger.add({ partition, offset: base + BigInt(i), id: item.id, invalid: item.invalid }));
			}
		}
	} finally {
		await producer.disconnect();
	}
}

/** `count` plain rows `{id, v}` with ids from `from`, round-robin over `partitions`. */
export function plainRows(from: number, count: number, partitions: number): ToProduce[] {
	const out: ToProduce[] = [];
	for (let i = from; i < from + count; i++) {
		out.push({ partition: i % partitions, id: String(i), value: JSON.stringify({ id: i, v: `row-${i}` }) });
	}
	return out;
}
