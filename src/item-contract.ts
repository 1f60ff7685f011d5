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
 */
export const KAFKA_METADATA_FIELD = '_kafka';
export const PARSE_ERROR_FIELD = '_parseError';
export const DELETE_SIGN_COLUMN = '__DORIS_DELETE_SIGN__';

export interface KafkaMessageMetadata {
	topic: string;
	partition: number;
	/** Kafka offsets are int64: kept as a decimal string. */
	offset: string;
	key: string | null;
	/** Milliseconds since the epoch, as Kafka gives it (a string). */
	timestamp: string;
	headers: Record<string, string>;
}

export type ParseErrorKind = 'json' | 'not_object' | 'schema_registry' | 'tombstone';

export interface ParseErrorInfo {
	kind: ParseErrorKind;
	message: string;
	/** The undecoded value: UTF-8 text, or base64 when it was not valid UTF-8. */
	raw: string | null;
	rawEncoding: 'utf8' | 'base64';
}
