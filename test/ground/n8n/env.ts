// The environment every test n8n runs with (names checked against @n8n/config in n8n 2.40.7).
import path from 'node:path';

export interface N8nEnvInput {
	userFolder: string;
	port: number;
	/** The task runner broker's port (n8n's default, 5679, would clash between instances). */
	brokerPort: number;
	/** Serve the editor (its pages and /types/*.json); see StartN8nOptions.editorUi. */
	editorUi: boolean;
	/** The caller's variables; they win, and `undefined` removes a default. */
	extra: Record<string, string | undefined>;
}

export function n8nEnv({ userFolder, port, brokerPort, editorUi, extra }: N8nEnvInput): NodeJS.ProcessEnv {
	const baseUrl = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = { ...process.env };
	// The test runner's own settings must not leak into n8n (tsx loader, node:test child mode).
	delete env.NODE_OPTIONS;
	delete env.NODE_TEST_CONTEXT;
	Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: baseUrl,
		WEBHOOK_URL: `${baseUrl}/`,
		DB_TYPE: 'sqlite',
		DB_SQLITE_DATABASE: path.join(userFolder, '.n8n', 'database.sqlite'),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		// Unverified community packages load only with this (n8n warns its default will change).
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		// Plain http on 127.0.0.1: a secure cookie would never be sent back.
		N8N_SECURE_COOKIE: 'false',
		// Without the editor n8n neither copies its ~35 MB of pages through the config replacements nor writes
		// every node type's description to /types/*.json at each start: a start took ~5.5-6 CPU s instead
		// of ~9-11 (2026-12-06, this machine). The REST API, triggers and executions are the same.
		N8N_DISABLE_UI: editorUi ? 'false' : 'true',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// Its refresh task calls api.n8n.io and logs errors on a machine without internet access.
		N8N_DISABLED_MODULES: 'mcp-registry',
		// Debug level: the publication service reports finished (de)activations only there.
		N8N_LOG_LEVEL: 'debug',
		N8N_LOG_OUTPUT: 'console',
		NO_COLOR: '1',
		GENERIC_TIMEZONE: 'UTC',
	});
	for (const [key, value] of Object.entries(extra)) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}
