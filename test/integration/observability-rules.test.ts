/**
 * deployments/prometheus checked by Prometheus' own tool (Debian's prometheus package):
 * rule syntax, the alerts' unit tests on synthetic series, and the example scrape configurations.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requireBinary } from './observability-prometheus';

const dir = join(__dirname, '..', '..', 'deployments', 'prometheus');

function promtool(...args: string[]): { status: number | null; output: string } {
	const bin = requireBinary('promtool');
	const run = spawnSync(bin, args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
	return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('promtool on deployments/prometheus', () => {
	it('check rules: alerts.yml is valid', () => {
		const run = promtool('check', 'rules', 'alerts.yml');
		assert.equal(run.status, 0, run.output);
		assert.match(run.output, /SUCCESS: 7 rules found/);
	});

	it('test rules: every alert fires on its synthetic series and only there', () => {
		const run = promtool('test', 'rules', 'alerts.test.yml');
		assert.equal(run.status, 0, run.output);
		assert.match(run.output, /SUCCESS/);
	});

	it('test rules fails when a threshold is loosened (the unit tests can fail)', () => {
		const tmp = mkdtempSync(join(tmpdir(), 'sinker-rules-'));
		try {
			const rules = readFileSync(join(dir, 'alerts.yml'), 'utf8');
			const loosened = rules.replace(/^(\s*\) > )0\.05$/m, (_m, head: string) => `${head}0.001`);
			assert.notEqual(loosened, rules, 'the failure-ratio threshold is where the test expects it');
			writeFileSync(join(tmp, 'alerts.yml'), loosened);
			copyFileSync(join(dir, 'alerts.test.yml'), join(tmp, 'alerts.test.yml'));
			const run = spawnSync(requireBinary('promtool'), ['test', 'rules', 'alerts.test.yml'], { cwd: tmp, encoding: 'utf8' });
			assert.notEqual(run.status, 0);
			assert.match(`${run.stdout}${run.stderr}`, /DorisSinkerHighFailureRate/);
		} finally {
			rmSync(tmp, { recursive: true, force: true });
		}
	});

	it('check config: prometheus.yml (static target) with its rule file', () => {
		const run = promtool('check', 'config', 'prometheus.yml');
		assert.equal(run.status, 0, run.output);
		assert.match(run.output, /SUCCESS: prometheus\.yml is valid/);
	});

	it('check config: prometheus-kubernetes.yml, with its pod discovery swapped for a static list', () => {
		// Debian builds Prometheus without Kubernetes discovery, so promtool rejects
		// kubernetes_sd_configs; everything else in the file (relabelling regexes included) is checked.
		const text = readFileSync(join(dir, 'prometheus-kubernetes.yml'), 'utf8');
		assert.match(text, /kubernetes_sd_configs:\n\s+- role: pod\n/);
		assert.match(text, /__meta_kubernetes_pod_annotation_prometheus_io_scrape\]\n\s+action: keep\n\s+regex: "true"/);
		const tmp = mkdtempSync(join(tmpdir(), 'sinker-k8s-config-'));
		try {
			writeFileSync(join(tmp, 'prometheus-kubernetes.yml'), text.replace(/kubernetes_sd_configs:\n\s+- role: pod\n/, 'static_configs:\n      - targets: ["127.0.0.1:9090"]\n'));
			copyFileSync(join(dir, 'alerts.yml'), join(tmp, 'alerts.yml'));
			const run = spawnSync(requireBinary('promtool'), ['check', 'config', 'prometheus-kubernetes.yml'], { cwd: tmp, encoding: 'utf8' });
			assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
		} finally {
			rmSync(tmp, { recursive: true, force: true });
		}
	});
});
