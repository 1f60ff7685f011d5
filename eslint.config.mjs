// n8n's own lint set-up for community nodes, as `npm create @n8n/node` makes it: the `eslint` export of
// @n8n/node-cli (typescript-eslint, import-x, @n8n/eslint-plugin-community-nodes and
// eslint-plugin-n8n-nodes-base, package.json included), in its self-hosted flavour
// `configWithoutCloudSupport` (what `n8n-node cloud-support disable` selects): this package needs
// kafkajs, undici and mysql2 at run time, which no n8n Cloud package may ship. Over every file: nodes/,
// credentials/, src/, test/, bench/, package.json and the JavaScript configs. Then the layering rules of
// this package (./eslint-import-restrictions.mjs). Each rule switched off below says why.
import js from '@eslint/js';
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import globals from 'globals';

import { importRestrictions } from './eslint-import-restrictions.mjs';

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test-output/**'] },
	...configWithoutCloudSupport,
	{
		files: ['package.json'],
		rules: {
			// The rule exists for n8n Cloud (verified packages carry no dependencies). This package is for
			// self-hosted n8n and needs kafkajs, undici, mysql2, prom-client, avsc and the Kafka codecs at
			// run time; n8n's community-package installer installs them with the package.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			// The rule reads literal defaults only. Parameter defaults here name the constants src/ exports
			// (LOAD_DEFAULTS, DEFAULT_RETRY, ...: one default, written once, nodes/shared/settings.ts), which
			// it takes for missing; a default that is really missing fails to compile, as n8n's
			// INodeProperties requires `default`.
			'n8n-nodes-base/node-param-default-missing': 'off',
		},
	},
	{
		files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
		rules: {
			// src/ is n8n-free by design (eslint-import-restrictions.mjs forbids n8n-workflow there), so it
			// cannot throw NodeApiError; nodes/ turns its errors into NodeApiError / NodeOperationError
			// (nodes/shared/settings.ts, nodes/DorisStreamLoad/execute.ts). test/ and bench/ never run as nodes.
			'@n8n/community-nodes/require-node-api-error': 'off',
		},
	},
	{
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: {
			// Test and benchmark programs start n8n, the Java Kafka client, promtool and kubeconform, and
			// report progress on the console; none of it is shipped (package.json `files` leaves dist/test
			// and dist/bench out). nodes/ and src/ keep both rules.
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			'no-console': 'off',
			// The passwords in tests are those of the local test ground (Kafka SASL users, a Doris test
			// server), written where the test sets them up.
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			// Next to each <Node>.node.ts lies its codex file <Node>.node.json, which Node's resolver picks
			// for an import without an extension: the test would get the codex instead of the node class.
			'@typescript-eslint/no-restricted-imports': [
				'error',
				{ patterns: [{ regex: '\\.node$', message: 'Import the node as <Node>.node.js: without the extension Node loads <Node>.node.json (the codex).' }] },
			],
		},
	},
	{
		files: ['**/*.ts'],
		rules: {
			// A leading underscore marks what is deliberately unused: a callback parameter whose position
			// matters, or a field dropped by destructuring (`const { id: _id, ...rest } = workflow`).
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		// The JavaScript files (build and lint configs, scripts, the examples' token service) with
		// ESLint's recommended rules; they run on Node.
		files: ['**/*.{js,mjs}'],
		...js.configs.recommended,
		languageOptions: { globals: globals.node },
	},
	{ files: ['gulpfile.js'], languageOptions: { sourceType: 'commonjs' } },
	// Layering: no n8n in src/, no src/doris <-> src/kafka, each client library in one folder.
	...importRestrictions,
];
