/**
 * The sinker's Prometheus metrics: one prom-client registry per process, shared by every node
 * instance in it. The names (kafka_messages_consumed_total, batch_flush_duration_seconds,
 * doris_stream_load_total, json_parse_errors_total, …) are what deployments/ (the Grafana dashboard,
 * the alert rules) and users' own queries read: renaming one breaks them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

/**
 * Every metric's `table` label: `database.table`, so tables of one name in two databases (a Database
 * expression, Map Rows to Tables) keep their own series. The Doris Schema node's metrics always carried
 * it so; the Stream Load node's carried the bare name, and two databases' `orders` shared one series.
 */
export function tableLabel(database: string, table: string): string {
	return `${database}.${table}`;
}

const bytesBuckets = [1024, 16384, 131072, 1048576, 4194304, 16777216, 67108864, 268435456];
const rowsBuckets = [1, 10, 100, 1000, 5000, 10000, 50000, 100000, 500000];

export const metrics = {
	kafkaMessagesConsumed: new Counter({
		name: 'kafka_messages_consumed_total',
		help: 'Kafka messages consumed (handed to a workflow execution)',
		labelNames: ['workflow', 'topic', 'partition'] as const,
		registers: [registry],
	}),
	kafkaConsumerLag: new Gauge({
		name: 'kafka_consumer_lag',
		help: 'End offset minus committed offset, per partition',
		labelNames: ['workflow', 'group', 'topic', 'partition'] as const,
		registers: [registry],
	}),
	kafkaCommittedOffset: new Gauge({
		name: 'kafka_committed_offset',
		help: 'Last offset committed for the consumer group, per partition',
		labelNames: ['workflow', 'group', 'topic', 'partition'] as const,
		registers: [registry],
	}),
	kafkaRedeliveries: new Counter({
		name: 'kafka_redeliveries_total',
		help: 'Partitions sought back for redelivery after a failed or timed-out execution',
		labelNames: ['workflow', 'topic', 'partition'] as const,
		registers: [registry],
	}),
	kafkaMessagesLost: new Counter({
		name: 'kafka_messages_lost_total',
		help: 'Offsets Kafka deleted (retention, DeleteRecords) before the sinker loaded them: the broker answered offset out of range and the position was reset to the log start',
		labelNames: ['workflow', 'topic', 'partition'] as const,
		registers: [registry],
	}),
	kafkaCorruptBatchHeld: new Gauge({
		name: 'kafka_corrupt_batch_held',
		help: '1 while the partition is held at a record batch whose CRC does not match (corrupt on the broker or on the way: not delivered, nothing past it committed; the n8n log names its offset and both CRCs), 0 for every other partition the consumer owns',
		labelNames: ['workflow', 'group', 'topic', 'partition'] as const,
		registers: [registry],
	}),
	kafkaCompactedTopicHeld: new Gauge({
		name: 'kafka_compacted_topic_held',
		help: '1 while a subscribed topic is held because its cleanup.policy was changed to compact (or cannot be read) while Tombstones "Skip" runs where a Doris Schema node deletes by Debezium\'s delete events, op d or flattened __deleted "true" (Kafka\'s log cleaner could remove those events and keep only the skipped tombstones): its partitions paused, nothing more of it read or committed, until the user releases it (for compacting, kept in the group\'s committed offsets across activations and n8n restarts: Tombstones no longer Skip, or the hold named in Release Compacted-Topic Holds; a policy set back to delete does not restore what the cleaner removed meanwhile), or until the policy can be read and does not compact (for an unreadable one); the n8n log names the topic and the fix. 0 for every other subscribed topic; only where such topics are refused',
		labelNames: ['workflow', 'group', 'topic'] as const,
		registers: [registry],
	}),
	kafkaTombstonesSkipped: new Counter({
		name: 'kafka_tombstones_skipped_total',
		help: 'Messages with a null value that were skipped by option',
		labelNames: ['workflow', 'topic'] as const,
		registers: [registry],
	}),
	executionsInFlight: new Gauge({
		name: 'sinker_executions_in_flight',
		help: 'Workflow executions emitted by the trigger and not finished yet',
		labelNames: ['workflow'] as const,
		registers: [registry],
	}),
	jsonParseErrors: new Counter({
		name: 'json_parse_errors_total',
		help: 'Messages or items whose value could not be parsed as JSON',
		labelNames: ['workflow', 'node', 'topic'] as const,
		registers: [registry],
	}),
	batchFlushDuration: new Histogram({
		name: 'batch_flush_duration_seconds',
		help: 'Time to load one batch into Doris (all attempts), from flush to acknowledgement',
		labelNames: ['workflow', 'table'] as const,
		// Fine around 1–2.5 s: a flush should take less than the batch interval plus a second (benchmark target).
		buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 10, 30, 60],
		registers: [registry],
	}),
	batchRows: new Histogram({
		name: 'batch_rows',
		help: 'Rows per flushed batch',
		labelNames: ['workflow', 'table'] as const,
		buckets: rowsBuckets,
		registers: [registry],
	}),
	batchBytes: new Histogram({
		name: 'batch_bytes',
		help: 'Bytes per flushed batch (as sent, before compression)',
		labelNames: ['workflow', 'table'] as const,
		buckets: bytesBuckets,
		registers: [registry],
	}),
	streamLoads: new Counter({
		name: 'doris_stream_load_total',
		help: 'Stream Load attempts by outcome: success, failed, retried, label_exists',
		labelNames: ['workflow', 'table', 'status'] as const,
		registers: [registry],
	}),
	rowsLoaded: new Counter({
		name: 'doris_rows_loaded_total',
		help: 'Rows Doris reported as loaded (NumberLoadedRows)',
		labelNames: ['workflow', 'table'] as const,
		registers: [registry],
	}),
	rowsFiltered: new Counter({
		name: 'doris_rows_filtered_total',
		help: 'Rows Doris filtered out (NumberFilteredRows)',
		labelNames: ['workflow', 'table'] as const,
		registers: [registry],
	}),
	rowsUnselected: new Counter({
		name: 'doris_rows_unselected_total',
		help: 'Rows a where header of the Doris Stream Load node left out (NumberUnselectedRows): not loaded, by that header',
		labelNames: ['workflow', 'table'] as const,
		registers: [registry],
	}),
	rowsRejected: new Counter({
		name: 'doris_rows_rejected_total',
		// `rule` tells rows Doris saw (doris_rejected, doris_not_loaded, doris_uncounted, doris_new_key) from rows taken out
		// before the load (csv_unwritable, null_sequence, missing_sequence, delete_sequence, delete_not_applied, delete_unsupported, delete_unordered, field_not_read, json_too_deep); src/batch/rejected-count.ts.
		help: 'Rows the Doris Stream Load node handed back on its Rejected output (not in Doris), by the rule that put them there',
		labelNames: ['workflow', 'table', 'rule'] as const,
		registers: [registry],
	}),
	fieldsUnmatched: new Counter({
		name: 'sinker_fields_unmatched_total',
		help: 'Fields of mapped items that match no column of the table (their values are not loaded); a rise after ALTER TABLE shows schema drift',
		labelNames: ['workflow', 'table'] as const,
		registers: [registry],
	}),
	rowsInvalid: new Counter({
		name: 'sinker_rows_invalid_total',
		help: 'Items the Doris Schema node sent to its invalid output',
		labelNames: ['workflow', 'table', 'rule'] as const,
		registers: [registry],
	}),
	ddlStatements: new Counter({
		name: 'doris_ddl_total',
		help: 'DDL statements the Doris Schema node issued: CREATE TABLE for a table a change stream named, ALTER TABLE ADD COLUMN for schema evolution',
		labelNames: ['table', 'kind', 'status'] as const,
		registers: [registry],
	}),
	bufferedBytes: new Gauge({
		name: 'sinker_batch_buffered_bytes',
		help: 'Bytes buffered in batches not yet loaded',
		labelNames: ['workflow', 'table'] as const,
		registers: [registry],
	}),
	/** Always 1: marks a scrape target as a sinker, so alerts on process_* series can join on it. */
	info: new Gauge({
		name: 'sinker_info',
		help: 'Always 1 in a process that loaded the Doris sinker; labels describe the runtime',
		labelNames: ['nodejs'] as const,
		registers: [registry],
	}),
	logMessagesSuppressed: new Counter({
		name: 'sinker_log_messages_suppressed_total',
		help: 'Log lines the sampler dropped because the same kind was logged too often in one interval',
		labelNames: ['level'] as const,
		registers: [registry],
	}),
};

metrics.info.set({ nodejs: process.versions.node }, 1);

export type SinkerMetrics = typeof metrics;

let processMetricsRegistered = false;

/**
 * Registers prom-client's process metrics (process_resident_memory_bytes, process_cpu_seconds_total,
 * nodejs_eventloop_lag_*, nodejs_gc_duration_seconds, heap sizes) once per process. Lazy, because
 * the event-loop and GC observers cost a little and are only worth it when someone scrapes; calling
 * it twice would throw "metric already registered", hence the flag.
 */
export function registerProcessMetrics(): void {
	if (processMetricsRegistered) return;
	processMetricsRegistered = true;
	collectDefaultMetrics({
		register: registry,
		// GC pauses in n8n are mostly minor collections well under 10 ms; major ones reach seconds.
		gcDurationBuckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
	});
}
