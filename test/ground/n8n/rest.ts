// A small client for the n8n editor's REST API (/rest/...), authenticated by the owner's cookie.
// Endpoints as found in n8n 2.40.7's dist (controllers/*.controller.js, server.js).

/** The owner every test instance gets; the password meets n8n's rule (8+, a digit, an upper case). */
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Sinker',
	lastName: 'Tests',
	password: 'Sinker-Test-0wner',
} as const;

export interface NodeTypeDescription {
	name: string;
	displayName: string;
	version: number | number[];
	group: string[];
	iconUrl?: string | { light: string; dark: string };
	credentials?: Array<{ name: string; required?: boolean }>;
	[key: string]: unknown;
}

export interface CredentialTypeDescription {
	name: string;
	displayName: string;
	iconUrl?: string | { light: string; dark: string };
	properties: Array<{ name: string; type: string; [key: string]: unknown }>;
	[key: string]: unknown;
}

/** GET /rest/workflows/:id/publication-status (the workflow publication service, on by default in 2.40). */
export interface PublicationStatus {
	status: 'published' | 'partial' | 'failed' | 'in_progress' | 'not_published';
	liveVersionId: string | null;
	pendingVersionId: string | null;
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: 'new' | 'running' | 'success' | 'error' | 'canceled' | 'crashed' | 'waiting' | 'unknown';
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
	[key: string]: unknown;
}

export interface ExecutionFilter {
	workflowId?: string;
	status?: ExecutionSummary['status'][];
	/** n8n caps a page at 100. */
	limit?: number;
}

export interface StoredWorkflow {
	id: string;
	name: string;
	active: boolean;
	versionId: string;
	activeVersionId: string | null;
	nodes: unknown[];
	[key: string]: unknown;
}

export class N8nRequestError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`n8n ${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
	}
}

export class N8nRest {
	private cookie = '';

	constructor(readonly baseUrl: string) {}

	/** Logs the owner in; on an instance without an owner yet, sets the owner up first. */
	async authenticate(): Promise<'login' | 'setup'> {
		try {
			await this.login();
			return 'login';
		} catch (error) {
			if (!(error instanceof N8nRequestError) || error.status !== 401) throw error;
		}
		await this.request('POST', '/rest/owner/setup', OWNER);
		return 'setup';
	}

	private async login(): Promise<void> {
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	}

	/** A raw request; `path` starts with `/`. Keeps the auth cookie n8n sets. */
	async fetch(method: string, path: string, body?: unknown): Promise<Response> {
		const headers: Record<string, string> = {};
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		return res;
	}

	/** JSON request; returns `data` of n8n's `{data}` envelope (or the body when there is none). */
	async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await this.fetch(method, path, body);
		const text = await res.text();
		if (!res.ok) throw new N8nRequestError(method, path, res.status, text);
		const parsed: unknown = text ? JSON.parse(text) : undefined;
		if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'data' in parsed) {
			return (parsed as { data: T }).data;
		}
		return parsed as T;
	}

	async nodeTypes(): Promise<NodeTypeDescription[]> {
		return await this.request('GET', '/types/nodes.json');
	}

	async credentialTypes(): Promise<CredentialTypeDescription[]> {
		return await this.request('GET', '/types/credentials.json');
	}

	async workflow(id: string): Promise<StoredWorkflow> {
		return await this.request('GET', `/rest/workflows/${encodeURIComponent(id)}`);
	}

	/** Creates a workflow (inactive) from workflow JSON; returns it with its id. */
	async createWorkflow(workflow: object): Promise<StoredWorkflow> {
		return await this.request('POST', '/rest/workflows', workflow);
	}

	async publicationStatus(id: string): Promise<PublicationStatus> {
		return await this.request('GET', `/rest/workflows/${encodeURIComponent(id)}/publication-status`);
	}

	/** Ids of the workflows n8n counts as active, minus those with an activation error. */
	async activeWorkflowIds(): Promise<string[]> {
		return await this.request('GET', '/rest/active-workflows');
	}

	async createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<{ id: string; name: string; type: string }> {
		return await this.request('POST', '/rest/credentials', credential);
	}

	async executions(filter: ExecutionFilter = {}): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams();
		const { limit, ...rest } = filter;
		if (Object.keys(rest).length > 0) query.set('filter', JSON.stringify(rest));
		query.set('limit', String(limit ?? 100));
		const page = await this.request<{ results: ExecutionSummary[] }>('GET', `/rest/executions?${query.toString()}`);
		return page.results;
	}

	/** One execution with its data (n8n stores `data` serialised with `flatted`). */
	async execution(id: string): Promise<ExecutionSummary & { data: string }> {
		return await this.request('GET', `/rest/executions/${encodeURIComponent(id)}`);
	}
}
