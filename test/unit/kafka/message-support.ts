/** Kafka messages as kafkajs hands them over, and the message parser run on them: shared by the parser tests. */
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';

import { createMessageParser, type MessageParserOptions, type ParsedChunk } from '../../../src/kafka/message-parser';

/** A message at `offset` (key `k<offset>`); a string value is UTF-8 encoded. */
export function message(offset: number | string, value: Buffer | string | null, extra: Partial<KafkaMessage> = {}): KafkaMessage {
	return {
		key: Buffer.from(`k${offset}`),
		value: typeof value === 'string' ? Buffer.from(value) : value,
		timestamp: '1700000000000',
		attributes: 0,
		offset: String(offset),
		headers: {},
		...extra,
	} as KafkaMessage;
}

/** Parses all of `messages` as partition 2 of topic `orders` (JSON, no metadata, tombstones skipped unless told). */
export function parse(options: Partial<MessageParserOptions>, messages: KafkaMessage[]): ParsedChunk {
	const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip', ...options });
	const result = parser.parse(messages, 0, messages.length, 'orders', 2);
	assert.ok(!(result instanceof Promise), 'JSON and text parsing are synchronous');
	return result;
}
