/**
 * What the Kafka → Doris Schema → Stream Load integration tests (Debezium logical types, tombstones,
 * Protobuf well-known types) share: a Doris test server with database `demo`, the mapper of one of its
 * tables as the Doris Schema node reads it, the Stream Load target of a table, and an execution's items
 * routed into rows as the Doris Schema node routes them.
 */
import { after, before } from 'node:test';

import { closeDorisClients, type DorisTargetConfig } from '../../src/batch/doris-target';
import { resetBatchers } from '../../src/batch/registry';
import { parseJsonExact } from '../../src/common/exact-json';
import { PACKED_ROWS_FIELD, type PackedRows } from '../../src/common/item-contract';
import { closeDorisPools } from '../../src/doris/mysql';
import { resolveSchema } from '../../src/doris/schema/resolve';
import { routeItems, type RouteLabels } from '../../src/doris/schema/route-items';
import { routePacked } from '../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper, type RowMapperOptions } from '../../src/doris/schema/row-mapper';
import { closeSchemaCache } from '../../src/doris/schema/schema-cache';
import type { LoadOptions } from '../../src/doris/stream-load/options';
import { startDorisTestServer, type DorisTestServer } from '../ground/doris/server';

export interface PipelineDoris {
	/** The file's Doris test server (started by its before hook). */
	readonly server: DorisTestServer;
	/** The row mapper of demo.`table` as the Doris Schema node builds it from the table's own columns (Auto). */
	mapper(table: string, options?: Partial<RowMapperOptions>): Promise<RowMapper>;
	/** The Stream Load target of demo.`table`: JSON, a batch sealed at 1,000 rows or after 100 ms, one load in flight, two retries. */
	target(table: string, labelPrefix: string, load?: Partial<LoadOptions>): DorisTargetConfig;
}

/**
 * A Doris test server with database `demo` for the file, `setup` run on it once; closed after the file
 * together with the shared batches, Stream Load clients, schema cache and MySQL pools the pipeline
 * opened to it (left open, they keep the test process alive).
 */
export function usePipelineDoris(setup?: (server: DorisTestServer) => Promise<void>): PipelineDoris {
	let server: DorisTestServer | undefined;
	before(async () => {
		server = await startDorisTestServer();
		await server.sql('CREATE DATABASE demo');
		await setup?.(server);
	});
	after(async () => {
		await resetBatchers();
		closeDorisClients();
		closeSchemaCache();
		await closeDorisPools();
		await server?.close();
	});
	const started = (): DorisTestServer => {
		if (server === undefined) throw new Error('usePipelineDoris: the server is started by its before hook, read it in a test');
		return server;
	};
	return {
		get server() {
			return started();
		},
		mapper: (table, options) => tableMapper(started(), table, options),
		target: (table, labelPrefix, load) => pipelineTarget(started(), table, labelPrefix, load),
	};
}

async function tableMapper(server: DorisTestServer, table: string, options: Partial<RowMapperOptions> = {}): Promise<RowMapper> {
	const connection = { feUrls: server.feUrls, queryHost: server.mysqlHost, queryPort: server.mysqlPort, user: server.user, password: server.password, database: 'demo' };
	const schema = await resolveSchema({ connection, database: 'demo', table, mode: 'auto', manualColumns: [], refreshIntervalMs: 0, validateOnStart: true, namedColumns: [] });
	return new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, ...options });
}

function pipelineTarget(server: DorisTestServer, table: string, labelPrefix: string, load: Partial<LoadOptions> = {}): DorisTargetConfig {
	return {
		connection: { feUrls: server.feUrls, user: server.user, password: server.password },
		database: 'demo',
		table,
		load: { format: 'json', timeoutSeconds: 60, ...load },
		labelPrefix,
		batch: { maxRows: 1000, maxBytes: 4 * 1024 * 1024, maxIntervalMs: 100, maxBufferedBytes: 16 * 1024 * 1024, maxInFlight: 1 },
		retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 10_000 },
	};
}

/**
 * An execution's items as the Doris Schema node routes them, one item per message or One Item per
 * Batch (a packed item's lines, parsed back): its rows, and its invalid items pushed onto `invalid`.
 */
export function routeToRows(items: ReadonlyArray<{ json: Record<string, unknown> }>, mapper: RowMapper, labels: RouteLabels, invalid: unknown[]): Array<Record<string, unknown>> {
	const rows: Array<Record<string, unknown>> = [];
	items.forEach((item, index) => {
		const packed = item.json[PACKED_ROWS_FIELD] as unknown as PackedRows | undefined;
		if (packed === undefined) {
			const routed = routeItems([item], mapper, labels);
			invalid.push(...routed.invalid.map((r) => r.json));
			rows.push(...routed.rows.map((r) => r.json));
			return;
		}
		const routed = routePacked(packed, mapper, labels, index);
		invalid.push(...routed.invalid.map((r) => r.json));
		for (const line of routed.packed?.jsonLines.split('\n').slice(0, -1) ?? []) rows.push(parseJsonExact(line) as Record<string, unknown>);
	});
	return rows;
}
