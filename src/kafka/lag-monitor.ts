/**
 * Consumer lag per partition: the partition's end offset (high watermark) minus the group's
 * committed offset, both asked of the broker (kafkajs admin fetchTopicOffsets / fetchOffsets), for
 * the partitions this consumer owns, into metrics.kafkaConsumerLag. A partition with no committed
 * offset counts from its earliest retained offset: that is what the group would still have to read.
 * Measured on a timer, never from the fetch path; a failed measurement is logged at debug and the
 * gauge keeps its last value.
 */
import type { Admin } from 'kafkajs';

import { metrics } from '../metrics/metrics';
import type { SinkerLogger } from './client';

export interface LagSample {
	topic: string;
	partition: number;
	end: string;
	committed: string;
	lag: number;
}

export class LagMonitor {
	private timer: NodeJS.Timeout | undefined;
	private running: Promise<void> | undefined;
	private readonly reported = new Set<string>();

	constructor(
		private readonly admin: Admin,
		private readonly groupId: string,
		private readonly workflow: string,
		private readonly assigned: () => Map<string, number[]>,
		private readonly logger: SinkerLogger,
	) {}

	start(intervalMs: number): void {
		if (intervalMs <= 0 || this.timer) return;
		this.timer = setInterval(() => {
			if (!this.running) this.running = this.measure().then(() => this.forget(), () => this.forget());
		}, intervalMs);
		this.timer.unref();
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		await this.running;
		for (const key of this.reported) {
			const [topic, partition] = splitKey(key);
			metrics.kafkaConsumerLag.remove({ workflow: this.workflow, group: this.groupId, topic, partition });
		}
		this.reported.clear();
	}

	/** Measures once and updates the gauge; returns the samples (tests use them). */
	async measure(): Promise<LagSample[]> {
		const assigned = this.assigned();
		const samples: LagSample[] = [];
		if (assigned.size === 0) return samples;
		try {
			const topics = [...assigned.keys()];
			const committedByTopic = await this.admin.fetchOffsets({ groupId: this.groupId, topics });
			for (const topic of topics) {
				const ends = await this.admin.fetchTopicOffsets(topic);
				const committed = committedByTopic.find((entry) => entry.topic === topic)?.partitions ?? [];
				for (const partition of assigned.get(topic) ?? []) {
					const end = ends.find((entry) => entry.partition === partition);
					if (!end) continue;
					const group = committed.find((entry) => entry.partition === partition)?.offset ?? '-1';
					const from = BigInt(group) >= 0n ? group : end.low;
					const lag = Number(BigInt(end.high) - BigInt(from));
					samples.push({ topic, partition, end: end.high, committed: group, lag });
					const labels = { workflow: this.workflow, group: this.groupId, topic, partition: String(partition) };
					metrics.kafkaConsumerLag.set(labels, Math.max(lag, 0));
					this.reported.add(`${topic}\u0000${partition}`);
				}
			}
			// Partitions given up since the last measurement must not keep reporting a stale lag.
			for (const key of [...this.reported]) {
				const [topic, partition] = splitKey(key);
				if (!(assigned.get(topic) ?? []).includes(Number(partition))) {
					metrics.kafkaConsumerLag.remove({ workflow: this.workflow, group: this.groupId, topic, partition });
					this.reported.delete(key);
				}
			}
		} catch (error) {
			this.logger.debug('Kafka lag measurement failed', { error: (error as Error).message, groupId: this.groupId });
		}
		return samples;
	}

	private forget(): void {
		this.running = undefined;
	}
}

function splitKey(key: string): [string, string] {
	const at = key.lastIndexOf('\u0000');
	return [key.slice(0, at), key.slice(at + 1)];
}
