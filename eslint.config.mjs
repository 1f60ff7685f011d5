import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

import { importRestrictions } from './eslint-import-restrictions.mjs';

const communityRules = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'gulpfile.js', 'test-output/**'] },
	...tseslint.configs.recommended,
	{
		// src/ is n8n-free by design (no NodeApiError there), so the n8n rules apply to the n8n face only.
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		...communityRules,
		rules: {
			...communityRules.rules,
			// This package is for self-hosted n8n: it needs kafkajs, undici, mysql2 and prom-client at
			// run time, which no n8n Cloud (verified) package may ship. The rule exists for Cloud only.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	// Layering: no n8n in src/, no src/doris <-> src/kafka, each client library in one folder.
	...importRestrictions,
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
);
