/**
 * Scenario 2, the core pipeline without n8n: the sinker's consumer (src/kafka/sinker-consumer.ts,
 * executions with commit-after-load) → schema coercion (the table's schema read over MySQL, RowMapper
 * via routeItems, as the Doris Schema node does) → the shared batcher → Stream Load through the FE
 * (src/batch/doris-target.ts). Each execution finishes only when its rows are loaded, exactly the
 * contract the n8n nodes keep; what is missing is n8n's own per-execution cost.
 */
import type { DorisConnection } from '../src/doris/connection';
import { routeItems } from '../src/doris/schema/route-items';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../src/doris/schema/row-mapper';
import { closeSchemaCache, schemaCache } from '../src/doris/schema/schema-cache';
import { DEFAULT_RETRY } from '../src/doris/stream-load/retry';
import { closeDorisClients, loadIntoDoris, type DorisTargetConfig } from '../src/batch/doris-target';
import { flushAll } from '../src/batch/registry';
import { SINKER_DEFAULTS } from '../src/kafka/consumer-options';
import { SinkerConsumer } from '../src/kafka/sinker-consumer';
import { metrics } from '../src/metrics/metrics';
import { runWorker, type RunningWorker, type WorkerConfig } from './worker';

const MB = 1024 * 1024;

/** Every batch's flush duration as the batcher reports it to its Prometheus histogram, in ms. */
function recordFlushes(): number[] {
	const flushes: number[] = [];
	const histogram = metrics.batchFlushDuration;
	const observe = histogram.observe.bind(histogram) as (labels: { table: string }, seconds: number) => void;
	histogram.observe = ((labels: { table: string }, seconds: number) => {
		flushes.push(seconds * 1000);
		observe(labels, seconds);
	}) as typeof histogram.observe;
	return flushes;
}

export async function startCorePipeline(cfg: WorkerConfig): Promise<RunningWorker> {
	const { doris } = cfg;
	const connection: DorisConnection = {
		feUrls: [doris.feUrl],
		queryPort: doris.queryPort,
		queryHost: new URL(doris.feUrl).hostname,
		user: doris.user,
		password: doris.password,
		database: doris.db,
	};
	const mapper = new RowMapper(await schemaCache.get(connection, doris.db, doris.table), DEFAULT_ROW_MAPPER_OPTIONS);
	const labels = { workflow: 'bench', node: 'Doris Schema' };
	const flushes = recordFlushes();
	const target: DorisTargetConfig = {
		connection,
		database: doris.db,
		table: doris.table,
		load: { format: 'json' },
		labelPrefix: 'bench',
		// The Stream Load node's defaults for bytes: a row limit decides here.
		batch: { maxRows: cfg.batchRows, maxBytes: 256 * MB, maxIntervalMs: cfg.flushMs, maxBufferedBytes: 512 * MB, maxInFlight: 1 },
		retry: DEFAULT_RETRY,
	};

	const consumer = await SinkerConsumer.start(
		{
			...SINKER_DEFAULTS,
			redeliveryBackoff: { ...SINKER_DEFAULTS.redeliveryBackoff },
			connection: { brokers: cfg.brokers, clientId: 'bench-core-pipeline' },
			groupId: cfg.groupId,
			topics: { names: [cfg.topic] },
			maxRecordsPerExecution: cfg.execRows,
			executionsInFlight: cfg.inFlight,
			lagIntervalMs: 0,
			parser: { format: 'json', includeMetadata: false, tombstones: 'skip' },
			labels,
		},
		async (execution, signal) => {
			const { rows, invalid } = routeItems(execution.items, mapper, labels);
			if (invalid.length > 0) return { ok: false, reason: `${invalid.length} invalid rows: ${JSON.stringify(invalid[0].json).slice(0, 300)}` };
			await loadIntoDoris(
				target,
				rows.map((r) => r.json),
				{ signal },
			);
			return { ok: true };
		},
	);

	return {
		async stop() {
			await consumer.close();
			await flushAll();
			closeDorisClients();
			closeSchemaCache();
		},
		flushMs: () => flushes,
	};
}

if (require.main === module) runWorker(startCorePipeline);
