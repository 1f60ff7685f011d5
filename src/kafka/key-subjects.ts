/**
 * Whether a key's schema id is one of the topic's key schemas, before the key decoded with it is
 * trusted for `_kafka.decodedKey` (the key Create Missing Tables gives a table, message-key.ts).
 *
 * A key is taken for the registry's wire format by its first five bytes alone (tombstone-keys.ts
 * isRegistryKey). Kafka's LongSerializer writes 8 bytes big-endian: key 42,041,601 is 00 00 00 00 02 81
 * 81 01, "schema id 2" and one complete Avro long. On a registry shared by several topics id 2 is often
 * another topic's Debezium key record {id: long}, so the key decoded as {"id": -8257}: Create Missing
 * Tables then created UNIQUE KEY(id) from garbage (rows with the same `id` merged without a word) or,
 * with Key Columns set right, refused every table for a key naming other columns.
 *
 * The check: the id is registered under the subject `<topic>-key` (TopicNameStrategy, the default of
 * every Confluent serializer and of Debezium's converters). Asked as `GET /schemas/ids/{id}/versions`
 * (Confluent 5.5 and later; Apicurio's ccompat API, which does not serve `/schemas/ids/{id}/subjects`:
 * checked on Apicurio 2.x, 404), else, where that route is not served (404 without a registry error code),
 * `GET /subjects/<topic>-key/versions` and each version's id. One answer per (topic, schema id), kept.
 *
 * Not registered there, or the registry cannot tell (a subject named by RecordNameStrategy, an answer
 * without the list, 401/403 on the listing alone): the key is not trusted and `_kafka.keyError` says why,
 * so Create Missing Tables refuses with that reason unless Key Columns name the key (fail closed: a
 * visible refusal, never a table keyed on a guess). A registry that cannot be asked at all (no answer,
 * timeout, HTTP 5xx or 429) throws SchemaRegistryUnavailableError: it holds the partition, as for the
 * value, since the key was decoded by the same registry a moment before.
 */
import { SchemaRegistryUnavailableError } from './schema-registry-errors';

export type KeySubjectAnswer = { registered: true } | { registered: false; reason: string };

/** A GET against the registry's base URL: the status and the JSON body (undefined when none); throws when there is no answer. */
export type RegistryGet = (path: string) => Promise<{ status: number; body: unknown }>;

/** At most this many versions of `<topic>-key` are read one by one on a registry without `/schemas/ids/{id}/versions`. */
const MAX_VERSIONS_READ = 50;

export class KeySubjects {
	private readonly answers = new Map<string, Promise<KeySubjectAnswer>>();

	constructor(private readonly get: RegistryGet, private readonly registryUrl: string) {}

	/** Whether schema id `schemaId` is registered under `<topic>-key`; kept per (topic, id) unless the registry could not be asked. */
	check(topic: string, schemaId: number): Promise<KeySubjectAnswer> {
		const name = `${topic}\u0000${schemaId}`;
		let answer = this.answers.get(name);
		if (answer === undefined) {
			answer = this.ask(`${topic}-key`, schemaId);
			this.answers.set(name, answer);
			answer.catch(() => this.answers.delete(name));
		}
		return answer;
	}

	private async ask(subject: string, schemaId: number): Promise<KeySubjectAnswer> {
		const notTrusted = (why: string): KeySubjectAnswer => ({
			registered: false,
			reason: `the message key's schema id ${schemaId} ${why}, so the key decoded with it is not trusted as this topic's key (a key written otherwise, e.g. by Kafka's LongSerializer, can start like the wire format and decode with another topic's schema); set Key Columns to name the key`,
		});
		const byId = await this.request(`/schemas/ids/${schemaId}/versions`);
		if (byId.status === 200 && Array.isArray(byId.body)) {
			const subjects = byId.body.map((entry: unknown) => (isObject(entry) && typeof entry.subject === 'string' ? entry.subject : undefined)).filter((s) => s !== undefined);
			if (subjects.includes(subject)) return { registered: true };
			return notTrusted(`is not registered for subject "${subject}" (it is under ${subjects.length === 0 ? 'no subject' : shownList(subjects)})`);
		}
		if (byId.status === 404 && errorCodeOf(byId.body) === 40403) return notTrusted('is not in the Schema Registry');
		if (byId.status !== 404) return notTrusted(`could not be checked against subject "${subject}": GET /schemas/ids/${schemaId}/versions answered HTTP ${byId.status}`);
		// Route not served (404 without a registry error code): the subject's own versions.
		const path = `/subjects/${encodeURIComponent(subject)}/versions`;
		const versions = await this.request(path);
		if (versions.status === 404 && errorCodeOf(versions.body) === 40401) return notTrusted(`is not registered for subject "${subject}" (the registry has no such subject)`);
		if (versions.status !== 200 || !Array.isArray(versions.body)) return notTrusted(`could not be checked against subject "${subject}": GET ${path} answered HTTP ${versions.status}`);
		const newestFirst = versions.body.filter((v): v is number => typeof v === 'number').reverse().slice(0, MAX_VERSIONS_READ);
		for (const version of newestFirst) {
			const one = await this.request(`${path}/${version}`);
			if (one.status === 200 && isObject(one.body) && one.body.id === schemaId) return { registered: true };
		}
		return notTrusted(`is not registered for subject "${subject}" (none of its ${newestFirst.length} latest versions has it)`);
	}

	private async request(path: string): Promise<{ status: number; body: unknown }> {
		let answer: { status: number; body: unknown };
		try {
			answer = await this.get(path);
		} catch (error) {
			throw new SchemaRegistryUnavailableError(`Schema Registry ${this.registryUrl} did not answer GET ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
		}
		if (answer.status >= 500 || answer.status === 429) {
			throw new SchemaRegistryUnavailableError(`Schema Registry ${this.registryUrl} answered HTTP ${answer.status} to GET ${path}`);
		}
		return answer;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCodeOf(body: unknown): number | undefined {
	return isObject(body) && typeof body.error_code === 'number' ? body.error_code : undefined;
}

function shownList(subjects: string[]): string {
	const shown = subjects.slice(0, 3).map((s) => JSON.stringify(s)).join(', ');
	return subjects.length > 3 ? `${shown} and ${subjects.length - 3} more` : shown;
}
