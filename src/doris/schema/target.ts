/**
 * Which Doris table (and database) one message goes to, for a whole-database change stream in one
 * workflow. The rules are the ones Doris' own Kafka pipelines offer, evaluated here per message so
 * that they also apply to the lines of a packed item (n8n evaluates an expression once per item,
 * never per line):
 *
 * - `parameter`: the node's own Database / Table (an n8n expression there is evaluated per item);
 * - `topic`: a segment of the Kafka topic, the last one for the table (Debezium names topics
 *   `<prefix>.<database>.<table>`), the one before it for the database;
 * - `topicMap`: an explicit topic → table list (doris-kafka-connector's `doris.topic2table.map`);
 * - `debezium`: the change event's `source.table` / `source.db` (Flink CDC's whole-database sync
 *   routes by the source table the same way);
 * - `field`: a field of the message (doris-kafka-connector's `record.tablename.field`).
 *
 * A message the rule cannot place is refused with a reason naming the rule and what was missing; the
 * Doris Schema node sends it to its Invalid output, so nothing is dropped.
 */
import { isConnectEnvelope } from '../../common/connect-envelope';
import { KAFKA_METADATA_FIELD } from '../../common/item-contract';
import type { RejectRule } from './coerce-result';

export type NameRule =
	| { kind: 'parameter' }
	| { kind: 'topic' }
	| { kind: 'topicMap'; map: ReadonlyMap<string, string> }
	| { kind: 'debezium' }
	| { kind: 'field'; path: readonly string[] };

export interface TargetRules {
	database: NameRule;
	table: NameRule;
}

export interface DorisTarget {
	database: string;
	table: string;
}

export interface TargetRefusal {
	refused: string;
	/** The rule and expectation the Invalid output names (default: `table`, "an existing table"). */
	rule?: RejectRule;
	expected?: string;
}

/** The names the node's parameters give (per item when they are expressions). */
export interface ParameterNames {
	database: string;
	table: string;
}

/** True when every message goes to the node's own table: the node works as it did with one table. */
export function isFixedTarget(rules: TargetRules): boolean {
	return rules.database.kind === 'parameter' && rules.table.kind === 'parameter';
}

/** True when the rules need only the topic, which packed items know per run without reading a line. */
export function needsOnlyTopic(rules: TargetRules): boolean {
	const topicOnly = (r: NameRule) => r.kind === 'parameter' || r.kind === 'topic' || r.kind === 'topicMap';
	return topicOnly(rules.database) && topicOnly(rules.table);
}

/** The map key of a target (database and table are case-sensitive in Doris by default). */
export function targetKey(target: DorisTarget): string {
	return `${target.database}\u0000${target.table}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The topic of an item: `_kafka.topic` (the trigger's Include Metadata), else none. */
export function topicOfItem(json: Record<string, unknown>): string | undefined {
	const meta = json[KAFKA_METADATA_FIELD];
	return isObject(meta) && typeof meta.topic === 'string' ? meta.topic : undefined;
}

/** The Debezium `source` block, with or without the converter's schema wrapper. */
export function debeziumSource(json: Record<string, unknown>): Record<string, unknown> | undefined {
	if (isObject(json.source)) return json.source;
	const payload = json.payload;
	return isObject(payload) && isObject(payload.source) ? payload.source : undefined;
}

function readPath(value: unknown, path: readonly string[]): unknown {
	let cur = value;
	for (const seg of path) {
		if (!isObject(cur)) return undefined;
		cur = cur[seg];
	}
	return cur;
}

function topicSegment(topic: string, fromEnd: number): string | undefined {
	const parts = topic.split('.');
	return parts.length >= fromEnd ? parts[parts.length - fromEnd] : undefined;
}

/**
 * One name by one rule. `which` says whether the table or the database is asked for: the topic's
 * last segment names the table, the segment before it the database; Debezium's source names both.
 */
function resolveName(rule: NameRule, which: 'table' | 'database', json: Record<string, unknown>, topic: string | undefined, fromParameter: string): string | TargetRefusal {
	const label = which === 'table' ? 'Table From' : 'Database From';
	switch (rule.kind) {
		case 'parameter':
			return fromParameter;
		case 'topic': {
			if (topic === undefined) return { refused: `${label} "Kafka Topic" needs the message's topic: turn on the Kafka trigger's Include Metadata (_kafka.topic)` };
			const name = topicSegment(topic, which === 'table' ? 1 : 2);
			return name === undefined || name === '' ? { refused: `${label} "Kafka Topic": topic "${topic}" has no ${which === 'table' ? 'last' : 'second-to-last'} segment (segments are separated by ".")` } : name;
		}
		case 'topicMap': {
			if (topic === undefined) return { refused: `${label} "Topic → Table Map" needs the message's topic: turn on the Kafka trigger's Include Metadata (_kafka.topic)` };
			const name = rule.map.get(topic);
			return name ?? { refused: `${label} "Topic → Table Map": topic "${topic}" is not in the map` };
		}
		case 'debezium': {
			const source = debeziumSource(json);
			const key = which === 'table' ? 'table' : 'db';
			const name = source?.[key];
			if (typeof name === 'string' && name !== '') return name;
			return { refused: `${label} "Debezium Source": the message has no source.${key}${source === undefined ? ' (no Debezium "source" block)' : ''}` };
		}
		case 'field': {
			let value = readPath(json, rule.path);
			// Kafka Connect JSON with schemas: the fields are inside "payload".
			if (value === undefined && isConnectEnvelope(json)) value = readPath(json.payload, rule.path);
			if (typeof value === 'string' && value.trim() !== '') return value.trim();
			return { refused: `${label} "Field": field "${rule.path.join('.')}" is ${value === undefined ? 'missing' : `not a name (${JSON.stringify(value)?.slice(0, 40)})`}` };
		}
	}
}

/** The target of one message: `json` the message (item or parsed line), `topic` where it came from. */
export function resolveTarget(rules: TargetRules, json: Record<string, unknown>, topic: string | undefined, parameters: ParameterNames): DorisTarget | TargetRefusal {
	const table = resolveName(rules.table, 'table', json, topic, parameters.table);
	if (typeof table !== 'string') return table;
	const database = resolveName(rules.database, 'database', json, topic, parameters.database);
	if (typeof database !== 'string') return database;
	if (table === '') return { refused: 'Table is empty: choose a table or type its name' };
	if (database === '') return { refused: "No database: choose one in the node or set a default database in the Doris credential" };
	return { database, table };
}

/** Parses the Topic → Table Map entries; a topic given twice is refused (which one would win?). */
export function topicMapOf(entries: ReadonlyArray<{ topic: string; table: string }>): Map<string, string> {
	const map = new Map<string, string>();
	for (const { topic, table } of entries) {
		if (topic === '' && table === '') continue;
		if (topic === '' || table === '') throw new Error(`Topic → Table Map: the entry "${topic}" → "${table}" needs both a topic and a table`);
		if (map.has(topic)) throw new Error(`Topic → Table Map: topic "${topic}" is mapped twice`);
		map.set(topic, table);
	}
	return map;
}
