import { randomUUID } from 'node:crypto';
import { NodeOperationError, type ICredentialDataDecryptedObject, type ITriggerFunctions } from 'n8n-workflow';

import { SINKER_DEFAULTS, parseTopics, type SinkerConsumerOptions } from '../../src/kafka/consumer-options';
import type { MessageFormat, OutputMode, TombstoneMode } from '../../src/kafka/message-parser';
import { createSchemaRegistryDecoder, type SchemaRegistrySettings } from '../../src/kafka/schema-registry';
import { SCHEMA_REGISTRY_CREDENTIAL, toSchemaRegistrySettings } from '../shared/credentials';

const MB = 1024 * 1024;

/** Messages before each partition's end where an editor test run starts (see findRecentOffsets). */
const MANUAL_RECENT_MESSAGES = 100;

/** The `options` collection: only the keys the user set are present. */
interface TriggerOptions {
	closeTimeoutSeconds?: number;
	executionTimeoutSeconds?: number;
	fetchMaxMbPerPartition?: number;
	heartbeatIntervalMs?: number;
	includeMetadata?: boolean;
	lagIntervalSeconds?: number;
	rebalanceTimeoutMs?: number;
	redeliveryBackoffMs?: number;
	redeliveryBackoffMaxMs?: number;
	sessionTimeoutMs?: number;
	tombstones?: TombstoneMode;
}

/** Everything the consumer needs but the connection, logger and fatal-error hook. */
export type ConsumerSettings = Omit<SinkerConsumerOptions, 'connection' | 'logger' | 'onFatalError'>;

export interface KafkaTriggerSettings {
	isManual: boolean;
	/** The Group ID as typed (a manual run adds a suffix). */
	configuredGroupId: string;
	consumer: ConsumerSettings;
	/** Check the downstream Doris nodes' tables and mapped columns before consuming (check-doris-tables.ts). */
	checkDorisTables: boolean;
}

type SettingsContext = Pick<ITriggerFunctions, 'getNodeParameter' | 'getNode' | 'getMode' | 'getWorkflow'>;

/** The Schema Registry credential when the node has one (it is optional for version-1 workflows). */
export async function readSchemaRegistryCredential(
	ctx: Pick<ITriggerFunctions, 'getNode' | 'getCredentials' | 'getNodeParameter'>,
): Promise<ICredentialDataDecryptedObject | undefined> {
	if (ctx.getNodeParameter('format', '') !== 'schemaRegistry' || !ctx.getNode().credentials?.[SCHEMA_REGISTRY_CREDENTIAL]) return undefined;
	return ctx.getCredentials<ICredentialDataDecryptedObject>(SCHEMA_REGISTRY_CREDENTIAL);
}

/**
 * Reads every parameter once, applies the sinker's defaults and converts units; the rest of the node
 * never calls getNodeParameter. Bad values fail activation with the field and the value named.
 */
export function readTriggerSettings(ctx: SettingsContext, schemaRegistryCredential?: ICredentialDataDecryptedObject): KafkaTriggerSettings {
	const fail = (message: string) => new NodeOperationError(ctx.getNode(), message);
	const text = (name: string) => String(ctx.getNodeParameter(name, '') ?? '');
	const number = (name: string, fallback: number) => Number(ctx.getNodeParameter(name, fallback));
	// The one cast: a collection parameter is untyped at the boundary and this is where its shape is known.
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const isManual = ctx.getMode() === 'manual';
	const configuredGroupId = text('groupId').trim();
	const format = text('format') as MessageFormat;
	const output = (text('output') || 'message') as OutputMode;
	try {
		const topics = parseTopics(text('topics'), text('topicSelection') === 'pattern');
		const schemaRegistry =
			format === 'schemaRegistry' ? createSchemaRegistryDecoder(schemaRegistrySettings(ctx, text, schemaRegistryCredential)) : undefined;
		const rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? SINKER_DEFAULTS.rebalanceTimeoutMs;
		const consumer: ConsumerSettings = {
			groupId: manualRunGroupId(configuredGroupId, isManual),
			topics,
			fromBeginning: ctx.getNodeParameter('fromBeginning', SINKER_DEFAULTS.fromBeginning) === true,
			maxRecordsPerExecution: number('maxRecordsPerExecution', SINKER_DEFAULTS.maxRecordsPerExecution),
			maxBytesPerExecution: Math.round(number('maxMbPerExecution', SINKER_DEFAULTS.maxBytesPerExecution / MB) * MB),
			fetchMaxBytesPerPartition: Math.round((options.fetchMaxMbPerPartition ?? SINKER_DEFAULTS.fetchMaxBytesPerPartition / MB) * MB),
			fetchMaxBytes: SINKER_DEFAULTS.fetchMaxBytes,
			fetchMaxWaitMs: SINKER_DEFAULTS.fetchMaxWaitMs,
			executionsInFlight: number('executionsInFlight', SINKER_DEFAULTS.executionsInFlight),
			sessionTimeoutMs: options.sessionTimeoutMs ?? SINKER_DEFAULTS.sessionTimeoutMs,
			heartbeatIntervalMs: options.heartbeatIntervalMs ?? SINKER_DEFAULTS.heartbeatIntervalMs,
			rebalanceTimeoutMs,
			executionTimeoutMs: (options.executionTimeoutSeconds ?? SINKER_DEFAULTS.executionTimeoutMs / 1000) * 1000,
			redeliveryBackoff: {
				initialMs: options.redeliveryBackoffMs ?? SINKER_DEFAULTS.redeliveryBackoff.initialMs,
				maxMs: options.redeliveryBackoffMaxMs ?? SINKER_DEFAULTS.redeliveryBackoff.maxMs,
			},
			closeTimeoutMs: (options.closeTimeoutSeconds ?? SINKER_DEFAULTS.closeTimeoutMs / 1000) * 1000,
			// Rejoining must happen well inside the rebalance timeout, or the group drops this member.
			rebalanceDrainMs: Math.floor(rebalanceTimeoutMs / 2),
			lagIntervalMs: isManual ? 0 : (options.lagIntervalSeconds ?? SINKER_DEFAULTS.lagIntervalMs / 1000) * 1000,
			parser: {
				format,
				includeMetadata: options.includeMetadata === true,
				tombstones: options.tombstones ?? 'skip',
				schemaRegistry,
				output,
			},
			manual: isManual ? { recentMessages: MANUAL_RECENT_MESSAGES } : undefined,
			labels: { workflow: ctx.getWorkflow().id ?? 'unsaved', node: ctx.getNode().name },
		};
		if (!['json', 'text', 'schemaRegistry'].includes(format)) throw new Error(`Message Format "${format}" is not one of JSON, Text, Schema Registry`);
		if (output !== 'message' && output !== 'batch') throw new Error(`Output "${output}" is not one of message (One Item per Message), batch (One Item per Batch)`);
		return { isManual, configuredGroupId, consumer, checkDorisTables: ctx.getNodeParameter('checkDorisTables', false) === true };
	} catch (error) {
		throw fail((error as Error).message);
	}
}

/**
 * Where the registry is: the credential when set; otherwise, for workflows saved with version 1, the
 * node parameters they carry (URL, username, password). From version 1.1 on only the credential.
 */
export function schemaRegistrySettings(
	ctx: SettingsContext,
	text: (name: string) => string,
	credential: ICredentialDataDecryptedObject | undefined,
): SchemaRegistrySettings {
	if (credential) return toSchemaRegistrySettings(credential);
	if (ctx.getNode().typeVersion >= 1.1) {
		throw new Error('Message Format "Schema Registry" needs a Schema Registry credential (the registry\'s URL and authentication)');
	}
	const url = text('schemaRegistryUrl').trim();
	if (url === '') throw new Error('Message Format "Schema Registry" needs a Schema Registry credential, or the Schema Registry URL parameter of this version-1 node');
	return { url, username: text('schemaRegistryUsername').trim() || undefined, password: text('schemaRegistryPassword') };
}

/**
 * The group a run joins. An editor test run ("listen for test event") gets a throwaway group of its
 * own, so it neither takes partitions from the active workflow's consumers nor commits for them; it
 * never commits at all, so Kafka forgets the empty group once the test consumer leaves.
 */
export function manualRunGroupId(configured: string, isManual: boolean): string {
	return isManual ? `${configured}-n8n-manual-${randomUUID()}` : configured;
}
