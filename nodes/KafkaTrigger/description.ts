import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TOPIC_CHECK_MS } from '../../src/kafka/following-consumer';
import { SINKER_DEFAULTS } from '../../src/kafka/consumer-options';

const MB = 1024 * 1024;

export const properties: INodeProperties[] = [
	{
		displayName: 'Topic Selection',
		name: 'topicSelection',
		type: 'options',
		options: [
			{ name: 'List', value: 'list', description: 'Comma-separated topic names' },
			{ name: 'Regular Expression', value: 'pattern', description: 'Every topic whose name matches; new matching topics are found every New Topics Check (option)' },
		],
		default: 'list',
	},
	{
		displayName: 'Topics',
		name: 'topics',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'orders, payments',
		description: `Topic names separated by commas, or a regular expression such as ^orders\\..* (new matching topics are picked up within New Topics Check, ${DEFAULT_TOPIC_CHECK_MS / 1000} s by default)`,
	},
	{
		displayName: 'Group ID',
		name: 'groupId',
		type: 'string',
		default: 'n8n-doris-sinker',
		required: true,
		description: 'Kafka consumer group. Offsets are committed for this group only after the rows are loaded into Doris.',
	},
	{
		displayName: 'Read From Beginning',
		name: 'fromBeginning',
		type: 'boolean',
		default: SINKER_DEFAULTS.fromBeginning,
		description:
			'Whether a group with no committed offset starts at the earliest retained message (on) or only reads new messages (off). Off skips only the history of the topics there at the first activation of the group (a warning names them and how many messages were skipped): a topic met later (found by New Topics Check, created or created again while the workflow was inactive, or added to the topic list) is read from its first message, unless it was the only topic the group had offsets for (Kafka drops the offsets of a deleted topic, so the group then looks new: the warning names it). A group that has committed resumes where it left off either way.',
	},
	{
		displayName: 'Message Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'JSON', value: 'json', description: 'Each value is a JSON object; big integers are kept exact (as strings)' },
			{ name: 'Text', value: 'text', description: 'Each value is UTF-8 text, put in the field "value"' },
			{
				name: 'Delimited Text (CSV)',
				value: 'csv',
				description: 'Each value is one record of fields split at a separator, named by Column Names',
			},
			{ name: 'Schema Registry', value: 'schemaRegistry', description: 'Avro, JSON Schema or Protobuf in the Confluent wire format' },
		],
		default: 'json',
	},
	{
		displayName: 'Column Names',
		name: 'csvColumns',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'order_id, customer_id, amount, created_at',
		description:
			'The name of each field, in the order the fields stand in a message. Use the Doris column names: the Doris Schema node maps fields to columns by name. A message with another number of fields goes to the Doris Schema node\'s invalid output with the reason.',
		displayOptions: { show: { format: ['csv'] } },
	},
	{
		displayName: 'Separator',
		name: 'csvSeparator',
		type: 'string',
		default: ',',
		description: 'The text between fields; \\t for a tab, \\x01 (Doris\' default) and other \\xNN for control characters',
		displayOptions: { show: { format: ['csv'] } },
	},
	{
		displayName: 'Quote Character',
		name: 'csvQuote',
		type: 'string',
		default: '"',
		description: 'Encloses a field that holds the separator, a quote (doubled) or a line break; empty for none',
		displayOptions: { show: { format: ['csv'] } },
	},
	{
		displayName: 'Empty Field Is NULL',
		name: 'csvEmptyAsNull',
		type: 'boolean',
		default: false,
		description: 'Whether an unquoted empty field is NULL (as many exporters write NULL) rather than empty text. \\N is always NULL, as in Doris.',
		displayOptions: { show: { format: ['csv'] } },
	},
	// Version 1 kept the registry in node parameters (the password in the workflow JSON). Workflows saved
	// then keep them, so they still decode; a Schema Registry credential, once chosen, wins over them.
	{
		displayName:
			'These fields predate the Schema Registry credential. Choose a Schema Registry credential above (it takes precedence) and empty the password here, so it no longer sits in the workflow.',
		name: 'schemaRegistryLegacyNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { format: ['schemaRegistry'], '@version': [1] } },
	},
	{
		displayName: 'Schema Registry URL',
		name: 'schemaRegistryUrl',
		type: 'string',
		default: '',
		placeholder: 'http://schema-registry:8081',
		description: 'Base URL of a Confluent-compatible registry (for Apicurio: …/apis/ccompat/v7); ignored when a Schema Registry credential is set',
		displayOptions: { show: { format: ['schemaRegistry'], '@version': [1] } },
	},
	{
		displayName: 'Schema Registry Username',
		name: 'schemaRegistryUsername',
		type: 'string',
		default: '',
		description: 'For basic authentication; ignored when a Schema Registry credential is set',
		displayOptions: { show: { format: ['schemaRegistry'], '@version': [1] } },
	},
	{
		displayName: 'Schema Registry Password',
		name: 'schemaRegistryPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: { show: { format: ['schemaRegistry'], '@version': [1] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'One Item per Batch (Fastest)',
				value: 'batch',
				description:
					'One item per execution (more only around odd messages) holding its messages as JSON lines (packedRows), not parsed here; Include Metadata does not apply to them (packedRows.sources gives topic, partition and offset ranges). Messages that cannot be a line (tombstones emitted, values not UTF-8 or with line breaks) come as ordinary items in their place, so items stay in offset order.',
			},
			{ name: 'One Item per Message', value: 'message', description: 'Each message is its own item, parsed, so any n8n node can read or change it' },
		],
		default: 'message',
		description:
			'One Item per Batch is for Kafka Trigger → Doris Schema → Doris Stream Load: n8n\'s own cost is per item and per field, so one item of lines costs it almost nothing. Choose One Item per Message when other n8n nodes must see each message.',
	},
	{
		displayName: 'Max Records per Execution',
		name: 'maxRecordsPerExecution',
		type: 'number',
		default: SINKER_DEFAULTS.maxRecordsPerExecution,
		typeOptions: { minValue: 1 },
		description:
			'Messages handed to one workflow execution. Executions in Flight × this should be at least the Doris Stream Load node\'s Batch Max Rows, or batches only ever flush on their interval.',
	},
	{
		displayName: 'Max MB per Execution',
		name: 'maxMbPerExecution',
		type: 'number',
		default: SINKER_DEFAULTS.maxBytesPerExecution / MB,
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		description: 'Key + value bytes handed to one execution; a single larger message still travels alone',
	},
	{
		displayName: 'Executions in Flight',
		name: 'executionsInFlight',
		type: 'number',
		default: SINKER_DEFAULTS.executionsInFlight,
		typeOptions: { minValue: 1 },
		description:
			'Executions running at once. The Stream Load node holds each execution until the batch with its rows is loaded, so Executions in Flight × Max Records per Execution ≥ Batch Max Rows lets batches fill by size (defaults: 10 × 5000 = 50000), and twice that lets the next batch fill while one loads (for throughput: 20 × 5000 with 50000-row batches). When all are busy the trigger stops fetching, which bounds memory.',
	},
	{
		displayName: 'Check Doris Tables on Activation',
		name: 'checkDorisTables',
		type: 'boolean',
		default: false,
		description:
			'Whether activation fails when a Doris Schema node after this trigger (Map Rows with Validate on Start) maps to a table or column that does not exist, or a Doris Stream Load node loads into a missing table, or into a table with an HLL / BITMAP / QUANTILE_STATE / AGG_STATE column its Columns give no expression for (Doris would refuse every load). Checked over Doris\' MySQL port with the Doris credential set here (a trigger cannot use another node\'s credential; an empty database in a Doris node means this credential\'s default). Tables given by expressions are not checked.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Add Kafka Fields',
				name: 'kafkaFields',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Kafka Field',
				default: {},
				description:
					'The message key, a header or the message\'s position as fields of each row, so the Doris Schema node can map them to columns. Works in both outputs (in One Item per Batch they are added to each line). A message whose value already has one of these names at its top level goes to Invalid (_parseError kind reserved_field), naming the field; CSV Column Names holding one of them are refused.',
				options: [
					{
						name: 'field',
						displayName: 'Field',
						values: [
							{
								displayName: 'Source',
								name: 'source',
								type: 'options',
								options: [
									{ name: 'All Headers (Object)', value: 'headers', description: 'Every header as name → text (for a JSON or VARIANT column)' },
									{ name: 'Header', value: 'header', description: 'One header\'s value as text (null when the message lacks it)' },
									{ name: 'Key', value: 'key', description: 'The message key as text (base64 when not UTF-8; null when the message has none). With Message Format Schema Registry, a key in the registry\'s wire format is decoded through it.' },
									{ name: 'Offset', value: 'offset', description: 'The message\'s offset (int64, as a decimal string)' },
									{ name: 'Partition', value: 'partition' },
									{ name: 'Timestamp', value: 'timestamp', description: 'The message\'s timestamp as ISO 8601 UTC text' },
									{ name: 'Topic', value: 'topic' },
								],
								default: 'key',
							},
							{
								displayName: 'Header Name',
								name: 'header',
								type: 'string',
								default: '',
								placeholder: 'x-tenant',
								displayOptions: { show: { source: ['header'] } },
							},
							{
								displayName: 'Field Name',
								name: 'name',
								type: 'string',
								default: '',
								placeholder: 'event_key',
								description: 'The field (and so, by default, the Doris column) the value goes to',
							},
						],
					},
				],
			},
			{
				displayName: 'Close Timeout (Seconds)',
				name: 'closeTimeoutSeconds',
				type: 'number',
				default: SINKER_DEFAULTS.closeTimeoutMs / 1000,
				typeOptions: { minValue: 0 },
				description: 'On deactivation or shutdown, how long closing may take in all (up to 1 s when set lower): executions in flight are waited for until its last fifth (at most 5 s), kept for committing and leaving the group. What is not committed by then is delivered again.',
			},
			{
				displayName: 'Execution Timeout (Seconds)',
				name: 'executionTimeoutSeconds',
				type: 'number',
				default: SINKER_DEFAULTS.executionTimeoutMs / 1000,
				typeOptions: { minValue: 0 },
				description: 'An execution not finished by then counts as failed and its messages are redelivered (0 = wait forever)',
			},
			{
				displayName: 'Fetch Max MB per Partition',
				name: 'fetchMaxMbPerPartition',
				type: 'number',
				default: SINKER_DEFAULTS.fetchMaxBytesPerPartition / MB,
				typeOptions: { minValue: 0.001, numberPrecision: 3 },
				description: 'The most one fetch brings per partition. Keep it above the largest message: a larger one is returned only when its partition comes first among those with data, so its partition may lag behind.',
			},
			{
				displayName: 'Heartbeat Interval (Ms)',
				name: 'heartbeatIntervalMs',
				type: 'number',
				default: SINKER_DEFAULTS.heartbeatIntervalMs,
				typeOptions: { minValue: 1 },
				description: 'Must be below the session timeout; about a third of it is usual',
			},
			{
				displayName: 'Include Metadata',
				name: 'includeMetadata',
				type: 'boolean',
				default: false,
				description: 'Whether each item carries _kafka: topic, partition, offset, key, timestamp and headers (items with a parse error always do); with Message Format Schema Registry also the key decoded (decodedKey) and the value\'s Connect schema (valueSchema), which Doris Schema\'s Create Missing Tables reads; with One Item per Batch the packed item carries the lines\' Connect schemas instead (packedRows.connectSchemas)',
			},
			{
				displayName: 'Keep Order per Partition',
				name: 'keepPartitionOrder',
				type: 'boolean',
				default: false,
				description:
					"Whether to run at most one execution per partition at a time (partitions still run in parallel), so no row of a partition is loaded before an earlier one: for CDC. Each execution's rows are loaded before its Execution Timeout or not at all, and a consumer that takes a partition over from one that may still have rows on their way waits until the last deadline that one handed out (kept in Kafka with the offsets) before starting it. Required (activation refuses otherwise) with Debezium Envelopes on a Doris Schema node, Deletes (CDC) Always on a Doris Stream Load node, or Tombstones \"Delete the Row of Its Key\"; set the Execution Timeout short then (e.g. 120 s).",
			},
			{
				displayName: 'Lag Interval (Seconds)',
				name: 'lagIntervalSeconds',
				type: 'number',
				default: SINKER_DEFAULTS.lagIntervalMs / 1000,
				typeOptions: { minValue: 0 },
				description: 'How often consumer lag (end offset − committed offset) is measured for the kafka_consumer_lag metric (0 = off)',
			},
			{
				displayName: 'New Topics Check (Seconds)',
				name: 'topicCheckSeconds',
				type: 'number',
				default: DEFAULT_TOPIC_CHECK_MS / 1000,
				typeOptions: { minValue: 0 },
				description:
					'How often to look at the subscribed topics. With a pattern: new topics it matches (a table a change stream starts writing gets a new topic); with a list: listed topics created again after a deletion. The trigger then re-subscribes, after its executions in flight finished, and reads such a topic from its first message. A deleted topic is left out at once whatever this says, and the other topics go on. 0 = no looking: only the topics present at activation (a deleted one comes back at the next activation).',
			},
			{
				displayName: 'Rebalance Timeout (Ms)',
				name: 'rebalanceTimeoutMs',
				type: 'number',
				default: SINKER_DEFAULTS.rebalanceTimeoutMs,
				typeOptions: { minValue: 1 },
				description: 'How long the group waits for members to rejoin; before rejoining, the trigger waits up to half of it for executions in flight',
			},
			{
				displayName: 'Redelivery Backoff (Ms)',
				name: 'redeliveryBackoffMs',
				type: 'number',
				default: SINKER_DEFAULTS.redeliveryBackoff.initialMs,
				typeOptions: { minValue: 1 },
				description: 'Wait before redelivering a failed execution; doubles on each further failure of the same partition',
			},
			{
				displayName: 'Redelivery Backoff Max (Ms)',
				name: 'redeliveryBackoffMaxMs',
				type: 'number',
				default: SINKER_DEFAULTS.redeliveryBackoff.maxMs,
				typeOptions: { minValue: 1 },
			},
			{
				displayName: 'Release Compacted-Topic Holds',
				name: 'releaseCompactedHolds',
				type: 'string',
				default: '',
				placeholder: 'shop.orders@2026-12-07T08:04:06.123Z',
				description:
					'Holds to release, as the error of a topic held for compacting names them (topic@time the hold began, e.g. shop.orders@2026-12-07T08:04:06.123Z), comma-separated. A topic whose cleanup.policy changed to compact while a Debezium workflow read it with Tombstones "Skip" stays held, across activations, n8n restarts and changes to the workflow, because the log cleaner may have removed delete events (op d, or flattened __deleted "true") among its unread messages, which Skip would then lose. Release it here, and activate again, only where the cleaner has not run over them; else set Tombstones to "Delete the Row of Its Key", which needs no release. Naming one hold, a value left here releases no later one.',
			},
			{
				displayName: 'Report Stalled Consumer After (Seconds)',
				name: 'stallReportSeconds',
				type: 'number',
				default: SINKER_DEFAULTS.stallReportMs / 1000,
				typeOptions: { minValue: 0 },
				description:
					'When the brokers or the group coordinator have not answered for this long after activation (kafkajs keeps restarting the consumer meanwhile), the trigger reports it once as a failed execution naming the brokers, the last error and how long, and n8n runs the workflow\'s Error Workflow. Nothing is committed or lost meanwhile; the trigger goes on by itself when Kafka answers again. 0 = only the log.',
			},
			{
				displayName: 'Session Timeout (Ms)',
				name: 'sessionTimeoutMs',
				type: 'number',
				default: SINKER_DEFAULTS.sessionTimeoutMs,
				typeOptions: { minValue: 1 },
			},
			{
				displayName: 'Tombstone Key Column for Plain Keys',
				name: 'tombstoneKeyColumn',
				type: 'string',
				default: '',
				placeholder: 'customer_id',
				description:
					'With Tombstones "Delete the Row of Its Key": the Doris key column that a plain key (one value, such as 42, "abc", a string key that is not JSON, an Avro long key) names, so the tombstone deletes the row whose column holds the key (as a JDBC sink\'s pk.fields with pk.mode=record_key). Empty: such a key is an item with _parseError (Invalid). A key that is an object names its columns itself.',
			},
			{
				displayName: 'Tombstones',
				name: 'tombstones',
				type: 'options',
				options: [
					{ name: 'Skip (Counted)', value: 'skip', description: 'Messages with a null value are not emitted; kafka_tombstones_skipped_total counts them, and the first on each partition is logged as a warning with its key (not behind Debezium Envelopes)' },
					{ name: 'Emit', value: 'emit', description: 'Emitted as items whose _parseError.kind is "tombstone"' },
					{
						name: 'Delete the Row of Its Key',
						value: 'delete',
						description:
							'For a compacted changelog whose tombstones are the deletes (Debezium ExtractNewRecordState without delete rewriting, a JDBC sink with delete.enabled): the key, decoded as the values are (JSON, Connect envelope payload, Schema Registry), becomes a row of its fields with __DORIS_DELETE_SIGN__ = 1, which the Doris Schema node loads as a delete (UNIQUE KEY tables; a NOT NULL value column the key lacks gets a placeholder, never shown as the row is deleted). A plain key (42, "abc") takes the column Tombstone Key Column for Plain Keys names. A null or undecodable key, or a plain one without that option, is an item with _parseError. Message Format JSON or Schema Registry only, with Keep Order per Partition on (else an upsert loaded after its tombstone would bring the deleted row back)',
					},
				],
				default: 'skip',
			},
		],
	},
];
