/**
 * The messages a table Create Missing Tables creates takes its columns from (table-design.ts
 * designTableFrom, through map-targets.ts mapperFor): a group's items, then its packed lines, each
 * parsed only when asked for. A packed line carries its run's Connect schemas where a per-message item
 * has them (item-contract.ts PackedRows.connectSchemas).
 */
import { withoutByteOrderMark } from '../../common/exact-json';
import { KAFKA_METADATA_FIELD, type PackedRows, type PackedSource } from '../../common/item-contract';
import { runConnectSchemas } from '../../common/packed-rows';

/** What of a table's group of messages (map-targets.ts) the samples come from. */
export interface SampledGroup {
	ordinary: ReadonlyArray<{ json: Record<string, unknown> }>;
	packed: ReadonlyArray<{ packed: PackedRows }>;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A group's messages in order, each packed line parsed only when asked for: what a table created on
 * demand takes its columns from (the first that holds a row, designTableFrom).
 */
export function* samplesOf(group: SampledGroup): Generator<Record<string, unknown>> {
	for (const { json } of group.ordinary) yield json;
	for (const part of group.packed) {
		const text = part.packed.jsonLines;
		const runs = runsAlong(part.packed);
		for (let start = 0; start < text.length; ) {
			const newline = text.indexOf('\n', start);
			const end = newline < 0 ? text.length : newline;
			const run = runs?.next().value;
			try {
				const value: unknown = JSON.parse(withoutByteOrderMark(text.slice(start, end)));
				if (isObject(value)) yield run === undefined ? value : withRunSchemas(value, part.packed, run);
			} catch {
				// An unparsable line has no columns to offer; it goes to Invalid when mapped.
			}
			start = end + 1;
		}
	}
}

/** The run of each line in turn, when the item carries Connect schemas (item-contract.ts PackedRows.connectSchemas). */
function* runsAlong(packed: PackedRows): Generator<PackedSource | undefined, undefined> {
	if (packed.connectSchemas === undefined) return undefined;
	for (const run of packed.sources) for (let k = 0; k < run.lines; k++) yield run;
	for (;;) yield undefined;
}

/**
 * A packed line as a sample for Create Missing Tables, with its run's Connect schemas where the trigger
 * puts a per-message item's (`_kafka.valueSchema`, and the key's schema for its field names; message-key.ts):
 * the table's types are then declared, not guessed from the line (a double 3.0 decoded as 3 made a
 * BIGINT column, every later fraction Invalid), and its key comes from the message's key.
 */
function withRunSchemas(line: Record<string, unknown>, packed: PackedRows, run: PackedSource): Record<string, unknown> {
	const { value, key } = runConnectSchemas(packed, run);
	const meta: Record<string, unknown> = { topic: run.topic, partition: run.partition, packedLine: true };
	if (value !== undefined) meta.valueSchema = value;
	if (key !== undefined) meta.keySchema = key;
	return { ...line, [KAFKA_METADATA_FIELD]: meta };
}
