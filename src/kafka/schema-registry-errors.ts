/**
 * Why a Schema Registry decode failed, in the two answers the trigger acts on:
 * - the message is undecodable (no magic byte, a schema id the registry says it does not have, bytes
 *   that do not fit the fetched schema): the original error, and the message goes to the invalid
 *   output with it;
 * - the registry could not be asked (refused connection, timeout, HTTP 5xx, 401/403 after a rotated
 *   password, a URL that does not answer as a registry): SchemaRegistryUnavailableError, and the
 *   trigger holds the partition and asks again after its redelivery backoff, as for a Doris outage.
 *   Dead-lettering those would commit messages that are perfectly good.
 *
 * @kafkajs/confluent-schema-registry 4.1 behaviour relied on (node_modules/@kafkajs/confluent-schema-registry
 * /dist): every failed HTTP exchange is thrown as a `ResponseError` with `status` and `url`
 * (api/middleware/errorMiddleware.js), after mappersmith's retry of GETs on 5xx and network errors
 * (up to 3 retries within ~5 s, api/index.js); mappersmith reports a network error or a timeout as
 * status 400 (gateway/gateway.js dispatchClientError). Everything else it throws (the magic-byte
 * ConfluentSchemaRegistryArgumentError, avsc / protobufjs / JSON decode errors) is about the bytes or
 * the schema the registry answered with.
 */
import { pause } from '../common/abortable';

/** The registry could not be asked; nothing is known about the message. Retry later. */
export class SchemaRegistryUnavailableError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'SchemaRegistryUnavailableError';
	}
}

/**
 * A schema lookup answered with success but no schema in the body (schema-registry.ts
 * schemaAnswersOnly): the URL answers, but not as a registry. Says nothing about the message.
 */
export class NotARegistryAnswerError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'NotARegistryAnswerError';
	}
}

/** What the registry answered to `GET /schemas/ids/{id}`, asked directly to read its error code. */
export interface SchemaLookup {
	status: number;
	/** Confluent's `error_code` (Apicurio's ccompat API sends the same), when the body carries one. */
	errorCode?: number;
}

interface ResponseError extends Error {
	status: number;
	url?: string;
}

/** Whether the failed request was the schema id's own (`…/schemas/ids/{id}`), not a referenced subject's. */
function isSchemaIdRequest(error: ResponseError, schemaId: number): boolean {
	return error.url !== undefined && new RegExp(`/schemas/ids/${schemaId}(\\?|$)`).test(error.url);
}

function isResponseError(error: unknown): error is ResponseError {
	return error instanceof Error && error.name === 'ResponseError' && typeof (error as { status?: unknown }).status === 'number';
}

/**
 * Schema ids a second lookup found missing too: a later message of such an id is not delayed again
 * (a topic whose subject was hard-deleted would otherwise wait at every message). Bounded.
 */
export class MissingSchemaIds {
	private readonly ids = new Set<number>();
	has(id: number): boolean {
		return this.ids.has(id);
	}
	add(id: number): void {
		if (this.ids.size >= 10_000) this.ids.clear();
		this.ids.add(id);
	}
}

/**
 * A second lookup of an id the registry says it does not have, `afterMs` later: a registry of several
 * replicas (Confluent's followers read the _schemas topic; a load balancer in front) answers 40403 for
 * a schema registered a moment ago until the replica asked has read it, and a producer may use the id
 * at once. Dead-lettered on the first answer, every message of a new schema version needed a replay.
 */
export interface MissingSchemaRecheck {
	afterMs: number;
	missing: MissingSchemaIds;
	sleep?: (ms: number) => Promise<unknown>;
}

/**
 * The error to throw for a failed decode of `value`. A 404 means "no such schema" only when the
 * registry itself says so (a Confluent error code in the body, Confluent and Apicurio: 40403): a
 * proxy or a wrong base URL answers 404 too, and that must not dead-letter every message.
 * `lookup` asks the registry for the schema id directly; it may throw (the registry went away).
 * With `recheck`, a schema the registry says it does not have is asked for again once, later
 * (MissingSchemaRecheck); found then, or found by the first lookup after the decode's own request for
 * it failed, the message is decoded again (the partition held), not dead-lettered.
 */
export async function explainDecodeFailure(
	error: unknown,
	value: Buffer,
	registryUrl: string,
	lookup: (schemaId: number) => Promise<SchemaLookup>,
	recheck?: MissingSchemaRecheck,
): Promise<Error> {
	if (error instanceof NotARegistryAnswerError) {
		return new SchemaRegistryUnavailableError(`Schema Registry ${registryUrl} ${error.message}: is the URL the registry's Confluent-compatible API (for Apicurio: …/apis/ccompat/v7)?`, { cause: error });
	}
	if (!isResponseError(error)) return error instanceof Error ? error : new Error(String(error));
	const schemaId = value.length >= 5 ? value.readInt32BE(1) : undefined;
	const asked = `schema id ${schemaId ?? '?'}`;
	if (error.status !== 404 || schemaId === undefined) {
		// mappersmith reports a refused connection or a timeout as status 400 (no answer at all).
		const what =
			error.status === 401 || error.status === 403
				? `refused the credentials (HTTP ${error.status})`
				: error.status === 400
					? `could not be reached for ${asked}`
					: `answered HTTP ${error.status} for ${asked}`;
		return new SchemaRegistryUnavailableError(`Schema Registry ${registryUrl} ${what}: ${error.message}`, { cause: error });
	}
	const ask = async (): Promise<SchemaLookup | Error> => {
		try {
			return await lookup(schemaId);
		} catch (cause) {
			return new SchemaRegistryUnavailableError(`Schema Registry ${registryUrl} could not be reached for ${asked}: ${(cause as Error).message}`, { cause });
		}
	};
	const appeared = () =>
		new SchemaRegistryUnavailableError(`Schema Registry ${registryUrl} did not have ${asked} a moment ago and has it now (a replica still reading a schema just registered): the message is decoded again`, {
			cause: error,
		});
	let answer = await ask();
	if (answer instanceof Error) return answer;
	const missing = answer.status === 404 && answer.errorCode !== undefined;
	if (missing && recheck !== undefined && !recheck.missing.has(schemaId)) {
		await (recheck.sleep ?? pause)(recheck.afterMs);
		answer = await ask();
		if (answer instanceof Error) return answer;
		if (answer.status === 200) return appeared();
		recheck.missing.add(schemaId);
	}
	// 200 where the decode's own request for this id failed: it appeared in between.
	if (answer.status === 200 && isSchemaIdRequest(error, schemaId)) return appeared();
	// 200: the schema is there and a schema it references is not (error.url names which).
	if (answer.status === 200 || (answer.status === 404 && answer.errorCode !== undefined)) return error;
	return new SchemaRegistryUnavailableError(
		`Schema Registry ${registryUrl} answered HTTP ${answer.status} for ${asked} without a registry error code: is the URL the registry's Confluent-compatible API?`,
		{ cause: error },
	);
}
