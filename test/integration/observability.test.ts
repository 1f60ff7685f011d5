/**
 * A real Prometheus (1 s scrapes) scrapes the sinker's metrics server while real work runs in this
 * process, then answers for the key series, the alert rules and every dashboard expression.
 *
 * The work is the product's own code on the real parts: Stream Loads through loadIntoDoris into the
 * Doris test server (one retried after an HTTP 500, one refused for an unknown table, one with a row
 * Doris filters), the Doris Stream Load node handing rows back on Rejected (one Doris refuses, one
 * taken out before the load), and the Kafka consumer path on the real broker (SinkerConsumer → RowMapper /
 * routeItems → loadIntoDoris, wired by the reliability harness) over a topic holding good rows, a
 * malformed JSON message, an invalid row, a tombstone, and a first load Doris rejects (redelivered).
 * Every key series must reach Prometheus with exactly the value this process counted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { executeStreamLoad } from '../../nodes/DorisStreamLoad/execute';
import { loadIntoDoris, type DorisTargetConfig } from '../../src/batch/doris-target';
import { metrics } from '../../src/metrics/metrics';
import { ensureMetricsServer, stopMetricsServer, type MetricsServerHandle } from '../../src/metrics/server';
import { assertInvariant, DATABASE, World, type Case } from '../reliability/harness/world';
import type { ToProduce } from '../reliability/harness/ledger';
import { waitFor, type WaitOptions } from '../support/wait-for';
import { startPrometheus, type RunningPrometheus } from './observability-prometheus';
import { nodeContextsFor } from './stream-load-support';

const root = join(__dirname, '..', '..');
const WF = 'wf-observability';
const MISSING_TABLE = 'no_such_table';
/** A table as metrics' `table` label carries it. */
const labelOf = (table: string) => `${DATABASE}.${table}`;

let server: MetricsServerHandle;
let prometheus: RunningPrometheus;
let world: World;
let kafkaCase: Case;
let directTable: string;
let nodeTable: string;

before(async () => {
	server = await ensureMetricsServer({ port: 0 });
	prometheus = await startPrometheus({
		targets: [`127.0.0.1:${server.port}`],
		ruleFiles: [join(root, 'deployments/prometheus/alerts.yml')],
	});
	world = await World.start();
});

after(async () => {
	await world?.close();
	await prometheus?.stop();
	await stopMetricsServer();
});

/** Prometheus scrapes every second and evaluates rules as often; a query error means "not yet". */
const SCRAPED: WaitOptions = { timeoutMs: 15_000, intervalMs: 200, retryErrors: true };

/** The first sample of `expr` once `accept` takes it (scrapes arrive every second). */
async function sampled(expr: string, accept: (value: number) => boolean, what = expr): Promise<number> {
	let last = NaN;
	return await waitFor(
		what,
		async () => {
			const [sample] = await prometheus.query(expr);
			last = sample === undefined ? NaN : Number(sample.value[1]);
			return accept(last) ? last : undefined;
		},
		{ ...SCRAPED, progress: () => `last value: ${last}` },
	);
}

const positive = (expr: string) => sampled(expr, (v) => v > 0, `${expr} > 0`);

interface Collectable {
	get(): Promise<{ values: Array<{ value: number; labels: Partial<Record<string, string | number>>; metricName?: string }> }>;
}

/** What this process counted: the sum of a metric's values whose labels match (histograms: by series name). */
async function counted(metric: Collectable, match: Record<string, string> = {}, series?: string): Promise<number> {
	const { values } = await metric.get();
	return values
		.filter((v) => (series === undefined || v.metricName === series) && Object.entries(match).every(([k, want]) => String(v.labels[k]) === want))
		.reduce((sum, v) => sum + v.value, 0);
}

function target(table: string, extra: Partial<DorisTargetConfig['load']> = {}): DorisTargetConfig {
	const { doris } = world;
	return {
		connection: { feUrls: doris.feUrls, user: doris.user, password: doris.password },
		database: DATABASE,
		table,
		load: { format: 'json', timeoutSeconds: 60, ...extra },
		labelPrefix: 'obs',
		batch: { maxRows: 1000, maxBytes: 4 * 1024 * 1024, maxIntervalMs: 100, maxBufferedBytes: 16 * 1024 * 1024, maxInFlight: 1 },
		retry: { maxRetries: 3, initialDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 10_000 },
		requestTimeoutMs: 5_000,
		logger: world.capture.logger,
	};
}

const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: from + i, v: `r${from + i}` }));

describe('Prometheus scraping the metrics server during a real load', { timeout: 90_000 }, () => {
	it('scrapes the target', async () => {
		assert.equal(await positive('up{job="n8n"}'), 1);
	});

	it('Stream Loads through loadIntoDoris: success, retried after an HTTP 500, filtered, failed', async () => {
		directTable = await world.createTable('UNIQUE', 'v VARCHAR(8)');
		const config = target(directTable);
		await loadIntoDoris(config, rows(0, 40), { flushNow: true });
		world.doris.faults.http500(1);
		await loadIntoDoris(config, rows(100, 40), { flushNow: true });
		// Doris filters the over-long value (VARCHAR(8)) and, allowed by max_filter_ratio, loads the rest.
		await loadIntoDoris(target(directTable, { maxFilterRatio: 0.5 }), [...rows(200, 9), { id: 209, v: 'much too long' }], { flushNow: true });
		await Promise.all([loadIntoDoris(config, rows(300, 30), { flushNow: true }), loadIntoDoris(config, rows(400, 30), { flushNow: true })]);
		assert.equal(world.doris.tableRows(DATABASE, directTable).length, 40 + 40 + 9 + 30 + 30);

		await assert.rejects(loadIntoDoris(target(MISSING_TABLE), rows(0, 5), { flushNow: true }), /unknown table/);
		// Fail again once Prometheus holds the first failure: a counter must rise between scrapes for
		// rate() to see it, and the failure-ratio alert is checked below.
		await sampled(`sum(doris_stream_load_total{status="failed", table="${labelOf(MISSING_TABLE)}"})`, (v) => v === 1);
		await assert.rejects(loadIntoDoris(target(MISSING_TABLE), rows(0, 5), { flushNow: true }), /unknown table/);

		assert.equal(await counted(metrics.streamLoads, { table: labelOf(directTable), status: 'retried' }), 1);
		assert.equal(await counted(metrics.streamLoads, { table: labelOf(directTable), status: 'success' }), 5);
		assert.equal(await counted(metrics.streamLoads, { table: labelOf(MISSING_TABLE), status: 'failed' }), 2);
		assert.equal(await counted(metrics.rowsFiltered, { table: labelOf(directTable) }), 1);
	});

	it('the Doris Stream Load node: rows it hands back on Rejected are counted by rule, those Doris refused apart from those taken out before the load', async () => {
		nodeTable = await world.createTable('DUPLICATE', 'note VARCHAR(8)');
		const nodeContext = nodeContextsFor(() => world.doris, DATABASE, WF);
		// Row 2 is over VARCHAR(8): Doris refuses it in strict mode. Row 3 holds CSV's column separator: taken out before the load.
		const items = [{ id: 1, note: 'ok' }, { id: 2, note: 'much too long' }, { id: 3, note: 'a\x01b' }, { id: 4, note: 'fine' }].map((json) => ({ json }));
		const [summary, rejected] = await executeStreamLoad(nodeContext({ table: nodeTable, format: 'csv', csvColumns: 'id, note' }, items, { mode: 'manual', connected: [0, 1] }));
		assert.equal(summary[0].json.status, 'Success');
		const rule = (json: Record<string, unknown>) => (json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule;
		assert.deepEqual(rejected.map((r) => [r.json.id, rule(r.json)]).sort(), [[2, 'doris_rejected'], [3, 'csv_unwritable']]);
		assert.deepEqual(world.doris.tableRows(DATABASE, nodeTable).map((r) => Number(r.id)).sort(), [1, 4]);
		assert.equal(await counted(metrics.rowsRejected, { workflow: WF, table: labelOf(nodeTable), rule: 'doris_rejected' }), 1);
		assert.equal(await counted(metrics.rowsRejected, { workflow: WF, table: labelOf(nodeTable), rule: 'csv_unwritable' }), 1);
		assert.equal(await counted(metrics.rowsRejected, { table: labelOf(nodeTable) }), 2, 'each row once');
	});

	it('the Kafka consumer path: consumed, mapped, loaded, committed; bad messages counted; a rejected load redelivered', async () => {
		kafkaCase = await world.newCase({
			partitions: 2,
			columns: 'v VARCHAR(16)',
			consumer: {
				labels: { workflow: WF, node: 'Kafka Trigger' },
				lagIntervalMs: 500,
				parser: { format: 'json', includeMetadata: true, tombstones: 'skip' },
			},
		});
		const extra: ToProduce[] = [
			{ partition: 0, id: null, value: '{"id": 9000, "v": ', invalid: { rule: 'parse_error', column: null } },
			{ partition: 1, id: null, value: JSON.stringify({ id: 9001, v: 'x'.repeat(40) }), invalid: { rule: 'too_long', column: 'v' } },
			{ partition: 1, id: null, value: null, key: 'gone' },
		];
		// The first Stream Load of the topic's rows is refused for a reason no retry or split can help
		// (a refusal of some rows would be split and loaded around instead): its executions fail and
		// the consumer seeks back; the redelivery loads them. The bad messages come after that has
		// settled, so each is counted once.
		world.doris.faults.fail(1, '[ANALYSIS_ERROR]errCode = 2, detailMessage = the load was refused');
		await kafkaCase.produceRows(0, 100);
		await kafkaCase.pipeline.settle(30_000);
		await kafkaCase.produce(extra);
		await kafkaCase.produceRows(100, 100);
		await kafkaCase.pipeline.settle(30_000);
		assertInvariant(kafkaCase);
		assert.ok(kafkaCase.pipeline.failures.length >= 1, 'the refused load failed an execution');
		for (const reason of kafkaCase.pipeline.failures) assert.match(reason, /the load was refused/);
		assert.equal(kafkaCase.pipeline.invalid.size, 2);

		const { topic, table } = kafkaCase;
		assert.ok((await counted(metrics.kafkaMessagesConsumed, { workflow: WF, topic })) >= 202);
		assert.equal(await counted(metrics.kafkaTombstonesSkipped, { workflow: WF, topic }), 1);
		assert.ok((await counted(metrics.kafkaRedeliveries, { workflow: WF, topic })) >= 1);
		assert.equal(await counted(metrics.jsonParseErrors, { node: 'Kafka Trigger', topic }), 1);
		// The Doris Schema side labels invalid rows with the qualified table name.
		assert.equal(await counted(metrics.rowsInvalid, { table: `${DATABASE}.${table}` }), 2);
		assert.ok((await counted(metrics.streamLoads, { table: labelOf(table), status: 'failed' })) >= 1);
		assert.ok((await counted(metrics.streamLoads, { table: labelOf(table), status: 'success' })) >= 1);
	});

	it('has the key series in Prometheus, each equal to what the process counted', async (t) => {
		const { topic, table } = kafkaCase;
		const checks: Array<[string, Promise<number>]> = [
			[`sum(kafka_messages_consumed_total{workflow="${WF}", topic="${topic}"})`, counted(metrics.kafkaMessagesConsumed, { workflow: WF, topic })],
			[`sum(kafka_redeliveries_total{workflow="${WF}"})`, counted(metrics.kafkaRedeliveries, { workflow: WF })],
			[`sum(kafka_tombstones_skipped_total{workflow="${WF}"})`, counted(metrics.kafkaTombstonesSkipped, { workflow: WF })],
			[`sum(json_parse_errors_total{workflow="${WF}"})`, counted(metrics.jsonParseErrors, { workflow: WF })],
			[`sum(json_parse_errors_total)`, counted(metrics.jsonParseErrors)],
			[`sum(sinker_rows_invalid_total{table="${DATABASE}.${table}"})`, counted(metrics.rowsInvalid, { table: `${DATABASE}.${table}` })],
			[`sum(batch_flush_duration_seconds_count)`, counted(metrics.batchFlushDuration, {}, 'batch_flush_duration_seconds_count')],
			[`sum(batch_rows_count)`, counted(metrics.batchRows, {}, 'batch_rows_count')],
			[`sum(batch_rows_sum)`, counted(metrics.batchRows, {}, 'batch_rows_sum')],
			[`sum(batch_bytes_sum)`, counted(metrics.batchBytes, {}, 'batch_bytes_sum')],
			[`sum(doris_stream_load_total{status="success"})`, counted(metrics.streamLoads, { status: 'success' })],
			[`sum(doris_stream_load_total{status="retried"})`, counted(metrics.streamLoads, { status: 'retried' })],
			[`sum(doris_stream_load_total{status="failed"})`, counted(metrics.streamLoads, { status: 'failed' })],
			[`sum(doris_stream_load_total{status="failed", table="${labelOf(table)}"})`, counted(metrics.streamLoads, { table: labelOf(table), status: 'failed' })],
			[`sum(doris_rows_loaded_total)`, counted(metrics.rowsLoaded)],
			[`sum(doris_rows_filtered_total{table="${labelOf(directTable)}"})`, counted(metrics.rowsFiltered, { table: labelOf(directTable) })],
			[`sum(doris_rows_rejected_total{workflow="${WF}", table="${labelOf(nodeTable)}", rule="doris_rejected"})`, counted(metrics.rowsRejected, { workflow: WF, table: labelOf(nodeTable), rule: 'doris_rejected' })],
			[`sum(doris_rows_rejected_total{workflow="${WF}", table="${labelOf(nodeTable)}", rule="csv_unwritable"})`, counted(metrics.rowsRejected, { workflow: WF, table: labelOf(nodeTable), rule: 'csv_unwritable' })],
			[`sum(doris_rows_rejected_total{table="${labelOf(nodeTable)}"})`, counted(metrics.rowsRejected, { table: labelOf(nodeTable) })],
		];
		const figures: string[] = [];
		for (const [expr, local] of checks) {
			const want = await local;
			assert.ok(want > 0, `this process counted nothing for ${expr}`);
			await sampled(expr, (v) => v === want, `${expr} == ${want}`);
			figures.push(`${expr} = ${want}`);
		}
		// Every row that reached a table went through a batch: the batch sizes add up to at least that.
		const tableRows = world.doris.tableRows(DATABASE, directTable).length + world.doris.tableRows(DATABASE, table).length;
		assert.ok((await counted(metrics.batchRows, {}, 'batch_rows_sum')) >= tableRows);

		// Lag per owned partition, measured from the broker; 0 once everything is committed.
		const lag = await waitFor('kafka_consumer_lag for both partitions', async () => {
			const r = await prometheus.query(`kafka_consumer_lag{workflow="${WF}", topic="${topic}"}`);
			return r.length === 2 ? r : undefined;
		}, SCRAPED);
		assert.deepEqual(lag.map((s) => s.metric.partition).sort(), ['0', '1']);
		await positive(`max(kafka_committed_offset{workflow="${WF}", topic="${topic}"})`);
		const inFlight = await prometheus.query(`sinker_executions_in_flight{workflow="${WF}"}`);
		assert.equal(inFlight.length, 1);

		for (const expr of ['process_resident_memory_bytes{job="n8n"}', 'process_cpu_seconds_total{job="n8n"}', 'nodejs_heap_size_used_bytes{job="n8n"}', 'sinker_info{job="n8n"}']) {
			assert.ok((await positive(expr)) > 0, expr);
		}
		t.diagnostic(figures.join('; '));
	});

	it('evaluates every alert rule without error; only the failure ratio of the unknown table is pending', async () => {
		type Rule = { name: string; health: string; lastError?: string; state: string; lastEvaluation: string; alerts?: Array<{ labels: Record<string, string>; state: string }> };
		const rules = await waitFor('all seven alert rules evaluated, the failure ratio pending', async () => {
			const res = await fetch(`${prometheus.url}/api/v1/rules?type=alert`);
			const body = (await res.json()) as { data: { groups: Array<{ rules: Rule[] }> } };
			const all = body.data.groups.flatMap((g) => g.rules);
			const evaluated = all.filter((r) => !r.lastEvaluation.startsWith('0001-'));
			const failure = all.find((r) => r.name === 'DorisSinkerHighFailureRate');
			return all.length === 7 && evaluated.length === 7 && failure?.state === 'pending' ? all : undefined;
		}, SCRAPED);
		for (const rule of rules) {
			assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
			if (rule.name === 'DorisSinkerHighFailureRate') {
				// Every attempt on the unknown table failed, twice within the window; `for: 5m` keeps it pending.
				assert.deepEqual(
					(rule.alerts ?? []).map((a) => [a.labels.table, a.state]),
					[[labelOf(MISSING_TABLE), 'pending']],
				);
			} else {
				assert.equal(rule.state, 'inactive', rule.name);
			}
		}
	});

	it('answers every dashboard expression with data', async () => {
		const dashboard = JSON.parse(readFileSync(join(root, 'deployments/grafana/dashboard.json'), 'utf8')) as {
			panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
		};
		let answered = 0;
		for (const panel of dashboard.panels) {
			for (const target of panel.targets ?? []) {
				// What Grafana substitutes: the rate interval, and "All" for the variables.
				const expr = target.expr.replaceAll('$__rate_interval', '5s').replaceAll('$workflow', '.*').replaceAll('$instance', '.*');
				if (expr.includes('sinker_log_messages_suppressed_total')) {
					await prometheus.query(expr); // valid PromQL; no line was suppressed in this run
					continue;
				}
				const result = await waitFor(`data for "${panel.title}": ${expr}`, async () => {
					const r = await prometheus.query(expr);
					return r.length > 0 ? r : undefined;
				}, SCRAPED);
				assert.ok(result.length > 0, panel.title);
				answered++;
			}
		}
		assert.ok(answered >= 20, `${answered} dashboard expressions answered`);
	});
});
