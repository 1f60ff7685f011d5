import { randomUUID } from 'node:crypto';
import type { ICredentialDataDecryptedObject, ITriggerFunctions } from 'n8n-workflow';

import { parseReleasedHolds } from '../../src/kafka/compacted-hold-mark';
import { SINKER_DEFAULTS, parseTopics, type SinkerConsumerOptions } from '../../src/kafka/consumer-options';
import { decodeSeparatorNotation, validateDelimitedFormat, type DelimitedFormat } from '../../src/kafka/delimited';
import { validateKafkaFields, validateKafkaFieldsForFormat, type KafkaField, type KafkaFieldSource } from '../../src/kafka/message-fields';
import { createSchemaRegistryDecoder, type SchemaRegistrySettings } from '../../src/kafka/schema-registry';
import { SCHEMA_REGISTRY_CREDENTIAL, toSchemaRegistrySettings } from '../shared/credentials';
import { flag, oneOf, text } from '../../src/common/settings';
import { nodeParameters, readNodeSettings, type NodeParameters } from '../shared/settings';
import { properties } from './description';

const MB = 1024 * 1024;

/** Messages before each partition's end where an editor test run starts (see findRecentOffsets). */
const MANUAL_RECENT_MESSAGES = 100;

/** Everything the consumer needs but the connection, logger and fatal-error hook. */
export type ConsumerSettings = Omit<SinkerConsumerOptions, 'connection' | 'logger' | 'onFatalError' | 'onStall'>;

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
 * never calls getNodeParameter. Bad values fail activation with the field, the value and the rule
 * named (the numbers are checked by validateConsumerOptions in src/, with the same labels).
 */
export function readTriggerSettings(ctx: SettingsContext, schemaRegistryCredential?: ICredentialDataDecryptedObject): KafkaTriggerSettings {
	const params = nodeParameters(properties, (name, fallback) => ctx.getNodeParameter(name, fallback));
	return readNodeSettings(ctx.getNode(), () => triggerSettings(ctx, params, schemaRegistryCredential));
}

function triggerSettings(ctx: SettingsContext, p: NodeParameters, schemaRegistryCredential: ICredentialDataDecryptedObject | undefined): KafkaTriggerSettings {
	const { option } = p;
	const isManual = ctx.getMode() === 'manual';
	const configuredGroupId = text(p.param('groupId'));
	const format = oneOf('Message Format', p.param('format'), ['json', 'text', 'csv', 'schemaRegistry'] as const, 'JSON, Text, Delimited Text (CSV), Schema Registry');
	const output = oneOf('Output', p.param('output'), ['message', 'batch'] as const, 'message (One Item per Message), batch (One Item per Batch)');
	const topics = parseTopics(text(p.param('topics')), p.param('topicSelection') === 'pattern');
	const legacyText = (name: string) => String(p.param(name) ?? '');
	const schemaRegistry = format === 'schemaRegistry' ? createSchemaRegistryDecoder(schemaRegistrySettings(ctx, legacyText, schemaRegistryCredential)) : undefined;
	const delimited = format === 'csv' ? delimitedFormat(p) : undefined;
	const addedFields = kafkaFields(option('kafkaFields'));
	validateKafkaFieldsForFormat(addedFields, format, delimited?.columns ?? []);
	const rebalanceTimeoutMs = Number(option('rebalanceTimeoutMs'));
	const consumer: ConsumerSettings = {
		groupId: manualRunGroupId(configuredGroupId, isManual),
		topics,
		fromBeginning: flag(p.param('fromBeginning')),
		maxRecordsPerExecution: Number(p.param('maxRecordsPerExecution')),
		maxBytesPerExecution: Math.round(Number(p.param('maxMbPerExecution')) * MB),
		fetchMaxBytesPerPartition: Math.round(Number(option('fetchMaxMbPerPartition')) * MB),
		fetchMaxBytes: SINKER_DEFAULTS.fetchMaxBytes,
		fetchMaxWaitMs: SINKER_DEFAULTS.fetchMaxWaitMs,
		executionsInFlight: Number(p.param('executionsInFlight')),
		sessionTimeoutMs: Number(option('sessionTimeoutMs')),
		heartbeatIntervalMs: Number(option('heartbeatIntervalMs')),
		rebalanceTimeoutMs,
		executionTimeoutMs: Number(option('executionTimeoutSeconds')) * 1000,
		keepPartitionOrder: flag(option('keepPartitionOrder')),
		topicCheckIntervalMs: Number(option('topicCheckSeconds')) * 1000,
		releasedCompactedHolds: parseReleasedHolds(text(option('releaseCompactedHolds'))),
		redeliveryBackoff: {
			initialMs: Number(option('redeliveryBackoffMs')),
			maxMs: Number(option('redeliveryBackoffMaxMs')),
		},
		closeTimeoutMs: Number(option('closeTimeoutSeconds')) * 1000,
		// Rejoining must happen well inside the rebalance timeout, or the group drops this member.
		rebalanceDrainMs: Math.floor(rebalanceTimeoutMs / 2),
		lagIntervalMs: isManual ? 0 : Number(option('lagIntervalSeconds')) * 1000,
		stallReportMs: isManual ? 0 : Number(option('stallReportSeconds')) * 1000,
		parser: {
			format,
			includeMetadata: flag(option('includeMetadata')),
			tombstones: oneOf('Tombstones', option('tombstones'), ['skip', 'emit', 'delete'] as const),
			tombstoneKeyColumn: text(option('tombstoneKeyColumn')),
			schemaRegistry,
			output,
			kafkaFields: addedFields,
			delimited,
		},
		manual: isManual ? { recentMessages: MANUAL_RECENT_MESSAGES } : undefined,
		labels: { workflow: ctx.getWorkflow().id ?? 'unsaved', node: ctx.getNode().name },
	};
	return { isManual, configuredGroupId, consumer, checkDorisTables: flag(p.param('checkDorisTables')) };
}

/** Column names, separator (Doris notation) and quote of delimited text, checked. */
function delimitedFormat(p: NodeParameters): DelimitedFormat {
	const names = text(p.param('csvColumns'));
	const format: DelimitedFormat = {
		columns: names === '' ? [] : names.split(',').map((name) => name.trim()),
		// Not trimmed: a blank or a tab can be the separator.
		separator: decodeSeparatorNotation(String(p.param('csvSeparator') ?? '')),
		quote: String(p.param('csvQuote') ?? ''),
		emptyAsNull: flag(p.param('csvEmptyAsNull')),
	};
	validateDelimitedFormat(format);
	return format;
}

/** The "Add Kafka Fields" entries (a fixed collection: `{ field: [...] }`), checked. */
function kafkaFields(raw: unknown): KafkaField[] {
	// The one untyped read of this collection: n8n gives it as a plain object holding the entries set.
	const entries = (raw as { field?: Array<{ source?: unknown; header?: unknown; name?: unknown }> } | undefined)?.field ?? [];
	const fields = entries.map((entry) => ({
		source: (text(entry.source) || 'key') as KafkaFieldSource,
		header: text(entry.header),
		name: text(entry.name),
	}));
	validateKafkaFields(fields);
	return fields;
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
