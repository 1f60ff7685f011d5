import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exposedSeriesNames, metricNamesIn, ruleExpressions } from './promql-names';

const root = join(__dirname, '..', '..', '..');

interface Target {
	expr?: string;
	refId?: string;
	datasource?: { type?: string; uid?: string };
}
interface Panel {
	id: number;
	type: string;
	title: string;
	gridPos: { h: number; w: number; x: number; y: number };
	datasource?: { type?: string; uid?: string };
	targets?: Target[];
}
interface Variable {
	name: string;
	type: string;
	query: string | { query: string };
	datasource?: { uid?: string };
}
interface Dashboard {
	title: string;
	uid: string;
	schemaVersion: number;
	panels: Panel[];
	templating: { list: Variable[] };
}

const dashboard = JSON.parse(readFileSync(join(root, 'deployments/grafana/dashboard.json'), 'utf8')) as Dashboard;
const graphPanels = dashboard.panels.filter((p) => p.type !== 'row');

describe('metricNamesIn', () => {
	it('keeps metric names and drops functions, labels, ranges, grouping and numbers', () => {
		assert.deepEqual(
			metricNamesIn(
				'histogram_quantile(0.99, sum by (le, table) (rate(batch_flush_duration_seconds_bucket{table="t", le!="x"}[5m]))) > 1e1',
			),
			['batch_flush_duration_seconds_bucket'],
		);
		assert.deepEqual(
			metricNamesIn('process_resident_memory_bytes > 2 * 1024 and on (job, instance) sinker_info'),
			['process_resident_memory_bytes', 'sinker_info'],
		);
		assert.deepEqual(metricNamesIn('sum(rate(x_total[$__rate_interval])) / sum(rate(y_total[5m]))'), ['x_total', 'y_total']);
	});

	it('catches a name the registry does not expose', async () => {
		const exposed = await exposedSeriesNames();
		const unknown = metricNamesIn('rate(kafka_message_consumed_total[5m])').filter((n) => !exposed.has(n));
		assert.deepEqual(unknown, ['kafka_message_consumed_total']);
	});
});

describe('deployments/grafana/dashboard.json', () => {
	it('is an importable dashboard with a Prometheus datasource variable', () => {
		assert.equal(typeof dashboard.title, 'string');
		assert.match(dashboard.uid, /^[A-Za-z0-9_-]{1,40}$/);
		assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36, 'schemaVersion');
		const ds = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
		assert.ok(ds, 'a DS_PROMETHEUS variable');
		assert.equal(ds.type, 'datasource');
		assert.equal(ds.query, 'prometheus');
	});

	it('lays every panel on the 24-column grid without overlaps and with unique ids', () => {
		const ids = new Set<number>();
		for (const p of dashboard.panels) {
			assert.ok(!ids.has(p.id), `duplicate panel id ${p.id}`);
			ids.add(p.id);
			const { h, w, x, y } = p.gridPos;
			for (const [k, v] of Object.entries({ h, w, x, y })) {
				assert.ok(Number.isInteger(v) && v >= 0, `panel "${p.title}" gridPos.${k}=${v}`);
			}
			assert.ok(w > 0 && h > 0 && x + w <= 24, `panel "${p.title}" fits 24 columns`);
		}
		for (let i = 0; i < dashboard.panels.length; i++) {
			for (let j = i + 1; j < dashboard.panels.length; j++) {
				const a = dashboard.panels[i].gridPos;
				const b = dashboard.panels[j].gridPos;
				const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
				assert.ok(!overlap, `"${dashboard.panels[i].title}" overlaps "${dashboard.panels[j].title}"`);
			}
		}
	});

	it('queries only through the datasource variable, every target with an expr and a refId', () => {
		for (const p of graphPanels) {
			assert.equal(p.datasource?.uid, '${DS_PROMETHEUS}', `panel "${p.title}" datasource`);
			assert.ok(p.targets !== undefined && p.targets.length > 0, `panel "${p.title}" has targets`);
			const refIds = new Set<string>();
			for (const t of p.targets) {
				assert.equal(t.datasource?.uid, '${DS_PROMETHEUS}', `panel "${p.title}" target datasource`);
				assert.ok(typeof t.expr === 'string' && t.expr.length > 0, `panel "${p.title}" expr`);
				assert.ok(typeof t.refId === 'string' && !refIds.has(t.refId), `panel "${p.title}" refId`);
				refIds.add(t.refId);
			}
		}
	});

	it('reads only series our registry exposes', async () => {
		const exposed = await exposedSeriesNames();
		const exprs: Array<[string, string]> = [];
		for (const p of graphPanels) for (const t of p.targets ?? []) exprs.push([p.title, t.expr ?? '']);
		for (const v of dashboard.templating.list) {
			if (v.type !== 'query') continue;
			const q = typeof v.query === 'string' ? v.query : v.query.query;
			const m = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(q);
			assert.ok(m, `variable ${v.name}: label_values(metric, label), got ${q}`);
			exprs.push([`variable ${v.name}`, m[1]]);
		}
		for (const [where, expr] of exprs) {
			const names = metricNamesIn(expr);
			assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
			for (const n of names) assert.ok(exposed.has(n), `${where}: ${n} is not exposed by the registry`);
		}
	});

	it('covers the issue\'s panels: consume rate, lag, partitions held at a corrupt batch, batch sizes, latency, load outcome, invalid rows, in flight, process', () => {
		const used = new Set(graphPanels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNamesIn(t.expr ?? ''))));
		for (const name of [
			'kafka_messages_consumed_total',
			'kafka_consumer_lag',
			'kafka_corrupt_batch_held',
			'batch_rows_bucket',
			'batch_bytes_bucket',
			'batch_flush_duration_seconds_bucket',
			'doris_stream_load_total',
			'sinker_rows_invalid_total',
			'doris_rows_rejected_total',
			'sinker_executions_in_flight',
			'process_resident_memory_bytes',
			'process_cpu_seconds_total',
			'nodejs_eventloop_lag_p99_seconds',
		]) {
			assert.ok(used.has(name), `no panel reads ${name}`);
		}
		const latency = graphPanels.find((p) => /latency/i.test(p.title));
		const quantiles = (latency?.targets ?? []).map((t) => /histogram_quantile\((0\.\d+)/.exec(t.expr ?? '')?.[1]);
		assert.deepEqual(quantiles, ['0.5', '0.99']);
	});
});

describe('deployments/prometheus/alerts.yml', () => {
	it('reads only series our registry exposes (or prom-client process metrics)', async () => {
		const exposed = await exposedSeriesNames();
		const exprs = ruleExpressions(readFileSync(join(root, 'deployments/prometheus/alerts.yml'), 'utf8'));
		assert.equal(exprs.length, 7);
		for (const expr of exprs) {
			for (const n of metricNamesIn(expr)) assert.ok(exposed.has(n), `${n} in ${expr}`);
		}
	});
});
