/**
 * What every benchmark pass shares: the Doris test server (in the runner's process), a Kafka admin,
 * a fresh table per pass, the launch config a scenario starts from, and the moment its consumer
 * group turns Stable (the start of the measured window).
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import type { DorisTestServer } from '../test/ground/doris/types';
import { BENCH_DB, tableDdl, waitUntil } from './dataset';
import type { LaunchConfig } from './scenarios';

export interface Ground {
	server: DorisTestServer;
	admin: Admin;
	brokers: string[];
}

let tables = 0;
export async function freshTable(ground: Ground, prefix: string): Promise<string> {
	// Doris table names take letters, digits and underscores: scenario ids have hyphens.
	const table = `${prefix.replace(/-/g, '_')}_${++tables}_${Date.now()}`;
	await ground.server.sql(tableDdl(table));
	return table;
}

export async function dropTable(ground: Ground, table: string): Promise<void> {
	await ground.server.sql(`DROP TABLE IF EXISTS \`${BENCH_DB}\`.\`${table}\``);
}

/**
 * What the test server holds in the table, whatever the pipeline believes it loaded: rows, and
 * distinct event ids (each event has its own id, so fewer ids than rows means some were loaded twice).
 */
export function tableCounts(ground: Ground, table: string): { rows: number; distinctIds: number } {
	const rows = ground.server.tableRows(BENCH_DB, table);
	return { rows: rows.length, distinctIds: new Set(rows.map((row) => String(row.id))).size };
}

/** The knobs the scaling grid turns. */
export type Tuning = Pick<LaunchConfig, 'batchRows' | 'flushMs' | 'inFlight' | 'execRows'>;

export function launchConfig(ground: Ground, topic: string, table: string, tuning: Tuning): LaunchConfig {
	const { server } = ground;
	return {
		topic,
		groupId: `bench-${randomUUID()}`,
		brokers: ground.brokers,
		doris: { feUrl: server.feUrl, beUrl: server.beUrl, user: server.user, password: server.password, db: BENCH_DB, table, queryPort: server.mysqlPort },
		...tuning,
	};
}

/** When the group is Stable its members have their partitions and start fetching. */
export async function waitGroupStable(admin: Admin, groupId: string): Promise<number> {
	let at = 0;
	await waitUntil(
		async () => {
			const { groups } = await admin.describeGroups([groupId]);
			if (groups[0]?.state !== 'Stable') return false;
			at = Date.now();
			return true;
		},
		120_000,
		20,
	);
	return at;
}

/** Messages of the topic the group has committed past (sum over partitions of committed − low watermark). */
export async function committedMessages(admin: Admin, groupId: string, topic: string): Promise<number> {
	const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
	let sum = 0;
	for (const end of ends) {
		const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
		if (offset >= 0) sum += offset - Number(end.low);
	}
	return sum;
}
