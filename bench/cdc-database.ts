/**
 * `npm run bench -- cdc-database [--changes N]`: rows per second of a whole database's Debezium change
 * stream (20 tables + 1 appearing mid-stream, inserts, updates, deletes, an added column) in real n8n,
 * three ways over the same backlog: one workflow (examples/cdc-database.json, one item per message),
 * the same with One Item per Batch, and one workflow per table (examples/cdc-debezium.json, as CDC had
 * to be run before Map Rows to Tables). Each run also checks every table against the stream's final
 * state, so a fast wrong run cannot pass for a fast one.
 *
 * A measurement, so it lives here and not in `npm test` (test/e2e/cdc-database.test.ts checks the same
 * workflow's correctness under kill -9). Writes bench/results/<date>-cdc-database-<changes>.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { NEW_COLUMN } from '../test/fixtures/debezium/database';
import { assertTables, lag, newCase, oneWorkflow, PARTITIONS, perTableWorkflow, produce, TABLES, type Case } from '../test/e2e/support/cdc-database';
import { startWorld, type E2eWorld } from '../test/e2e/support/fixture';
import { deployWorkflow } from '../test/e2e/support/n8n-setup';
import { waitFor } from '../test/support/wait-for';

const log = (msg: string): void => console.error(`[bench cdc-database] ${msg}`);

interface Figures {
	label: string;
	changes: number;
	ms: number;
	rowsPerSecond: number;
}

function changesFlag(argv: string[]): number {
	const at = argv.indexOf('--changes');
	if (at < 0) return 30_000;
	const value = Number(argv[at + 1]);
	if (!Number.isInteger(value) || value < 1000) throw new Error(`--changes: "${argv[at + 1]}" is not a whole number of at least 1000`);
	return value;
}

/** Produces the whole backlog first, then deploys: the clock runs from deploy to every topic committed. */
async function measure(
	world: E2eWorld,
	label: string,
	changes: number,
	deploy: (c: Case) => Promise<string[]>,
	groupOf: (c: Case) => (table: string) => string,
	prepare?: (c: Case) => Promise<void>,
): Promise<Figures> {
	const c = await newCase(world, label, changes);
	await prepare?.(c);
	await world.kafka.createTopic(c.topicOf(c.stream.lateTable), PARTITIONS);
	await produce(world, c.stream.messages);
	const started = Date.now();
	const ids = await deploy(c);
	await waitFor(`${label}: every topic committed`, async () => (await lag(world, c, groupOf(c))) === 0, { timeoutMs: 900_000, intervalMs: 500 });
	const ms = Date.now() - started;
	assertTables(world, c);
	for (const id of ids) await world.n8n.deactivate(id).catch(() => undefined);
	const count = c.stream.messages.filter((m) => m.value !== null).length;
	const figures = { label, changes: count, ms, rowsPerSecond: Math.round((count / ms) * 1000) };
	log(`${label}: ${count} changes in ${ms} ms = ${figures.rowsPerSecond} rows/s`);
	return figures;
}

async function main(): Promise<void> {
	const changes = changesFlag(process.argv.slice(2));
	const world = await startWorld('bench-cdc-database');
	try {
		const trigger = { executionsInFlight: 20, options: { topicCheckSeconds: 2, executionTimeoutSeconds: 120 } };
		const one = await measure(world, 'cdcone', changes, async (c) => [await deployWorkflow(world.n8n, oneWorkflow(world, c, trigger))], (c) => () => c.groupId);
		// One Item per Batch: the lines carry no Kafka key, so the created table's key is named.
		const packed = await measure(
			world,
			'cdcpacked',
			changes,
			async (c) => [await deployWorkflow(world.n8n, oneWorkflow(world, c, { ...trigger, output: 'batch' }, { keyColumns: 'id' }))],
			(c) => () => c.groupId,
		);
		const perTable = await measure(
			world,
			'cdcper',
			changes,
			async (c) => {
				const ids: string[] = [];
				for (const table of [...c.stream.tables, c.stream.lateTable]) ids.push(await deployWorkflow(world.n8n, perTableWorkflow(world, c, table)));
				return ids;
			},
			(c) => (table) => `${c.groupId}-${table}`,
			// Without schema evolution and table creation, the tables must hold every column beforehand.
			async (c) => {
				await world.doris.sql(c.stream.ddl(c.stream.lateTable, c.database));
				await world.doris.sql(`ALTER TABLE ${c.database}.${c.stream.evolvingTable} ADD COLUMN ${NEW_COLUMN} STRING NULL`);
			},
		);
		const rows = [
			['one workflow, one item per message (20 in flight, Keep Order per Partition)', one],
			['one workflow, One Item per Batch', packed],
			[`one workflow per table (${TABLES + 1} workflows)`, perTable],
		] as const;
		const md = [
			`# Whole database in one workflow: ${one.changes} changes over ${TABLES + 1} tables`,
			'',
			`${new Date().toISOString()}, \`npm run bench -- cdc-database --changes ${changes}\`; every table checked against the stream's final state.`,
			'',
			'| workflow | time | rows/s |',
			'|---|---:|---:|',
			...rows.map(([title, f]) => `| ${title} | ${(f.ms / 1000).toFixed(1)} s | ${f.rowsPerSecond.toLocaleString('en-US')} |`),
			'',
		].join('\n');
		const folder = resolve(__dirname, 'results');
		mkdirSync(folder, { recursive: true });
		const file = join(folder, `${new Date().toISOString().slice(0, 10)}-cdc-database-${changes}.md`);
		writeFileSync(file, md);
		process.stdout.write(`${md}\n(written to ${file})\n`);
	} finally {
		await world.close();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
