/**
 * The names a user sees in the nodes and credentials (parameter display names and option names), read
 * from their descriptions, so the documentation tests can hold README's wording to them.
 */
import type { ICredentialType, INodeTypeDescription } from 'n8n-workflow';

// `.node.js`: without it Node resolves the codex file (<Node>.node.json) before the TypeScript source.
import { DorisSchema } from '../../../nodes/DorisSchema/DorisSchema.node.js';
import { DorisStreamLoad } from '../../../nodes/DorisStreamLoad/DorisStreamLoad.node.js';
import { KafkaTrigger } from '../../../nodes/KafkaTrigger/KafkaTrigger.node.js';
import { DorisApi } from '../../../credentials/DorisApi.credentials';
import { KafkaDorisSinkApi } from '../../../credentials/KafkaDorisSinkApi.credentials';
import { SchemaRegistryDorisSinkApi } from '../../../credentials/SchemaRegistryDorisSinkApi.credentials';

export type NodeKey = 'trigger' | 'schema' | 'streamLoad';

export const descriptions: Record<NodeKey, INodeTypeDescription> = {
	trigger: new KafkaTrigger().description,
	schema: new DorisSchema().description,
	streamLoad: new DorisStreamLoad().description,
};

export const credentials: ICredentialType[] = [new DorisApi(), new KafkaDorisSinkApi(), new SchemaRegistryDorisSinkApi()];

/** "Batch Max Idle (Ms)" is written "Batch Max Idle" in prose, "One Item per Batch (Fastest)" as "One Item per Batch". */
export function withoutQualifier(name: string): string {
	return name.replace(/\s*\([^)]*\)$/, '');
}

/** Display names of parameters (at any depth) and names of their options, each also without its trailing "(…)". */
export function shownNames(description: unknown): Set<string> {
	const names = new Set<string>();
	const walk = (value: unknown): void => {
		if (Array.isArray(value)) {
			for (const entry of value) walk(entry);
			return;
		}
		if (value === null || typeof value !== 'object') return;
		const record = value as Record<string, unknown>;
		const shown = typeof record.displayName === 'string' ? record.displayName : 'value' in record && typeof record.name === 'string' ? record.name : undefined;
		if (shown !== undefined) {
			names.add(shown);
			names.add(withoutQualifier(shown));
		}
		for (const child of Object.values(record)) walk(child);
	};
	walk(description);
	return names;
}

/** Every string of a description (display names, descriptions, hints, placeholders, option names). */
export function strings(description: unknown): string[] {
	if (typeof description === 'string') return [description];
	if (Array.isArray(description)) return description.flatMap(strings);
	if (description !== null && typeof description === 'object') return Object.values(description).flatMap(strings);
	return [];
}
