// Workflow and credential JSON as n8n's import commands and REST API take them.
import { randomBytes } from 'node:crypto';

export interface WorkflowJson {
	/** Assigned when missing (n8n ids are 16 characters, letters and digits). */
	id?: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** `data` is plain text: `n8n import:credentials` encrypts an object-valued `data` itself. */
export interface CredentialJson {
	id?: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export type WithId<T extends { id?: string }> = T & { id: string };

export function newId(): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
	return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

export function withIds<T extends { id?: string }>(items: T[]): Array<WithId<T>> {
	return items.map((item) => ({ ...item, id: item.id ?? newId() }));
}

/** A workflow ready for import: an id, inactive (publishing activates it), settings present. */
export function importableWorkflow(workflow: WorkflowJson): WithId<WorkflowJson> {
	return { active: false, settings: {}, ...workflow, id: workflow.id ?? newId() };
}

/**
 * The REST API gives new credentials ids of its own; the nodes' references
 * (`node.credentials[type].id`) are moved from the ids the test chose to the ones n8n gave.
 */
export function remapCredentialIds(workflow: WorkflowJson, ids: ReadonlyMap<string, string>): WorkflowJson {
	const nodes = workflow.nodes.map((node) => {
		const credentials = node.credentials;
		if (credentials === null || typeof credentials !== 'object') return node;
		const remapped: Record<string, unknown> = {};
		for (const [type, ref] of Object.entries(credentials as Record<string, unknown>)) {
			const id = ref !== null && typeof ref === 'object' ? (ref as { id?: unknown }).id : undefined;
			remapped[type] = typeof id === 'string' && ids.has(id) ? { ...(ref as object), id: ids.get(id) } : ref;
		}
		return { ...node, credentials: remapped };
	});
	return { ...workflow, nodes };
}
