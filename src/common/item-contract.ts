/**
 * The shape of the items that travel Kafka trigger → Doris Schema → Doris Stream Load. The nodes
 * share no memory (in queue mode they may run in different processes), so this is their only
 * agreement: plain JSON fields on `item.json`.
 *
 * - A message whose value parsed: `json` is the parsed object (exact big integers and long
 *   decimals kept as strings, since n8n execution data must stay JSON-serialisable).
 * - With the trigger's "Include Metadata" option: `json[KAFKA_METADATA_FIELD]` holds where it came from.
 * - A message that could not be decoded: `json[PARSE_ERROR_FIELD]` describes why, with the raw value;
 *   the Doris Schema node routes such items to its invalid output. Nothing is dropped.
 * - A row the Doris Schema node flagged for deletion (CDC `op: d`) carries DELETE_SIGN_COLUMN = 1;
 *   upserts in CDC mode carry 0. The Stream Load node loads it with Doris' delete sign.
 * - `json[DORIS_FIELD]` (DorisItemInfo) tells the Doris nodes what to do with the item beyond its
 *   values: by when its rows must be loaded (the trigger's Keep Order per Partition) and into which
 *   table (set by the Doris Schema node when its table comes from each message). It is never loaded.
 */
import type { JsonObject, JsonValue } from './exact-json';

export const KAFKA_METADATA_FIELD = '_kafka';
export const PARSE_ERROR_FIELD = '_parseError';
export const DELETE_SIGN_COLUMN = '__DORIS_DELETE_SIGN__';
export const DORIS_FIELD = '_doris';
/** An item the Doris Schema node refused, with its reasons (src/doris/schema/route-items.ts). */
export const INVALID_FIELD = '_invalid';

/**
 * Whether n8n would take an item with this json for an error: on a node set to On Error "Continue
 * (using error output)", n8n 2.x moves every item of a regular output whose json has a truthy `error`
 * and no key other than `error`, `message` and `details` to the error output (n8n-core
 * WorkflowExecute handleNodeErrorOutput). A row of a table whose columns are just those (an error
 * log) has that shape: moved there, leading nowhere, it was lost while its execution succeeded.
 */
export function looksLikeAnN8nErrorItem(json: Readonly<Record<string, unknown>>): boolean {
	if (!json.error) return false;
	for (const key in json) if (key !== 'error' && key !== 'message' && key !== 'details') return false;
	return true;
}

/**
 * What travels with an item (`json._doris`) or a packed item (`packedRows.doris`) for the Doris
 * nodes, never as a column.
 */
export interface DorisItemInfo {
	/**
	 * Milliseconds since the epoch after which the item's rows must not start loading (the trigger's
	 * Keep Order per Partition sets it to the execution's deadline): an execution that outlives its
	 * deadline is redelivered, and a consumer that takes its partition over waits that long, so rows
	 * loaded late would land after newer ones.
	 */
	loadBy?: number;
	/** The target the Doris Schema node resolved for this item (its Table From setting). */
	database?: string;
	table?: string;
	/**
	 * The names the Kafka trigger's Add Kafka Fields puts at the item's top level (at each line's, for a
	 * packed item). The Doris Schema node takes them from there when it reads the row elsewhere in the
	 * item (a Debezium envelope's after / before, a Source Path's target, a Connect payload), where
	 * they were lost: a CDC table's `kafka_offset` column stayed NULL (record-finder.ts).
	 */
	kafkaFields?: string[];
	/**
	 * The table the Doris Schema node mapped this delete for (on a packed item: its lines' deletes) and its
	 * key facts, e.g. "d.t: UNIQUE KEY(id), sequence column updated_at" (src/doris/schema/key-facts.ts).
	 * The Doris Stream Load node compares it with SHOW CREATE TABLE before the load: a table recreated
	 * with a sequence column since would ignore a delete mapped without its value, so the execution fails
	 * and is mapped again; mapped for another table whose key facts differ, it fails saying so. Never loaded.
	 */
	keyFacts?: string;
	/**
	 * A message value's own top-level `_doris` / `_kafka`, by name, which the Kafka trigger left out of
	 * its item (message-items.ts withoutForeignItemInfo: they would be read as the item's own). Never read
	 * as the item's information: the Doris Schema node refuses the item under Unknown Fields Reject,
	 * naming the field and its value, as it refuses a packed line's own (reserved-line-fields.ts), unless a
	 * table column named `_doris` takes it. Its `_doris` is the row's own `_doris` (the Doris Schema node
	 * puts there the value such a column takes): the Doris Stream Load node loads it as the row's field
	 * `_doris` (doris-info.ts ownDorisValue); its `_kafka` is never loaded.
	 */
	ownFields?: Record<string, unknown>;
}

export interface KafkaMessageMetadata {
	topic: string;
	partition: number;
	/** Kafka offsets are int64: kept as a decimal string. */
	offset: string;
	key: string | null;
	/** Milliseconds since the epoch, as Kafka gives it (a string). */
	timestamp: string;
	/** Text (base64 when not UTF-8); null for a header without a value; a repeated header's values joined by commas. */
	headers: Record<string, string | null>;
	/**
	 * Message Format Schema Registry, a key in the registry's wire format: the key decoded (Debezium's
	 * key struct as a record of the key columns). `key` keeps the bytes (base64), which name no column:
	 * the Doris Schema node's Create Missing Tables refused every new table for an unknown key. Only when the
	 * key's schema id is registered under `<topic>-key` (src/kafka/key-subjects.ts).
	 */
	decodedKey?: JsonValue;
	/** Why such a key could not be decoded or is not trusted (its schema id and the reason), for the refusal that needs the key. */
	keyError?: string;
	/**
	 * The value's Kafka Connect schema, from its Avro writer schema (src/kafka/avro-connect-schema.ts): the
	 * column types Create Missing Tables takes, as from a `{schema, payload}` envelope. The same object on
	 * every item of a schema id (n8n stores an execution's data with flatted, which writes it once).
	 * This field and `decodedKey` / `keyError` only when a node downstream reads them (metadata-needs.ts).
	 */
	valueSchema?: JsonObject;
}

/**
 * `reserved_field`: the decoded value holds PACKED_ROWS_FIELD at its top level, so the Doris nodes would
 * read it as a packed item, or a name Add Kafka Fields sets, so its value and Kafka's would compete for
 * the field (message-items.ts).
 */
export type ParseErrorKind = 'json' | 'not_object' | 'csv' | 'schema_registry' | 'tombstone' | 'reserved_field';

export interface ParseErrorInfo {
	kind: ParseErrorKind;
	message: string;
	/** The undecoded value: UTF-8 text, or base64 when it was not valid UTF-8. */
	raw: string | null;
	rawEncoding: 'utf8' | 'base64';
}

/**
 * Packed rows: the fast form of the same contract, one n8n item per Kafka batch instead of one per
 * message. n8n's cost is per item and per JSON value (every execution's input is serialised with
 * `flatted` into the execution table when it starts, then walked for paired items): 5,000 objects
 * of 12 fields cost it far more than the sinker's own work, one string of JSON lines costs it almost
 * nothing. Produced by the trigger's "One Item per Batch" output and by the Doris Schema node when its
 * input is packed; loaded as they are by the Stream Load node (JSON format).
 *
 * `json[PACKED_ROWS_FIELD]` is a PackedRows. Messages that do not fit a line (tombstones emitted as
 * items, values that are not UTF-8 or hold a line break) travel next to it as ordinary items, so
 * nothing is altered and nothing is dropped.
 */
export const PACKED_ROWS_FIELD = 'packedRows';

/**
 * The top-level names the Doris nodes read as the item's own, never as a row's field: the one list a
 * setting that names a field is checked against (Add Kafka Fields, CSV Column Names, Tombstone Key
 * Column for Plain Keys). A row field of such a name would be taken for the contract: `packedRows` for a
 * packed item (refused, the partition stalled), `_doris` for a target table or deadline, `_kafka` for
 * the message's topic, `_parseError` / `_invalid` for an item that failed, the delete sign for a delete.
 */
export const ITEM_OWN_FIELDS: ReadonlySet<string> = new Set([
	PACKED_ROWS_FIELD,
	DORIS_FIELD,
	KAFKA_METADATA_FIELD,
	PARSE_ERROR_FIELD,
	INVALID_FIELD,
	DELETE_SIGN_COLUMN,
]);

export interface PackedRows {
	/**
	 * One JSON object per line, every line ending in "\n" (Doris' `read_json_by_line`). The trigger and the
	 * Doris Schema node always end the last one too; an item built by hand may leave it out (the Stream
	 * Load node ends it, src/batch/load-items.ts).
	 */
	jsonLines: string;
	/** Number of lines. */
	count: number;
	/** Where the lines came from, in line order: one run per topic-partition stretch. */
	sources: PackedSource[];
	/**
	 * Whether some line carries DELETE_SIGN_COLUMN (CDC): the Stream Load node then loads with Doris'
	 * delete sign. The Doris Schema node always says; absent (packed by the trigger), the Stream Load
	 * node looks for the column in the lines. A false is believed only on lines the Doris Schema node
	 * wrote in this process (src/common/encoded-lines.ts); elsewhere (a Code node) the lines are searched.
	 */
	deleteSign?: boolean;
	/** Deadline and target of every line, as DORIS_FIELD is for an item (absent: none). */
	doris?: DorisItemInfo;
	/**
	 * Message Format Schema Registry with Include Metadata: the Kafka Connect schemas of the lines' values
	 * and keys, one per schema id (and Protobuf message type) in the item, which the runs name by index
	 * (PackedSource.valueSchema / keySchema). What `_kafka.valueSchema` / `decodedKey` are to a
	 * per-message item, for the Doris Schema node's Create Missing Tables and Add New Columns: without
	 * them a packed line's double 3.0 (decoded as 3) made a BIGINT column that refused every later
	 * fraction, and a table needed Key Columns. Never loaded; the Doris Schema node's output has none.
	 */
	connectSchemas?: JsonObject[];
}

export interface PackedSource {
	topic: string;
	partition: number;
	/** Offset of the first and last line of the run (int64 as decimal strings). */
	firstOffset: string;
	lastOffset: string;
	/** Lines in this run. When lastOffset - firstOffset + 1 equals it, line k has offset firstOffset + k. */
	lines: number;
	/**
	 * Index in PackedRows.connectSchemas of the Connect schema of the run's values (of its keys): the
	 * trigger starts a new run where a line's schema differs, so it holds for every line of the run that
	 * has one (a tombstone's delete row has no value schema). Absent: none known.
	 */
	valueSchema?: number;
	keySchema?: number;
}
