import { readFileSync } from 'node:fs';

/**
 * n8n settings the trigger's activation checks read, as n8n reads them (@n8n/config decorators.js
 * readEnv, n8n 2.40.7): the variable itself, else the file `<NAME>_FILE` names (trimmed), a value in
 * quotes without them. A file that cannot be read counts as unset, as the check then cannot know.
 */
export function n8nEnv(names: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
	const out: Record<string, string | undefined> = {};
	for (const name of names) {
		let value = env[name];
		const file = env[`${name}_FILE`];
		if (value === undefined && file) {
			try {
				value = readFileSync(file, 'utf8').trim();
			} catch {
				value = undefined;
			}
		}
		out[name] = value?.trim().replace(/^(['"])(.*)\1$/, '$2');
	}
	return out;
}
