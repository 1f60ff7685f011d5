/**
 * What the emitter tells the operator about a chunk it launches, beyond counters: a skipped tombstone
 * (once per partition) and values carrying a field name the Doris nodes keep for an item's own
 * information (once per execution and name). Kept apart from execution-emitter.ts, which decides when
 * an execution starts; these only word what the parse found.
 */
import { DORIS_FIELD } from '../common/item-contract';
import type { SinkerLogger } from './client';
import type { ItemOwnField, SkippedTombstone } from './message-parser';

export class ChunkWarnings {
	/** The partitions ("topic\0partition") whose first skipped tombstone was warned about. */
	private readonly tombstoneWarned = new Set<string>();

	constructor(private readonly logger: SinkerLogger) {}

	/**
	 * Once per partition (and consumer): a compacted changelog whose tombstones are its deletes loses
	 * every delete under Tombstones "Skip", the default, with only a counter saying so. Naming one key
	 * lets the operator see whether it is such a topic.
	 */
	skippedTombstone(topic: string, partition: number, tombstone: SkippedTombstone): void {
		const key = `${topic}\0${partition}`;
		if (this.tombstoneWarned.has(key)) return;
		this.tombstoneWarned.add(key);
		this.logger.warn(
			`Kafka sinker skipped a tombstone (a message whose value is null) on ${topic}[${partition}] at offset ${tombstone.offset}, key ${tombstone.key ?? '(none)'}: Tombstones is "Skip", so no row changes. If this topic is a compacted changelog whose tombstones are its deletes, choose Tombstones "Delete the Row of Its Key" (trigger options, with Keep Order per Partition). Further tombstones of this partition are only counted (kafka_tombstones_skipped_total)`,
			{ topic, partition, offset: tombstone.offset },
		);
	}

	/**
	 * Once per execution and name: values with their own `_doris` / `_kafka`, left out of their items
	 * (message-items.ts withoutForeignItemInfo), so not loaded. Mostly dead letters replayed through the
	 * trigger, which carry both from their first pass; a producer's own field of that name was lost unseen.
	 */
	itemOwnFields(topic: string, partition: number, fields: ReadonlyMap<string, ItemOwnField>): void {
		for (const [name, field] of fields) {
			const what = name === DORIS_FIELD ? 'target table, deadline and Add Kafka Fields names' : 'Kafka position (Include Metadata)';
			const how = field.replaced ? "replaced in their items by the message's own position" : 'left out of their items';
			// A table column named `_doris` still takes the value from _doris.ownFields (doris-info.ts ownDorisValue).
			const loaded = name === DORIS_FIELD ? `so their "${name}" loads only into a table column of that name` : `so their "${name}" is not loaded`;
			this.logger.warn(
				`Kafka trigger: ${field.messages} message(s) of ${topic}[${partition}] from offset ${field.firstOffset} have their own top-level "${name}" field, a name the Doris nodes keep for an item's own ${what}: it is ${how}, ${loaded}. A dead letter replayed through the trigger carries it from its first pass, and then nothing is lost; otherwise rename the field upstream (a Doris Schema node with Unknown Fields "Reject the Row" sends such items to Invalid, naming the field: the item keeps it in _doris.ownFields)`,
				{ topic, partition, offset: field.firstOffset },
			);
		}
	}
}
