/**
 * The Schema Registry credential test: `GET /subjects` (the Confluent API's cheapest authenticated
 * read) with the credential's URL and authentication. The answer says what to fix: the address, the
 * login, or the path (Apicurio serves the Confluent API under /apis/ccompat/v7). The password is never
 * part of it.
 */
import { schemaRegistryBaseUrl, type SchemaRegistrySettings } from './schema-registry';

export async function checkSchemaRegistry(settings: SchemaRegistrySettings, timeoutMs = 10_000): Promise<{ ok: boolean; message: string }> {
	let base: string;
	try {
		base = schemaRegistryBaseUrl(settings.url);
	} catch (error) {
		return { ok: false, message: (error as Error).message };
	}
	const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
	if (settings.username) {
		headers.authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password ?? ''}`).toString('base64')}`;
	}
	let response: Response;
	try {
		response = await fetch(`${base}/subjects`, { headers, signal: AbortSignal.timeout(timeoutMs) });
	} catch (error) {
		const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
		return { ok: false, message: `Cannot reach the Schema Registry at ${base}: ${cause}` };
	}
	const body = await response.text().catch(() => '');
	if (response.status === 401 || response.status === 403) {
		const who = settings.username ? `user "${settings.username}"` : 'no authentication';
		return { ok: false, message: `The Schema Registry at ${base} refused ${who} (HTTP ${response.status}): check the authentication, username and password` };
	}
	if (!response.ok) {
		return {
			ok: false,
			message: `The Schema Registry at ${base} answered HTTP ${response.status} to GET /subjects: is this the base of a Confluent-compatible API (for Apicurio: …/apis/ccompat/v7)? ${body.slice(0, 200)}`,
		};
	}
	let subjects: unknown;
	try {
		subjects = JSON.parse(body);
	} catch {
		subjects = undefined;
	}
	if (!Array.isArray(subjects)) {
		return { ok: false, message: `${base}/subjects did not answer with a subject list: is this the base of a Confluent-compatible API (for Apicurio: …/apis/ccompat/v7)?` };
	}
	return { ok: true, message: `Connected: ${subjects.length} subject(s)` };
}
