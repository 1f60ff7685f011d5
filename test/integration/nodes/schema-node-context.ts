/**
 * The narrow context the Doris Schema node's execute() reads, on a Doris test server: what the node
 * integration tests call it with instead of n8n. One Invalid branch is wired (a No Op), so invalid
 * items are routed rather than failing the execution.
 */
import { after } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { closeDorisPools } from '../../../src/doris/mysql';
import { closeSchemaCache } from '../../../src/doris/schema/schema-cache';
import type { DorisTestServer } from '../../ground/doris/server';

/**
 * The Doris test servers a describe block starts, closed after it together with the schema cache and
 * the MySQL pools the node opened to them (left open, they keep the test process alive).
 */
export function useDorisTestServers(): DorisTestServer[] {
	const servers: DorisTestServer[] = [];
	after(async () => {
		closeSchemaCache();
		await closeDorisPools();
		await Promise.all(servers.map((s) => s.close()));
	});
	return servers;
}

export interface LoggedLine {
	level: 'info' | 'warn';
	message: string;
	meta?: Record<string, unknown>;
}

export function schemaNodeContext(
	doris: DorisTestServer,
	params: Record<string, unknown>,
	items: INodeExecutionData[],
	options: { database: string; workflowId: string; logged?: LoggedLine[] },
): IExecuteFunctions {
	const log = (level: LoggedLine['level']) => (message: string, meta?: Record<string, unknown>) => void options.logged?.push({ level, message, meta });
	const ctx = {
		getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback),
		getNode: () => ({ name: 'Doris Schema', type: 'n8n-nodes-doris-sinker.dorisSchema', typeVersion: 1, position: [0, 0], parameters: {}, id: 'n1' }),
		getChildNodes: () => [{ name: 'Dead letters', type: 'n8n-nodes-base.noOp', typeVersion: 1, disabled: false }],
		getMode: () => 'trigger',
		getInputData: () => items,
		getCredentials: async () => ({ feUrls: doris.feUrl, queryPort: doris.mysqlPort, user: doris.user, password: doris.password, database: options.database }),
		getWorkflow: () => ({ id: options.workflowId, name: 'wf', active: true }),
		continueOnFail: () => false,
		logger: { info: log('info'), warn: log('warn') },
	};
	// The node only uses the methods of its SchemaContext; the rest of IExecuteFunctions is unused.
	return ctx as unknown as IExecuteFunctions;
}

/**
 * The Doris Schema node's Map Rows to Tables on `items`, into the existing tables of database `d` named
 * by each item's topic: how the delete files bring rows to the Doris Stream Load node.
 */
export async function mapRowsThroughSchemaNode(doris: DorisTestServer, workflowId: string, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const settings = { operation: 'mapRowsToTables', database: 'd', tableFrom: 'topic', databaseFrom: 'parameter', createTables: false, options: {} };
	return new DorisSchema().execute.call(schemaNodeContext(doris, settings, items, { database: 'd', workflowId }));
}

/** The `_kafka` field of a message read from `topic` at `offset` (partition 0, no key, no headers). */
export function kafkaOrigin(topic: string, offset: number) {
	return { topic, partition: 0, offset: String(offset), key: null, timestamp: '0', headers: {} };
}
