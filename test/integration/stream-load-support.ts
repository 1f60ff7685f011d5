/**
 * Set-up shared by the Stream Load integration tests: a Doris test server with database `d` for a
 * file or a suite, tables in it, DorisTargetConfig for the shared batch, and the narrow n8n context
 * the Doris Stream Load node's execute reads.
 */
import { after, before } from 'node:test';

import type { INode, INodeExecutionData } from 'n8n-workflow';

import { startDorisTestServer, type DorisTestServer, type DorisTestServerOptions } from '../ground/doris/server';
import type { executeStreamLoad } from '../../nodes/DorisStreamLoad/execute';
import { closeDorisClients, type DorisTargetConfig } from '../../src/batch/doris-target';
import { flushAll } from '../../src/batch/registry';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../src/common/item-contract';
import { closeDorisPools } from '../../src/doris/mysql';
import { closeSchemaCache } from '../../src/doris/schema/schema-cache';
import { StreamLoadClient, type StreamLoadClientConfig } from '../../src/doris/stream-load/client';
import { buildLoadHeaders } from '../../src/doris/stream-load/headers';
import type { LoadOptions } from '../../src/doris/stream-load/options';

/** A table in `d`; without a name it gets the next free one (t1, t2, ...). */
export interface TableSpec {
	name?: string;
	/** Default `id INT, v VARCHAR(32)`. */
	columns?: string;
	/** Default `DUPLICATE KEY(id)`. */
	keys?: string;
}

export interface DorisDatabaseSetup {
	/** Options of the test server; a function is called in the before hook (e.g. to read TLS files made there). */
	server?: DorisTestServerOptions | (() => DorisTestServerOptions);
	/** Tables made right after `CREATE DATABASE d`, in the same hook. */
	tables?: readonly TableSpec[];
	/** The test goes through src/batch: flush the shared batches and close their clients before the server closes. */
	sharedBatches?: boolean;
	/**
	 * The test reads tables over the MySQL port (the Doris Schema node, a partial update): close the
	 * schema cache and its connection pools before the server closes.
	 */
	readsTables?: boolean;
	/** Runs before the server closes (e.g. closing the test's own clients). */
	teardown?: () => void | Promise<void>;
}

export interface DorisDatabase {
	/** The Doris test server; made by the before hook, so read it in a test or hook. */
	readonly server: DorisTestServer;
	newTable(spec?: TableSpec): Promise<string>;
}

/**
 * Registers one before hook (server, database `d`, tables: chained, as Node 24 may run a file's
 * several top-level before hooks at once) and one after hook, in the file or suite it is called in.
 */
export function useDorisDatabase(setup: DorisDatabaseSetup = {}): DorisDatabase {
	let server: DorisTestServer | undefined;
	let tableNo = 0;
	const db: DorisDatabase = {
		get server() {
			if (!server) throw new Error('useDorisDatabase: the server is made by its before hook, read it in a test');
			return server;
		},
		async newTable({ name = `t${++tableNo}`, columns = 'id INT, v VARCHAR(32)', keys = 'DUPLICATE KEY(id)' } = {}) {
			await db.server.sql(`CREATE TABLE d.${name} (${columns}) ${keys} DISTRIBUTED BY HASH(id) BUCKETS 1`);
			return name;
		},
	};
	before(async () => {
		server = await startDorisTestServer(typeof setup.server === 'function' ? setup.server() : setup.server);
		await server.sql('CREATE DATABASE d');
		for (const spec of setup.tables ?? []) await db.newTable(spec);
	});
	after(async () => {
		if (setup.sharedBatches) {
			await flushAll();
			closeDorisClients();
		}
		if (setup.readsTables) {
			closeSchemaCache();
			await closeDorisPools();
		}
		await setup.teardown?.();
		await server?.close();
	});
	return db;
}

/**
 * StreamLoadClients against `db`'s test server: each call's overrides over `defaults` over quick
 * retries and short waits. `closeAll` closes every client made (call it from the set-up's teardown).
 */
export function streamLoadClientsIn(db: DorisDatabase, defaults: Partial<StreamLoadClientConfig> = {}) {
	const made: StreamLoadClient[] = [];
	const make = (over: Partial<StreamLoadClientConfig> = {}): StreamLoadClient => {
		const client = new StreamLoadClient({
			feUrls: db.server.feUrls,
			user: db.server.user,
			password: db.server.password,
			retry: { maxRetries: 4, initialDelayMs: 20, maxDelayMs: 100, maxElapsedMs: 20_000 },
			requestTimeoutMs: 5000,
			labelWait: { pollIntervalMs: 50, maxWaitMs: 5000 },
			...defaults,
			...over,
		});
		made.push(client);
		return client;
	};
	return { make, closeAll: () => made.forEach((client) => client.close()) };
}

let requestNo = 0;

/** A JSON Stream Load request into `d.<table>` with a fresh label `<labelPrefix>_<pid>_<n>`, one row per object. */
export function jsonLoadRequest(labelPrefix: string, rows: ReadonlyArray<Record<string, unknown>>, table = 't', columns?: string[]) {
	const label = `${labelPrefix}_${process.pid}_${++requestNo}`;
	const body = [Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n') + '\n')];
	const headers = buildLoadHeaders(columns === undefined ? { format: 'json' } : { format: 'json', columns }, label);
	return { database: 'd', table, label, headers, body };
}

export interface TargetOverrides {
	labelPrefix?: string;
	load?: Partial<LoadOptions>;
	batch?: Partial<DorisTargetConfig['batch']>;
}

/** A DorisTargetConfig factory for tables of `db`: each call's overrides over `defaults` over the base. */
export function targetsIn(db: DorisDatabase, defaults: TargetOverrides = {}) {
	return (table: string, over: TargetOverrides = {}): DorisTargetConfig => ({
		connection: { feUrls: db.server.feUrls, user: db.server.user, password: db.server.password },
		database: 'd',
		table,
		load: { format: 'json', ...defaults.load, ...over.load },
		labelPrefix: over.labelPrefix ?? defaults.labelPrefix ?? 'it',
		batch: { maxRows: 1000, maxBytes: 1 << 20, maxIntervalMs: 60_000, maxBufferedBytes: 4 << 20, maxInFlight: 1, ...defaults.batch, ...over.batch },
		retry: { maxRetries: 3, initialDelayMs: 10, maxDelayMs: 50, maxElapsedMs: 10_000 },
		requestTimeoutMs: 5000,
	});
}

type StreamLoadContext = Parameters<typeof executeStreamLoad>[0];

/** The workflow id the node contexts below carry: the `workflow` label of the node's metrics. */
export const NODE_TEST_WORKFLOW = 'wf-node-test';

const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' } as INode;
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };

/**
 * The running workflow's connections as n8n's execution context holds them (nodes/shared/outputs.ts):
 * `connected` lists which of the node's outputs lead to a node. Absent: the node cannot tell.
 */
export function workflowWith(connected: readonly number[]) {
	const main: Array<Array<{ node: string; type: string; index: number }>> = [];
	for (const index of connected) main[index] = [{ node: `After ${index}`, type: 'main', index: 0 }];
	return { workflow: { connectionsBySourceNode: { [node.name]: { main } } } };
}

/** A factory of the narrow n8n context the Doris Stream Load node's execute reads, with credentials for `db`. */
export function nodeContextsIn(db: DorisDatabase) {
	return nodeContextsFor(() => db.server, 'd');
}

/**
 * The same for any Doris test server (read when the node asks for its credential) and database, in a
 * workflow with id `workflow` (the node's metrics label).
 */
export function nodeContextsFor(server: () => DorisTestServer, database: string, workflow = NODE_TEST_WORKFLOW) {
	return (
		params: Record<string, unknown>,
		items: INodeExecutionData[],
		over: { mode?: string; continueOnFail?: boolean; connected?: readonly number[]; onError?: INode['onError'] } = {},
	): StreamLoadContext => ({
		...(over.connected === undefined ? {} : workflowWith(over.connected)),
		getWorkflow: () => ({ id: workflow, name: 'Node test', active: true }),
		getChildNodes: () => [{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, disabled: false }],
		getInputData: () => items,
		getNode: () => (over.onError === undefined ? node : { ...node, onError: over.onError }),
		getNodeParameter: ((name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback)) as never,
		getCredentials: (async () => {
			const { feUrls, mysqlPort, user, password } = server();
			return { feUrls: feUrls.join(','), queryPort: mysqlPort, user, password, database };
		}) as never,
		getMode: (() => over.mode ?? 'trigger') as never,
		continueOnFail: () => over.continueOnFail ?? false,
		getExecutionCancelSignal: () => undefined,
		logger: quiet as never,
	});
}

/** A packed item of `lines` (one partition from offset 0) that says some line carries the delete sign. */
export function packedDeleteItem(lines: string[]): INodeExecutionData {
	const packedRows: PackedRows = {
		jsonLines: lines.map((l) => `${l}\n`).join(''),
		count: lines.length,
		sources: [{ topic: 't', partition: 0, firstOffset: '0', lastOffset: String(lines.length - 1), lines: lines.length }],
		deleteSign: true,
	};
	return { json: { [PACKED_ROWS_FIELD]: packedRows } as never };
}
