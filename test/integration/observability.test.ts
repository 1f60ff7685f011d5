/**
 * A real Prometheus scrapes the sinker's metrics server while load runs, and answers for the key
 * series, the alert rules and every dashboard expression.
 *
 * The load drives the real metric objects the way the Kafka trigger, the batcher and the Stream Load
 * client update them (the Doris test server's in-process API was not there when this was written;
 * the Stream Load path's own tests cover that its events reach these objects).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { metrics } from '../../src/metrics/metrics';
import { ensureMetricsServer, stopMetricsServer, type MetricsServerHandle } from '../../src/metrics/server';
import { startPrometheus, waitFor, type RunningPrometheus } from './observability-prometheus';

const root = join(__dirname, '..', '..');
const WF = 'wf-observability';

let server: MetricsServerHandle;
let prometheus: RunningPrometheus;
let load: NodeJS.Timeout | undefined;

/** One tick of a sinker at work: messages consumed, a batch flushed and loaded, lag moving. */
function tick(n: number): void {
	for (const partition of ['0', '1']) {
		metrics.kafkaMessagesConsumed.inc({ workflow: WF, topic: 'orders', partition }, 50);
		metrics.kafkaConsumerLag.set({ workflow: WF, group: 'sink', topic: 'orders', partition }, 1000 + n);
		metrics.kafkaCommittedOffset.set({ workflow: WF, group: 'sink', topic: 'orders', partition }, n * 50);
	}
	metrics.executionsInFlight.set({ workflow: WF }, 1 + (n % 3));
	metrics.batchRows.observe({ workflow: WF, table: 'orders' }, 100);
	metrics.batchBytes.observe({ workflow: WF, table: 'orders' }, 24_000);
	metrics.batchFlushDuration.observe({ workflow: WF, table: 'orders' }, 0.02 + (n % 5) / 100);
	metrics.streamLoads.inc({ workflow: WF, table: 'orders', status: n % 10 === 9 ? 'retried' : 'success' });
	metrics.rowsLoaded.inc({ workflow: WF, table: 'orders' }, 99);
	metrics.rowsFiltered.inc({ workflow: WF, table: 'orders' }, 1);
	metrics.rowsInvalid.inc({ workflow: WF, table: 'orders', rule: 'type' }, 1);
	metrics.jsonParseErrors.inc({ workflow: WF, node: 'Kafka Trigger', topic: 'orders' });
	metrics.kafkaTombstonesSkipped.inc({ workflow: WF, topic: 'orders' });
	if (n % 20 === 0) metrics.kafkaRedeliveries.inc({ workflow: WF, topic: 'orders', partition: '0' });
	metrics.bufferedBytes.set({ workflow: WF, table: 'orders' }, 4096 * (n % 4));
}

before(async () => {
	server = await ensureMetricsServer({ port: 0 });
	let n = 0;
	tick(n++);
	load = setInterval(() => tick(n++), 100);
	prometheus = await startPrometheus({
		targets: [`127.0.0.1:${server.port}`],
		ruleFiles: [join(root, 'deployments/prometheus/alerts.yml')],
	});
});

after(async () => {
	clearInterval(load);
	await prometheus?.stop();
	await stopMetricsServer();
});

/** The first sample of `expr`, once Prometheus has one above zero (scrapes arrive every second). */
async function positive(expr: string): Promise<number> {
	return waitFor(`${expr} > 0`, 15_000, async () => {
		const [sample] = await prometheus.query(expr);
		const value = sample === undefined ? NaN : Number(sample.value[1]);
		return value > 0 ? value : undefined;
	});
}

describe('Prometheus scraping the metrics server', () => {
	it('scrapes the target', async () => {
		const up = await positive('up{job="n8n"}');
		assert.equal(up, 1);
	});

	it('has non-zero values for the key series', async () => {
		const exprs = [
			`sum(rate(kafka_messages_consumed_total{workflow="${WF}"}[5s]))`,
			`max(kafka_consumer_lag{workflow="${WF}", partition="1"})`,
			`max(kafka_committed_offset{workflow="${WF}"})`,
			`sum(sinker_executions_in_flight{workflow="${WF}"})`,
			`histogram_quantile(0.99, sum by (le) (rate(batch_flush_duration_seconds_bucket{workflow="${WF}"}[5s])))`,
			`sum(rate(batch_rows_sum{workflow="${WF}"}[5s])) / sum(rate(batch_rows_count{workflow="${WF}"}[5s]))`,
			`sum(doris_stream_load_total{workflow="${WF}", status="success"})`,
			`sum(doris_rows_loaded_total{workflow="${WF}"})`,
			`sum(sinker_rows_invalid_total{workflow="${WF}"})`,
			`sum(json_parse_errors_total{workflow="${WF}"})`,
			'process_resident_memory_bytes{job="n8n"}',
			'process_cpu_seconds_total{job="n8n"}',
			'nodejs_heap_size_used_bytes{job="n8n"}',
			'sinker_info{job="n8n"}',
		];
		for (const expr of exprs) assert.ok((await positive(expr)) > 0, expr);
		// The ticks give 100 rows per batch; an average far from it means a label or unit mix-up.
		const avg = await positive(`sum(rate(batch_rows_sum{workflow="${WF}"}[5s])) / sum(rate(batch_rows_count{workflow="${WF}"}[5s]))`);
		assert.ok(Math.abs(avg - 100) < 1e-6, `average batch rows ${avg}`);
	});

	it('evaluates every alert rule without error, none firing on a healthy load', async () => {
		const rules = await waitFor('all four alert rules evaluated', 15_000, async () => {
			const res = await fetch(`${prometheus.url}/api/v1/rules?type=alert`);
			const body = (await res.json()) as {
				data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; state: string; lastEvaluation: string }> }> };
			};
			const all = body.data.groups.flatMap((g) => g.rules);
			const evaluated = all.filter((r) => !r.lastEvaluation.startsWith('0001-'));
			return all.length === 4 && evaluated.length === 4 ? all : undefined;
		});
		for (const rule of rules) {
			assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
			assert.equal(rule.state, 'inactive', rule.name);
		}
	});

	it('answers every dashboard expression with data', async () => {
		const dashboard = JSON.parse(readFileSync(join(root, 'deployments/grafana/dashboard.json'), 'utf8')) as {
			panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
		};
		for (const panel of dashboard.panels) {
			for (const target of panel.targets ?? []) {
				// What Grafana substitutes: the rate interval, and "All" for the variables.
				const expr = target.expr.replaceAll('$__rate_interval', '5s').replaceAll('$workflow', '.*').replaceAll('$instance', '.*');
				if (expr.includes('sinker_log_messages_suppressed_total')) {
					await prometheus.query(expr); // valid PromQL; no line was suppressed in this run
					continue;
				}
				const result = await waitFor(`data for "${panel.title}": ${expr}`, 15_000, async () => {
					const r = await prometheus.query(expr);
					return r.length > 0 ? r : undefined;
				});
				assert.ok(result.length > 0, panel.title);
			}
		}
	});
});
