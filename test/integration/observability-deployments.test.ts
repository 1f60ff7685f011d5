/**
 * deployments/kubernetes and the Dockerfile, checked without a container engine (none runs here):
 * - the manifests against Kubernetes' JSON schemas (kubernetes-validate, strict) and against each
 *   other (names, keys, ports, labels);
 * - the Dockerfile with hadolint, and its n8n base on the line the tests run (scripts/n8n.sh);
 * - the image's package layout rebuilt in a temporary folder the way the Dockerfile's build stage and
 *   seed-nodes-folder.sh do it, then every node and credential file loaded from there.
 * Tools: scripts/install-deploy-tools.sh (PyPI, pinned, into .cache/deploy-tools).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE, N8N_NODE_OPTIONS } from '../../bench/n8n-settings';

const root = join(__dirname, '..', '..');
const k8sDir = join(root, 'deployments', 'kubernetes');
const manifests = ['configmap.yaml', 'secret.yaml', 'pvc.yaml', 'service.yaml', 'deployment.yaml'];
let tools: string;
const temps: string[] = [];

before(() => {
	tools = execFileSync('bash', [join(root, 'scripts/install-deploy-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
});
after(() => {
	for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	temps.push(dir);
	return dir;
}

function run(bin: string, args: string[], cwd = root): { status: number | null; output: string } {
	const r = spawnSync(join(tools, bin), args, { cwd, encoding: 'utf8', timeout: 60_000 });
	return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

// Kubernetes objects are loosely typed here on purpose: the schema check above is the typed part.
type Obj = Record<string, unknown>;
function at(o: unknown, ...path: Array<string | number>): unknown {
	let cur: unknown = o;
	for (const p of path) cur = cur === null || cur === undefined ? undefined : (cur as Record<string | number, unknown>)[p];
	return cur;
}

/** The variables the Dockerfile's ENV instructions set (`ENV A=1 \\` continued lines, unquoted values). */
function dockerfileEnv(dockerfile: string): Map<string, string> {
	const env = new Map<string, string>();
	for (const instruction of dockerfile.replace(/\\\n/g, ' ').split('\n')) {
		const m = /^ENV\s+(.*)$/.exec(instruction.trim());
		if (m === null) continue;
		for (const pair of m[1].trim().split(/\s+/)) {
			const eq = pair.indexOf('=');
			if (eq > 0) env.set(pair.slice(0, eq), pair.slice(eq + 1));
		}
	}
	return env;
}

/** The manifests as objects, parsed by PyYAML from kubernetes-validate's own environment. */
function loadManifests(): Obj[] {
	const out = execFileSync(
		join(tools, 'python'),
		['-c', 'import json,sys,yaml; print(json.dumps([d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]))', ...manifests],
		{ cwd: k8sDir, encoding: 'utf8' },
	);
	return JSON.parse(out) as Obj[];
}

describe('deployments/kubernetes', () => {
	it('validates strictly against the Kubernetes schemas', () => {
		const r = run('kubernetes-validate', ['--strict', ...manifests.map((m) => join(k8sDir, m))]);
		assert.equal(r.status, 0, r.output);
		assert.equal((r.output.match(/ passed for resource /g) ?? []).length, manifests.length, r.output);
	});

	it('the validator rejects a broken manifest (so the check above can fail)', () => {
		const dir = tempDir('sinker-k8s-');
		const broken = readFileSync(join(k8sDir, 'deployment.yaml'), 'utf8').replace('replicas: 1', 'replicas: one');
		writeFileSync(join(dir, 'deployment.yaml'), broken);
		const r = run('kubernetes-validate', ['--strict', join(dir, 'deployment.yaml')]);
		assert.notEqual(r.status, 0, r.output);
		assert.match(r.output, /replicas/);
	});

	it('fits together: names, secret keys, ports, probes, labels, scrape annotations', () => {
		const objs = loadManifests();
		const find = (kind: string): Obj => {
			const o = objs.find((x) => x.kind === kind);
			assert.ok(o, kind);
			return o;
		};
		const deployment = find('Deployment');
		const secret = find('Secret');
		const configMap = find('ConfigMap');
		const service = find('Service');
		const pvc = find('PersistentVolumeClaim');
		const pod = at(deployment, 'spec', 'template') as Obj;
		const container = at(pod, 'spec', 'containers', 0) as Obj;

		assert.deepEqual(at(deployment, 'spec', 'selector', 'matchLabels'), at(service, 'spec', 'selector'));
		for (const [k, v] of Object.entries(at(service, 'spec', 'selector') as Record<string, string>)) {
			assert.equal(at(pod, 'metadata', 'labels', k), v, `pod label ${k}`);
		}
		const ports = Object.fromEntries((container.ports as Obj[]).map((p) => [p.name as string, p.containerPort as number]));
		assert.deepEqual(ports, { http: 5678, metrics: 9090 });
		assert.deepEqual((at(service, 'spec', 'ports') as Obj[]).map((p) => [p.port, p.targetPort]), [[5678, 'http'], [9090, 'metrics']]);

		const annotations = at(pod, 'metadata', 'annotations') as Record<string, string>;
		assert.equal(annotations['prometheus.io/scrape'], 'true');
		assert.equal(Number(annotations['prometheus.io/port']), ports.metrics);
		assert.equal(annotations['prometheus.io/path'], '/metrics');
		assert.equal(at(configMap, 'data', 'DORIS_SINKER_METRICS_PORT'), String(ports.metrics));
		assert.equal(at(configMap, 'data', 'DORIS_SINKER_METRICS_HOST'), '0.0.0.0');
		assert.equal(at(configMap, 'data', 'DORIS_SINKER_PROFILING'), 'false');

		assert.deepEqual([at(container, 'livenessProbe', 'httpGet'), at(container, 'readinessProbe', 'httpGet')], [
			{ path: '/healthz', port: 'metrics' },
			{ path: '/readyz', port: 'metrics' },
		]);

		const secretName = at(secret, 'metadata', 'name');
		const secretData = at(secret, 'stringData') as Record<string, string>;
		const refs = (container.env as Obj[]).map((e) => at(e, 'valueFrom', 'secretKeyRef') as Obj | undefined).filter((r) => r !== undefined);
		assert.deepEqual(refs.map((r) => r.key).sort(), ['DORIS_PASSWORD', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME', 'N8N_ENCRYPTION_KEY']);
		for (const r of refs) {
			assert.equal(r.name, secretName);
			assert.ok(String(r.key) in secretData, `secret key ${String(r.key)}`);
		}
		for (const [k, v] of Object.entries(secretData)) assert.match(v, /^CHANGE-ME/, `${k} is a marked placeholder`);
		assert.equal(at(container, 'envFrom', 0, 'configMapRef', 'name'), at(configMap, 'metadata', 'name'));

		const volume = (at(pod, 'spec', 'volumes') as Obj[]).find((v) => at(v, 'persistentVolumeClaim') !== undefined);
		assert.equal(at(volume, 'persistentVolumeClaim', 'claimName'), at(pvc, 'metadata', 'name'));
		assert.equal(at(container, 'volumeMounts', 0, 'mountPath'), '/home/node/.n8n');
		const init = at(pod, 'spec', 'initContainers', 0) as Obj;
		assert.equal(init.image, container.image, 'the init container seeds from the same image');
		assert.deepEqual(init.command, ['sh', '/opt/doris-sinker/seed-nodes-folder.sh', '/home/node/.n8n']);
	});
});

describe('Dockerfile', () => {
	const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

	it('gives n8n the settings the benchmark measures it with, as the config map does', () => {
		const configMap = loadManifests().find((m) => m.kind === 'ConfigMap');
		const imageEnv = dockerfileEnv(dockerfile);
		const settings = { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE, NODE_OPTIONS: N8N_NODE_OPTIONS };
		for (const [name, value] of Object.entries(settings)) {
			assert.equal(imageEnv.get(name), value, `Dockerfile ENV ${name}`);
			assert.equal(at(configMap, 'data', name), value, `configmap.yaml ${name}`);
		}
	});

	it('passes hadolint', () => {
		const r = run('hadolint', ['Dockerfile']);
		assert.equal(r.status, 0, r.output);
	});

	it('hadolint flags a bad Dockerfile (so the check above can fail)', () => {
		const dir = tempDir('sinker-docker-');
		writeFileSync(join(dir, 'Dockerfile'), 'FROM n8nio/n8n:latest\nRUN cd /tmp && npm install foo\n');
		const r = run('hadolint', [join(dir, 'Dockerfile')]);
		assert.notEqual(r.status, 0);
		assert.match(r.output, /DL3007/); // "latest" tag
	});

	it('builds on the official n8n image of the line the tests run', () => {
		const pinned = /N8N_VERSION="([^"]+)"/.exec(readFileSync(join(root, 'scripts/n8n.sh'), 'utf8'))?.[1];
		assert.ok(pinned);
		assert.match(dockerfile, new RegExp(`^ARG N8N_VERSION=${pinned.replaceAll('.', '\\.')}$`, 'm'));
		assert.match(dockerfile, /^FROM n8nio\/n8n:\$\{N8N_VERSION\}$/m);
		assert.match(dockerfile, /\/home\/node\/\.n8n/);
	});

	it('lays the package out so n8n can load every node and credential from the user folder', () => {
		const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; n8n: { nodes: string[]; credentials: string[] } };
		const built = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		const missing = built.filter((f) => !existsSync(join(root, f)));
		assert.deepEqual(missing, [], 'run `npm run build` first (scripts/test.sh does)');

		// The Dockerfile's build stage: package.json + lock + dist, production deps without peers.
		const image = tempDir('sinker-image-');
		const pkgDir = join(image, 'opt/nodes/node_modules/n8n-nodes-doris-sinker');
		mkdirSync(pkgDir, { recursive: true });
		for (const f of ['package.json', 'package-lock.json']) cpSync(join(root, f), join(pkgDir, f));
		cpSync(join(root, 'dist'), join(pkgDir, 'dist'), { recursive: true });
		rmSync(join(pkgDir, 'dist/test'), { recursive: true, force: true });
		execFileSync('npm', ['ci', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'], {
			cwd: pkgDir,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
		assert.ok(!existsSync(join(pkgDir, 'node_modules/n8n-workflow')), 'n8n-workflow is n8n\'s, not bundled');
		writeFileSync(
			join(image, 'opt/nodes/package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-doris-sinker': pkg.version } }),
		);

		// seed-nodes-folder.sh into a user folder that already has another community package.
		const userFolder = join(image, 'home/node/.n8n');
		mkdirSync(join(userFolder, 'nodes'), { recursive: true });
		writeFileSync(join(userFolder, 'nodes/package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-other': '1.0.0' } }));
		const n8nWorkflow = realpathSync(join(root, 'node_modules/n8n-workflow'));
		const env = { PATH: process.env.PATH ?? '', SEED_SOURCE: join(image, 'opt/nodes'), N8N_WORKFLOW_DIR: n8nWorkflow };
		for (let i = 0; i < 2; i++) {
			// Twice: the init container runs it at every pod start.
			execFileSync('sh', [join(root, 'deployments/docker/seed-nodes-folder.sh'), userFolder], { env, stdio: ['ignore', 'ignore', 'inherit'] });
		}
		const nodesPkg = JSON.parse(readFileSync(join(userFolder, 'nodes/package.json'), 'utf8')) as { dependencies: Record<string, string> };
		assert.deepEqual(nodesPkg.dependencies, { 'n8n-nodes-other': '1.0.0', 'n8n-nodes-doris-sinker': pkg.version });
		assert.equal(realpathSync(join(userFolder, 'nodes/node_modules/n8n-workflow')), n8nWorkflow);

		// Load each file the way n8n does (require by path), in a fresh process with no repo on the path.
		const installed = join(userFolder, 'nodes/node_modules/n8n-nodes-doris-sinker');
		const script = `
			const path = require('path');
			const out = [];
			for (const f of ${JSON.stringify(built)}) {
				const mod = require(path.join(${JSON.stringify(installed)}, f));
				const Cls = Object.values(mod).find((v) => typeof v === 'function');
				const inst = new Cls();
				out.push(inst.description ? inst.description.name : inst.name);
			}
			console.log(JSON.stringify(out));`;
		const loaded = JSON.parse(
			execFileSync(process.execPath, ['-e', script], { cwd: image, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }),
		) as string[];
		assert.equal(loaded.length, built.length);
		for (const name of ['kafkaTrigger', 'dorisSchema', 'dorisStreamLoad', 'dorisApi', 'kafkaDorisSinkApi']) {
			assert.ok(loaded.includes(name), `${name} loaded (got ${loaded.join(', ')})`);
		}
	});
});
