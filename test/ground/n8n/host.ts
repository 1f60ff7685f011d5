// Real n8n 2.x, headless, for end-to-end tests, with this package loaded under its own name
// (node types `n8n-nodes-doris-sinker.<node>`). See test/ground/n8n/README.md for the choices.
//
//   const n8n = await startN8n({ workflows: [wf], credentials: [cred], env: { DORIS_PASSWORD: 'x' } });
//   t.after(() => n8n.close());
//   await n8n.rest.executions({ workflowId: wf.id });
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { n8nEnv } from './env';
import { N8N_DIR, ensureN8nInstalled, installPackage } from './install';
import { N8nProcess, freePort, logSize, readLog, runN8nCli } from './process';
import { N8nRest, type PublicationStatus } from './rest';
import { hasTemplate, saveTemplate, seedFromTemplate } from './template';
import { type StartTimings, emptyTimings, stopwatch } from './timings';
import { type CredentialJson, type WorkflowJson, importableWorkflow, remapCredentialIds, withIds } from './workflow-json';

export { OWNER, N8nRest, N8nRequestError } from './rest';
export type { CredentialJson, WorkflowJson } from './workflow-json';
export type { StartTimings } from './timings';
export type { ExecutionSummary, NodeTypeDescription, CredentialTypeDescription, PublicationStatus } from './rest';

export interface StartN8nOptions {
	/** Reuse this user folder (its database survives, e.g. a restart after kill -9). Not deleted by close(). */
	userFolder?: string;
	/** Extra environment for n8n (DORIS_PASSWORD, EXECUTIONS_MODE, N8N_METRICS, ...); wins over the defaults. */
	env?: Record<string, string | undefined>;
	/** Imported before start (`n8n import:credentials`), or after start through the REST API. */
	credentials?: CredentialJson[];
	/** Imported and published before start (`n8n import:workflow`, `n8n publish:workflow`), or after. */
	workflows?: WorkflowJson[];
	/**
	 * 'cli' (default): n8n's import and publish commands before start, as an operator would; each
	 * command boots n8n (~4-5 s). 'rest': created and activated through the REST API once n8n runs
	 * (~1 s), which unlike the CLI validates node parameters; credential ids are n8n's own then, and
	 * the workflows' references are moved to them (see credentialIds).
	 */
	importVia?: 'cli' | 'rest';
	/** Publish (activate) the imported workflows; default true. */
	publish?: boolean;
	/** Wait until every published workflow's triggers run; default true. */
	waitForActivation?: boolean;
	/** Load this package (default true; false only for the bare template instance). */
	loadPackage?: boolean;
	startTimeoutMs?: number;
	activationTimeoutMs?: number;
	/** SIGTERM grace before stop() escalates to SIGKILL. */
	stopGraceMs?: number;
	/**
	 * Serve the editor: its pages, and `/types/nodes.json` / `/types/credentials.json` (rest.nodeTypes(),
	 * credentialTypes()). Default false (N8N_DISABLE_UI): tests that drive n8n over REST start ~4 CPU s
	 * cheaper; the browser test, the type listings, the demo and the bench turn it on.
	 */
	editorUi?: boolean;
}

type RestartOptions = Pick<StartN8nOptions, 'env' | 'credentials' | 'workflows' | 'importVia' | 'publish' | 'waitForActivation'>;

const hosts = new Set<N8nHost>();
process.once('exit', () => {
	// Children are SIGKILLed by process.ts's own hook; here the temp folders go.
	for (const host of hosts) host.removeFolderSync();
});

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class N8nHost {
	readonly rest: N8nRest;
	readonly baseUrl: string;
	readonly logPath: string;
	timings: StartTimings = emptyTimings();
	private proc: N8nProcess | undefined;
	private env: Record<string, string | undefined>;
	private published: string[] = [];
	private closed = false;
	/** The credential ids the test chose, mapped to the ids n8n uses (identical with the CLI import). */
	readonly credentialIds = new Map<string, string>();

	constructor(
		readonly userFolder: string,
		private readonly ownsFolder: boolean,
		readonly port: number,
		readonly brokerPort: number,
		private readonly options: StartN8nOptions,
	) {
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.logPath = path.join(userFolder, 'n8n.log');
		this.rest = new N8nRest(this.baseUrl);
		this.env = { ...options.env };
		hosts.add(this);
	}

	get pid(): number | undefined {
		return this.proc?.running ? this.proc.pid : undefined;
	}

	get running(): boolean {
		return this.proc?.running ?? false;
	}

	/** Ids of the workflows published by this host (import + publish before start). */
	get workflowIds(): string[] {
		return [...this.published];
	}

	/** The whole log of this user folder (all starts; n8n runs at debug level, see README). */
	logText(): string {
		return readLog(this.logPath);
	}

	/** The log written since byte offset `since` (from logOffset()). */
	logSince(since: number): string {
		return readLog(this.logPath, since);
	}

	logOffset(): number {
		return logSize(this.logPath);
	}

	private processEnv(): NodeJS.ProcessEnv {
		return n8nEnv({ userFolder: this.userFolder, port: this.port, brokerPort: this.brokerPort, editorUi: this.options.editorUi === true, extra: this.env });
	}

	/** n8n 2.40 activates through the workflow publication service unless it is switched off. */
	private get publicationService(): boolean {
		return this.processEnv().N8N_USE_WORKFLOW_PUBLICATION_SERVICE !== 'false';
	}

	/** Imports, publishes and starts; used by startN8n and restart. */
	async start(options: RestartOptions = {}): Promise<void> {
		if (this.closed) throw new Error('this n8n host was closed');
		if (this.running) throw new Error('n8n is already running: stop() or kill() first');
		const t0 = Date.now();
		const timings = { ...emptyTimings(), template: this.timings.template };
		const lap = stopwatch(t0);
		ensureN8nInstalled();
		timings.installCheck = lap();
		if (this.options.loadPackage !== false) installPackage(this.userFolder);
		timings.prepareFolder = lap();

		const env = this.processEnv();
		const credentials = withIds(options.credentials ?? []);
		const workflows = (options.workflows ?? []).map(importableWorkflow);
		const viaCli = (options.importVia ?? 'cli') === 'cli';
		if (viaCli) await this.importWithCli(env, credentials, workflows, options.publish !== false, timings, lap);
		lap();

		const proc = new N8nProcess(this.logPath, env);
		this.proc = proc;
		const timeout = this.options.startTimeoutMs ?? 180_000;
		await proc.waitForHealth(this.baseUrl, timeout);
		timings.spawnToHealthz = lap();
		// Printed after the server and (without the publication service) the activations are up.
		await proc.waitForLog(/Editor is now accessible via/, timeout, 'waiting for n8n to be ready');
		timings.healthzToReady = lap();
		await this.rest.authenticate();
		timings.authenticate = lap();
		if (options.waitForActivation !== false) {
			for (const id of this.published) await this.waitForPublished(id, proc.logStart);
		}
		if (!viaCli) {
			for (const credential of credentials) await this.addCredential(credential);
			timings.importCredentials = lap();
			for (const workflow of workflows) await this.addWorkflow(workflow, { activate: options.publish !== false });
		}
		timings.activation = lap();
		timings.total = Date.now() - t0 + timings.template;
		this.timings = timings;
	}

	private async importWithCli(
		env: NodeJS.ProcessEnv,
		credentials: CredentialJson[],
		workflows: WorkflowJson[],
		publish: boolean,
		timings: StartTimings,
		lap: () => number,
	): Promise<void> {
		const importDir = path.join(this.userFolder, 'import');
		mkdirSync(importDir, { recursive: true });
		const stamp = Date.now();
		if (credentials.length > 0) {
			const file = path.join(importDir, `credentials-${stamp}.json`);
			writeFileSync(file, JSON.stringify(credentials));
			await runN8nCli(['import:credentials', `--input=${file}`], env);
			for (const { id } of credentials) if (id) this.credentialIds.set(id, id);
		}
		timings.importCredentials = lap();
		if (workflows.length > 0) {
			const file = path.join(importDir, `workflows-${stamp}.json`);
			writeFileSync(file, JSON.stringify(workflows));
			await runN8nCli(['import:workflow', `--input=${file}`], env);
		}
		timings.importWorkflows = lap();
		for (const { id } of publish ? workflows : []) {
			if (!id) continue;
			// Publishing is for a stopped n8n: a running one would not pick the change up.
			await runN8nCli(['publish:workflow', `--id=${id}`], env);
			if (!this.published.includes(id)) this.published.push(id);
		}
		timings.publish = lap();
	}

	/** Creates a credential through the REST API; returns n8n's id for it (also in credentialIds). */
	async addCredential(credential: CredentialJson): Promise<string> {
		const created = await this.rest.createCredential({ name: credential.name, type: credential.type, data: credential.data });
		if (credential.id) this.credentialIds.set(credential.id, created.id);
		return created.id;
	}

	/**
	 * Creates a workflow through the REST API (credential references remapped, see credentialIds)
	 * and, unless told otherwise, activates it and waits for its triggers. Returns its id.
	 */
	async addWorkflow(workflow: WorkflowJson, options: { activate?: boolean } = {}): Promise<string> {
		const { active: _active, ...body } = importableWorkflow(remapCredentialIds(workflow, this.credentialIds));
		const created = await this.rest.createWorkflow(body);
		if (options.activate !== false) await this.activate(created.id);
		return created.id;
	}

	/**
	 * Waits until workflow `id`'s triggers run in this process. With the publication service the
	 * REST status alone can be stale after a restart (trigger rows of the previous process say
	 * "activated" until the startup reconciliation re-publishes), so the outbox consumer's own
	 * "Finished processing" line for this workflow, written after `since`, comes first.
	 */
	async waitForPublished(id: string, since: number): Promise<PublicationStatus | undefined> {
		const proc = this.requireProcess();
		const timeout = this.options.activationTimeoutMs ?? 60_000;
		if (!this.publicationService) {
			const ids = await this.rest.activeWorkflowIds();
			if (!ids.includes(id)) throw new Error(`workflow ${id} is not active; log ${this.logPath}`);
			return undefined;
		}
		const finished = new RegExp(`Finished processing workflow publication outbox record [^\\n]*"workflowId": "${escapeRegExp(id)}"`);
		await proc.waitForLog(finished, timeout, `waiting for workflow ${id} to be published`, since);
		const status = await this.settledStatus(id, timeout);
		if (status.status !== 'published') {
			const errors = status.triggers.map((t) => `${t.nodeId}: ${t.status} ${t.errorMessage ?? ''}`).join('; ');
			throw new Error(`workflow ${id} publication is ${status.status} (${errors}); log ${this.logPath}`);
		}
		return status;
	}

	private async settledStatus(id: string, timeoutMs: number): Promise<PublicationStatus> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const status = await this.rest.publicationStatus(id);
			if (status.status !== 'in_progress' || Date.now() > deadline) return status;
			await sleep(200);
		}
	}

	/** Activates (publishes) a workflow at runtime through the REST API and waits for its triggers. */
	async activate(id: string): Promise<void> {
		const { versionId } = await this.rest.workflow(id);
		const since = this.logOffset();
		await this.rest.request('POST', `/rest/workflows/${encodeURIComponent(id)}/activate`, { versionId });
		await this.waitForPublished(id, since);
		if (!this.published.includes(id)) this.published.push(id);
	}

	/** Deactivates (unpublishes) a workflow at runtime and waits until its triggers are closed. */
	async deactivate(id: string): Promise<void> {
		const since = this.logOffset();
		await this.rest.request('POST', `/rest/workflows/${encodeURIComponent(id)}/deactivate`, {});
		this.published = this.published.filter((p) => p !== id);
		if (!this.publicationService) return;
		const finished = new RegExp(`Finished processing workflow publication outbox record [^\\n]*"workflowId": "${escapeRegExp(id)}"`);
		const timeout = this.options.activationTimeoutMs ?? 60_000;
		await this.requireProcess().waitForLog(finished, timeout, `waiting for workflow ${id} to be unpublished`, since);
	}

	/** Parses an execution's `data` (n8n serialises it with `flatted`; its copy is used). */
	async executionData(id: string): Promise<unknown> {
		const execution = await this.rest.execution(id);
		const flatted = createRequire(path.join(N8N_DIR, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
		return flatted.parse(execution.data);
	}

	/** SIGTERM and wait (bounded by stopGraceMs, then SIGKILL). Returns the time it took. */
	async stop(): Promise<{ ms: number; forced: boolean }> {
		if (!this.proc) return { ms: 0, forced: false };
		return await this.proc.stop(this.options.stopGraceMs ?? 40_000);
	}

	/** SIGKILL, like a crash: nothing is shut down cleanly. */
	async kill(): Promise<void> {
		await this.proc?.kill();
	}

	/** Stops (if running) and starts again in the same folder, keeping the database. */
	async restart(options: RestartOptions = {}): Promise<void> {
		await this.stop();
		if (options.env) this.env = { ...this.env, ...options.env };
		await this.start(options);
	}

	/** Stops n8n and removes the temp folder (when this host created it). Safe to call twice. */
	async close(): Promise<void> {
		if (this.closed) return;
		try {
			await this.stop();
		} finally {
			this.closed = true;
			this.removeFolderSync();
			hosts.delete(this);
		}
	}

	removeFolderSync(): void {
		if (this.ownsFolder) rmSync(this.userFolder, { recursive: true, force: true });
	}

	private requireProcess(): N8nProcess {
		if (!this.proc?.running) throw new Error('n8n is not running');
		return this.proc;
	}
}

async function createHost(options: StartN8nOptions): Promise<N8nHost> {
	const ownsFolder = options.userFolder === undefined;
	const userFolder = options.userFolder ?? mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	mkdirSync(userFolder, { recursive: true });
	return new N8nHost(userFolder, ownsFolder, await freePort(), await freePort(), options);
}

/**
 * Builds the template database once per n8n version: a bare instance migrates its database and
 * gets its owner, then stops; later fresh folders start from a copy (see template.ts).
 */
async function ensureTemplate(): Promise<void> {
	if (hasTemplate()) return;
	ensureN8nInstalled();
	const host = await createHost({ loadPackage: false });
	try {
		await host.start();
		await host.stop();
		saveTemplate(host.userFolder);
	} finally {
		await host.close();
	}
}

/** Starts n8n with this package loaded; call close() when done (e.g. in t.after). */
export async function startN8n(options: StartN8nOptions = {}): Promise<N8nHost> {
	const started = Date.now();
	const fresh = options.userFolder === undefined || !existsSync(path.join(options.userFolder, '.n8n', 'database.sqlite'));
	if (fresh) await ensureTemplate();
	for (let attempt = 1; ; attempt++) {
		const host = await createHost(options);
		if (fresh) seedFromTemplate(host.userFolder);
		host.timings.template = Date.now() - started;
		try {
			await host.start(options);
			return host;
		} catch (error) {
			await host.close();
			// The ports are picked free when the host is made, seconds before n8n binds them (the CLI import
			// runs in between): another suite's server can take one meanwhile, and n8n exits with "port N is
			// already in use" (seen once in CI, node-versions.test.ts). New ports, a new start.
			if (attempt < PORT_ATTEMPTS && /port \d+ is already in use|EADDRINUSE/i.test(String((error as Error).message))) continue;
			throw error;
		}
	}
}

/** Starts tried when a port picked for n8n was taken before it bound it. */
const PORT_ATTEMPTS = 3;
