import {
	NodeConnectionTypes,
	NodeOperationError,
	TriggerCloseError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

// Opens the metrics server at n8n start-up when DORIS_SINKER_METRICS* asks for it (one per process).
import '../../src/metrics/autostart';

import { flushAll } from '../../src/batch/registry';
import { readsDebeziumEnvelopes } from '../../src/common/change-order';
import { refusesCompactedTopics } from '../../src/common/event-deletes';
import { ALL_METADATA, kafkaMetadataNeeds } from '../../src/common/metadata-needs';
import { packedValuesNeedCheck } from '../../src/common/packed-value-check';
import { checkKafkaConnection } from '../../src/kafka/connection-check';
import { FollowingConsumer } from '../../src/kafka/following-consumer';
import { createLogSampler } from '../../src/metrics/log-sampler';
import { registerReadinessProbe } from '../../src/metrics/readiness';
import { checkSchemaRegistry } from '../../src/kafka/schema-registry-check';
import { KAFKA_CREDENTIAL, toKafkaConnection, toSchemaRegistrySettings } from '../shared/credentials';
import { dorisConnectionTest } from '../shared/doris-methods';
import { workflowGraphOf } from '../shared/outputs';
import { versionCheckingNode } from '../shared/republished-graph';
import { checkDorisTables } from './check-doris-tables';
import { properties } from './description';
import { refuseLossyContinue } from './refuse-lossy-continue';
import { refuseLossySettings, refuseWaitingNodes } from './refuse-lossy-settings';
import { refusePackedIntoCsv } from './refuse-packed-csv';
import { concurrencyLimitWarning } from '../../src/common/n8n-queues';
import { n8nEnv } from '../shared/n8n-env';
import { refuseContradictoryTimeouts } from './refuse-timeouts';
import { refuseStallingSettings, refuseTombstoneTargets, refuseUnorderedChanges } from './refuse-unordered-changes';
import { createRunExecution, refuseEngineV2 } from './run-execution';
import { readSchemaRegistryCredential, readTriggerSettings } from './settings';

/**
 * Consumes Kafka in batches for the Doris sinker: one execution per batch, several in flight, and
 * a partition's offsets committed only up to executions that finished successfully (see
 * src/kafka/sinker-consumer.ts). This node is only the n8n face: settings, emit, close.
 */
export class KafkaTrigger implements INodeType {
	description: INodeTypeDescription = {
		// eslint-disable-next-line n8n-nodes-base/node-class-description-display-name-unsuffixed-trigger-node -- n8n's built-in node is already "Kafka Trigger"; the suffix tells the two apart in the node panel and in the docs that name it.
		displayName: 'Kafka Trigger (Doris Sinker)',
		name: 'kafkaTrigger',
		icon: { light: 'file:kafkaTrigger.svg', dark: 'file:kafkaTrigger.dark.svg' },
		group: ['trigger'],
		// 1.1: the Schema Registry's URL and login live in a credential (version 1 had node parameters).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["topics"]}}',
		description: 'Consumes Kafka topics in batches and commits offsets only after the rows are loaded into Doris',
		defaults: { name: 'Kafka Trigger (Doris Sinker)' },
		// A trigger starts workflows; n8n cannot call it as an AI agent's tool (lint's node-usable-as-tool
		// forbids `true` on triggers).
		usableAsTool: undefined,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// The one node that declares the Kafka credential's test: n8n resolves `testedBy` per credential type.
		credentials: [
			{ name: 'kafkaDorisSinkApi', required: true, testedBy: 'kafkaConnectionTest' },
			// Only for "Check Doris Tables on Activation". Same test as the Doris nodes' (n8n resolves
			// `testedBy` per credential type, so every node declaring the credential names the same one).
			{ name: 'dorisApi', required: true, testedBy: 'dorisConnectionTest', displayOptions: { show: { checkDorisTables: [true] } } },
			// Not `required`: a version-1 workflow may still carry the registry in its node parameters, and
			// n8n refuses to activate a node with a required credential missing. settings.ts insists on it
			// from version 1.1 on.
			{
				name: 'schemaRegistryDorisSinkApi',
				required: false,
				testedBy: 'schemaRegistryConnectionTest',
				displayOptions: { show: { format: ['schemaRegistry'] } },
			},
		],
		properties,
	};

	methods = {
		credentialTest: {
			dorisConnectionTest,
			async schemaRegistryConnectionTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
			): Promise<INodeCredentialTestResult> {
				try {
					const result = await checkSchemaRegistry(toSchemaRegistrySettings(credential.data ?? {}));
					return { status: result.ok ? 'OK' : 'Error', message: result.message };
				} catch (error) {
					return { status: 'Error', message: (error as Error).message };
				}
			},
			async kafkaConnectionTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
			): Promise<INodeCredentialTestResult> {
				try {
					const result = await checkKafkaConnection(toKafkaConnection(credential.data ?? {}));
					return { status: result.ok ? 'OK' : 'Error', message: result.message };
				} catch (error) {
					return { status: 'Error', message: (error as Error).message };
				}
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		refuseEngineV2(this);
		refuseLossyContinue(this);
		refuseLossySettings(this);
		refuseWaitingNodes(this);
		const settings = readTriggerSettings(this, await readSchemaRegistryCredential(this));
		refusePackedIntoCsv(this, settings.consumer.parser.output ?? 'message');
		refuseUnorderedChanges(this, {
			keepPartitionOrder: settings.consumer.keepPartitionOrder === true,
			tombstonesDelete: settings.consumer.parser.tombstones === 'delete',
		});
		refuseTombstoneTargets(this, settings.consumer.parser.tombstones === 'delete');
		refuseStallingSettings(this, { keepPartitionOrder: settings.consumer.keepPartitionOrder === true });
		refuseContradictoryTimeouts(this, { keepPartitionOrder: settings.consumer.keepPartitionOrder === true, executionTimeoutMs: settings.consumer.executionTimeoutMs });
		// Debezium envelopes delete by their op d event: the tombstone after it is skipped without a warning.
		const graph = workflowGraphOf(this);
		const deletesByEvents = graph !== undefined && readsDebeziumEnvelopes(graph, this.getNode().name);
		settings.consumer.warnSkippedTombstones = !deletesByEvents;
		// But on a compacted topic the event can be gone and the tombstone alone left (compacted-topics.ts): the
		// op d event, or a flattened record's __deleted "true", which a Doris Schema node with Envelopes off
		// deletes by (event-deletes.ts; before review session 20 F4 only the first counted, and a flattened
		// stream on a compacted topic lost its deletes under Skip). A hold already kept in the group's offsets
		// is honoured with Skip whatever the graph says now (following-consumer.ts keepsCompactedHolds).
		settings.consumer.refuseCompactedTopics =
			graph !== undefined &&
			refusesCompactedTopics(graph, this.getNode().name, {
				tombstonesSkipped: (settings.consumer.parser.tombstones ?? 'skip') === 'skip',
				keepPartitionOrder: settings.consumer.keepPartitionOrder === true,
			});
		// `_kafka.valueSchema` (kilobytes) and `decodedKey` (a registry decode) only for a Doris Schema node that
		// creates tables or adds columns; both when the graph cannot be read (metadata-needs.ts).
		settings.consumer.parser.metadataNeeds = graph === undefined ? ALL_METADATA : kafkaMetadataNeeds(graph, this.getNode().name);
		// One Item per Batch: a value of two JSON values is not packed unless a Doris Schema node parses every line first.
		settings.consumer.parser.checkPackedValues = packedValuesNeedCheck(graph, this.getNode().name);
		let connection;
		try {
			connection = toKafkaConnection(await this.getCredentials(KAFKA_CREDENTIAL));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error);
		}
		// Before any consumer joins: a workflow whose tables are missing must not take partitions.
		if (settings.checkDorisTables) await checkDorisTables(this);
		// A version published later without the Doris node every execution reaches: not counted as loaded
		// (run-execution.ts), and recorded once as a failed execution, where n8n shows them and runs the Error Workflow.
		const checkingNode = graph === undefined ? undefined : versionCheckingNode(graph, this.getNode().name);
		let uncheckedReported = false;
		const onMissing = (reason: string) => {
			if (uncheckedReported) return;
			uncheckedReported = true;
			this.saveFailedExecution(new NodeOperationError(this.getNode(), `An execution of this workflow was not counted as loaded: ${reason}`));
		};
		const runExecution = createRunExecution(this, settings.isManual, checkingNode === undefined ? undefined : { node: checkingNode, onMissing });
		// A repeated error of one kind is logged K times per minute, then summarised: an outage must not flood n8n's log.
		const logger = createLogSampler(this.logger);
		const queued = settings.isManual ? undefined : concurrencyLimitWarning(n8nEnv(['EXECUTIONS_MODE', 'N8N_CONCURRENCY_PRODUCTION_LIMIT']), settings.consumer.executionsInFlight, settings.consumer.keepPartitionOrder === true);
		if (queued !== undefined) logger.warn(`Kafka trigger: ${queued}`);
		let unregisterProbe: (() => void) | undefined;
		let consumer: Awaited<ReturnType<typeof FollowingConsumer.start>> | undefined;
		// A manual run starts from manualTriggerFunction, so close may arrive while it is starting;
		// close then waits for the start and closes what it made instead of leaking a group member.
		let startup: Promise<void> | undefined;

		const start = async () => {
			startup = FollowingConsumer.start(
				{
					...settings.consumer,
					connection,
					logger,
					// Executions in flight may wait for a Stream Load batch to fill: a restart (New Topics Check) and
					// close load what is buffered at once, so they can commit them instead of waiting out the batch interval.
					flushBuffered: settings.isManual ? undefined : flushAll,
					// A crash kafkajs will not restart from: n8n deactivates, reports and reactivates with backoff.
					onFatalError: (error) => this.emitError(new NodeOperationError(this.getNode(), error)),
					// Brokers gone for Report Stalled Consumer After: kafkajs keeps restarting the consumer, which goes
					// on by itself when they answer. A failed execution and the Error Workflow tell the operator,
					// and the workflow stays active: emitError would tear the consumer down and leave reactivation
					// to n8n's backoff, which doubles up to 24 h (active-workflow-manager.js addQueuedWorkflowActivation),
					// so the pipeline would stay stopped for hours after a long outage ended.
					onStall: (report) => this.saveFailedExecution(new NodeOperationError(this.getNode(), report.message)),
				},
				runExecution,
			).then((started) => {
				consumer = started;
				if (!settings.isManual) {
					const node = this.getNode();
					// /readyz: this consumer has joined its group (it is removed again on close).
					unregisterProbe = registerReadinessProbe(`kafka:${this.getWorkflow().id ?? ''}:${node.name}`, () => ({
						ok: started.assigned().size > 0 || started.inFlight > 0,
						detail: `group ${settings.consumer.groupId}`,
					}));
				}
			});
			try {
				await startup;
			} catch (error) {
				throw new NodeOperationError(this.getNode(), error as Error, {
					description: settings.isManual
						? `Test runs use the throwaway consumer group "${settings.consumer.groupId}"; a cluster with group ACLs needs a prefixed ACL for "${settings.configuredGroupId}-n8n-manual-".`
						: undefined,
				});
			}
		};

		const closeFunction = async () => {
			try {
				unregisterProbe?.();
				await startup?.catch(() => {});
				// Loads what is buffered too (flushBuffered), within the one Close Timeout (src/kafka/close-deadline.ts).
				await consumer?.close();
			} catch (error) {
				// n8n's teardown path expects TriggerCloseError (logged at its level, not as a node failure).
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
				throw new TriggerCloseError(this.getNode(), { cause: error as Error, level: 'warning' });
			} finally {
				logger.close();
			}
		};

		if (settings.isManual) return { closeFunction, manualTriggerFunction: start };
		await start();
		return { closeFunction };
	}
}
