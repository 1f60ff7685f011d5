/**
 * Which source table a row comes from, when Table From derives the Doris table's name from it: to tell
 * a user when two source tables of the same name land in one Doris table. A topic pattern over two
 * databases (`dbserver1.shop.users`, `dbserver1.crm.users`) under Table From "Kafka Topic" with the
 * node's own database, or Debezium sources of two databases under "Debezium Source", give both the
 * name `users`: their rows load into one table, where a row of one source overwrites the row of the
 * other with the same key, and a delete in one deletes the other's row. Merging shards on purpose is
 * a real use, so the rows still load; the node warns once per table and new source, naming both and
 * the settings that keep them apart. A merge the user named (Topic → Table Map, a field, the node's
 * own table) is not warned about.
 *
 * Remembered per process: after a restart, or on another worker in queue mode, the first source seen
 * is again the only one until a second arrives, which is warned about again there.
 */
import { debeziumSource, targetKey, type DorisTarget, type TargetRules } from './target';

/**
 * The source table's place without its name (`dbserver1.shop` for topic `dbserver1.shop.users`;
 * Debezium's connector name, database and schema), or undefined when Table From does not derive the
 * name from the source (nothing to tell apart). '' for a topic without a dot.
 */
export function sourceOfRow(rules: TargetRules, json: Record<string, unknown>, topic: string | undefined): string | undefined {
	switch (rules.table.kind) {
		case 'topic':
			return topic === undefined ? undefined : topic.slice(0, Math.max(0, topic.lastIndexOf('.')));
		case 'debezium': {
			const source = debeziumSource(json);
			if (source === undefined) return undefined;
			return [source.name, source.db, source.schema].filter((part) => typeof part === 'string' && part !== '').join('.');
		}
		default:
			return undefined;
	}
}

/** Sources kept per table: a stream of shards beyond this is warned about this many times at most. */
const MAX_SOURCES_PER_TABLE = 64;

const seenByTable = new Map<string, Set<string>>();

/** For tests: forget every source seen. */
export function forgetTableSources(): void {
	seenByTable.clear();
}

/**
 * Records the sources one execution's rows for `target` came from; warns for each source that is new
 * to a table which already had another.
 */
export function noteTableSources(target: DorisTarget, sources: ReadonlySet<string>, rules: TargetRules, warn: ((message: string) => void) | undefined): void {
	if (sources.size === 0) return;
	const key = targetKey(target);
	let seen = seenByTable.get(key);
	if (seen === undefined) {
		seen = new Set();
		seenByTable.set(key, seen);
	}
	for (const source of sources) {
		if (seen.has(source) || seen.size >= MAX_SOURCES_PER_TABLE) continue;
		const earlier = [...seen];
		seen.add(source);
		if (earlier.length === 0) continue;
		const how = rules.table.kind === 'topic' ? 'Table From "Kafka Topic" takes the last segment of each topic' : 'Table From "Debezium Source" takes source.table';
		warn?.(
			`Doris table ${target.database}.${target.table} now receives rows from ${describe(source)} as well as from ${earlier.map(describe).join(', ')} (${how}): ` +
				'rows with the same key overwrite each other there, and a delete in one source deletes the row of the other. ' +
				'To keep them apart, set Database From to "Kafka Topic" or "Debezium Source" (one Doris database per source database); to merge them on purpose, name the topics in a Topic → Table Map.',
		);
	}
}

function describe(source: string): string {
	return source === '' ? 'a topic without a database segment' : `"${source}"`;
}
