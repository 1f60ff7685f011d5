/**
 * The orders example rewired for One Item per Batch straight into Doris Stream Load (no Doris Schema node),
 * On Error "Continue (using error output)", one output of the Stream Load node leading to the dead letters:
 * Rejected (1) or the error output (2). Its table `(id, name)` is created first.
 */
import { DATABASE } from './doris';
import { NODE_TYPES, nodeOfType } from './examples';
import { prepareScenario, type E2eWorld } from './fixture';

export async function packedStraightToStreamLoad(world: E2eWorld, table: string, lettersFrom: 1 | 2) {
	await world.doris.sql(`CREATE TABLE ${DATABASE}.${table} (id BIGINT NOT NULL, name VARCHAR(64) NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")`);
	const s = await prepareScenario(world, 'orders-low-frequency', {
		partitions: 1,
		tableFrom: 'orders',
		ddl: 'orders',
		overrides: { trigger: { output: 'batch', format: 'json' }, schema: { table }, streamLoad: { table } },
	});
	const schema = nodeOfType(s.workflow, NODE_TYPES.schema);
	const load = nodeOfType(s.workflow, NODE_TYPES.streamLoad);
	const letters = nodeOfType(s.workflow, NODE_TYPES.deadLetters);
	s.workflow.nodes = s.workflow.nodes.filter((node) => node !== schema);
	(load as unknown as Record<string, unknown>).onError = 'continueErrorOutput';
	const connections = s.workflow.connections as Record<string, { main: unknown[][] }>;
	const trigger = nodeOfType(s.workflow, NODE_TYPES.trigger).name;
	connections[trigger] = { main: [[{ node: load.name, type: 'main', index: 0 }]] };
	delete connections[schema.name];
	const main: unknown[][] = [[], [], []];
	main[lettersFrom] = [{ node: letters.name, type: 'main', index: 0 }];
	connections[load.name] = { main: lettersFrom === 1 ? main.slice(0, 2) : main };
	return s;
}
