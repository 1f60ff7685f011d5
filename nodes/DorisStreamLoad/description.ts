import type { INodeProperties } from 'n8n-workflow';

import { LOAD_DEFAULTS } from '../../src/batch/load-defaults';
import { DEFAULT_RETRY } from '../../src/doris/stream-load/retry';
import { databaseAndTableFields } from '../shared/doris-fields';
import { alsoShowOnlyWhen } from '../shared/display';

const MB = 1024 * 1024;

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Batch Max Idle (Ms)',
			name: 'batchIdleMs',
			type: 'number',
			default: LOAD_DEFAULTS.maxIdleMs,
			typeOptions: { minValue: 0 },
			description:
				'Load the batch once no execution has added rows for this long (0 = off). The trigger pauses when all its executions wait on a batch, so without it a batch that cannot fill waits out the whole interval. Sooner when rows were coming fast: a batch holding at least a quarter of Batch Max Rows or Size loads once no load of its table runs and no rows came for three of their usual gaps.',
		},
		{
			displayName: 'BE Addresses (Direct Load)',
			name: 'beUrls',
			type: 'string',
			default: '',
			placeholder: 'http://be1:8040, http://be2:8040',
			description: 'Load straight to these BEs (round-robin) instead of through the FE redirect',
		},
		{
			displayName: 'Columns',
			name: 'columns',
			type: 'string',
			default: '',
			placeholder: 'order_id, status, updated_at',
			description:
				'Doris "columns" header: the JSON keys to load, and computed columns as name = expression (e.g. dt = from_unixtime(ts, \'%Y-%m-%d\')); commas inside an expression are fine. A row field outside the list goes to Rejected (rule field_not_read): Doris would skip it. For CSV use the CSV Columns field above.',
			displayOptions: { show: { '/format': ['json'] } },
		},
		{
			displayName: 'Compression',
			name: 'compression',
			type: 'options',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Gzip', value: 'gz' },
			],
			default: 'none',
			description:
				'Compress each batch before sending (compress_type). CSV: any Doris. JSON: Doris 3.0.5 or later; Doris 2.1 and 3.0.0-3.0.4 refuse every compressed JSON load ("compress data of JSON format is not supported").',
		},
		{
			displayName: 'Deletes (CDC)',
			name: 'deletes',
			type: 'options',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description:
						'Rows carrying __DORIS_DELETE_SIGN__ (set by Doris Schema in CDC mode) load with the delete sign. From a Kafka trigger with Keep Order per Partition off, deletes go to Rejected (rule delete_unordered) instead: the trigger refuses to activate with Rejected leading nowhere, and with Max Loads in Flight above 1 behind Keep Order.',
				},
				{ name: 'Always', value: 'always', description: 'Every row loads with the delete sign (missing = 0, an upsert). Needs the Kafka trigger\'s Keep Order per Partition.' },
				{
					name: 'Never',
					value: 'never',
					description:
						'Load without the delete sign (for merge_type DELETE / MERGE, or tables without deletes). A row with __DORIS_DELETE_SIGN__ = 1 would load as an upsert of the deleted row, so it goes to Rejected (rule delete_not_applied) unless Doris decides: a merge_type header DELETE / MERGE, Columns naming __DORIS_DELETE_SIGN__, or a flexible partial update.',
				},
			],
			default: LOAD_DEFAULTS.deletes,
			description: 'How rows flagged for deletion are loaded. The delete sign needs a UNIQUE KEY table.',
		},
		{
			displayName: 'Group Commit',
			name: 'groupCommit',
			type: 'options',
			options: [
				{ name: 'Off', value: 'off' },
				{
					name: 'Sync (Refused)',
					value: 'sync_mode',
					description: 'Refused when the node runs: Doris can drop rows under group commit without counting them',
				},
			],
			default: 'off',
			description:
				'Doris group commit is refused (workflows saved with it fail, saying why): under it Doris drops rows that fit no partition without counting them (2.1, 3.0) and checks Max Filter Ratio only in loads of at most 10,000 rows, and it picks the label, so retries are not deduplicated. Async mode also answers before the rows are committed. The node already merges many executions into one load.',
		},
		{
			displayName: 'Headers',
			name: 'headers',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Header',
			description:
				'Other Stream Load headers, sent as they are: where, partitions, json_root, merge_type with delete, exec_mem_limit, send_batch_parallelism, load_to_single_tablet, memtable_on_sink_node, load_stream_per_node, enable_profile, comment, compute_group, partial_update_new_key_behavior. Any other header is refused with the reason: those the node sets itself (label, format, columns, group_commit other than off_mode, timeout, ...), those that would change or hide rows unseen (two_phase_commit, negative, temporary_partitions, skip_lines, ...), and names it does not know.',
			options: [
				{
					displayName: 'Header',
					name: 'header',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'where' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: "status != 'test'" },
					],
				},
			],
		},
		{
			displayName: 'JSON Paths',
			name: 'jsonpaths',
			type: 'string',
			default: '',
			placeholder: '["$.order_id", "$.status"]',
			description: "Doris' jsonpaths header: a JSON array with one path per entry of Columns, in that order, for JSON whose fields are not named as the columns ($.a.b, $['a'], $.a[0]). A row field no path reads goes to Rejected (rule field_not_read), naming it: Doris would skip it. The Kafka trigger refuses to activate with Rejected leading nowhere.",
			displayOptions: { show: { '/format': ['json'] } },
		},
		{
			displayName: 'Label Prefix',
			name: 'labelPrefix',
			type: 'string',
			default: LOAD_DEFAULTS.labelPrefix,
			description: 'Start of every Stream Load label (letters, digits, -, _ and : only)',
		},
		{
			displayName: 'Load Immediately',
			name: 'loadImmediately',
			type: 'boolean',
			default: false,
			description: 'Whether each execution loads its items at once instead of sharing a batch with other executions',
		},
		{
			displayName: 'Max Buffered (MB)',
			name: 'maxBufferedMb',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: 'Executions wait when this much data is buffered for the table. 0 = twice the batch size.',
		},
		{
			displayName: 'Max Filter Ratio',
			name: 'maxFilterRatio',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 3 },
			description: 'Share of rows Doris may reject before failing the load (0 = none)',
		},
		{
			displayName: 'Max Loads in Flight',
			name: 'maxInFlight',
			type: 'number',
			default: LOAD_DEFAULTS.maxInFlight,
			typeOptions: { minValue: 1 },
			description:
				'Concurrent loads per table. 1 keeps batches in order, which changes of keys need: the Kafka trigger refuses to activate with more behind Debezium Envelopes, with Deletes (CDC) Always, with its tombstone deletes, or with Deletes (CDC) Auto behind Keep Order per Partition.',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			default: DEFAULT_RETRY.maxRetries,
			typeOptions: { minValue: 0 },
			description: 'Retries of a failed load (always with the same label, so never a double load)',
		},
		{
			displayName: 'Partial Update',
			name: 'partialUpdate',
			type: 'options',
			options: [
				{
					name: 'Off (Whole Rows)',
					value: 'off',
					description: 'Each row replaces the stored one; columns it lacks get their default or NULL',
				},
				{
					name: 'Fixed Columns',
					value: 'fixed',
					description:
						'Every row updates the columns listed in Columns (CSV: CSV Columns), which must include every key column; a row lacking a listed column writes its default or NULL. Merge-on-write UNIQUE KEY tables, Doris 2.1+.',
				},
				{
					name: 'Flexible (Columns in Each Row)',
					value: 'flexible',
					description:
						'Each JSON row updates only the columns it carries. Needs Doris 3.1+ and a table with "enable_unique_key_skip_bitmap_column" = "true" (older Doris ignores the mode and would overwrite the missing columns, so the activation check refuses such a table). No Columns, JSON Paths or Sequence Column.',
				},
			],
			default: 'off',
			description: 'Update only some columns of existing rows (merge-on-write UNIQUE KEY tables)',
		},
		{
			displayName: 'Retry Backoff (Ms)',
			name: 'retryBackoffMs',
			type: 'number',
			default: DEFAULT_RETRY.initialDelayMs,
			typeOptions: { minValue: 0 },
			description: 'First retry delay; doubles on each retry (with jitter), up to 30 s',
		},
		{
			displayName: 'Sequence Column',
			name: 'sequenceColumn',
			type: 'string',
			default: '',
			description:
				'Source column ordering versions of a key (function_column.sequence_col), for a table with a hidden sequence column (function_column.sequence_type). Rows without a value for it (null, or missing unless the table column has DEFAULT CURRENT_TIMESTAMP) go to Rejected: Doris would load them and keep the stored row. With Columns it must be one of them.',
		},
		{
			displayName: 'Strict Mode',
			name: 'strictMode',
			type: 'boolean',
			default: true,
			description:
				"Whether Doris refuses a row holding a value its column's type cannot take (the row goes to Rejected with Doris' reason). Always on; off is refused: Doris would load NULL in its place and count nothing. With Partial Update, Doris 3.1+ still inserts rows whose key is new; on Doris 2.1 / 3.0, which refuse them in strict mode, add this option (on) to load a partial update at all: rows whose key is new then go to Rejected (rule doris_new_key) and the other rows load; new keys scattered among stored ones cost extra loads to find.",
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			default: LOAD_DEFAULTS.timeoutSeconds,
			typeOptions: { minValue: 1 },
			description: 'Doris load timeout; the client waits this plus a minute for an answer',
		},
		{
			displayName: 'Timezone',
			name: 'timezone',
			type: 'string',
			default: '',
			placeholder: 'Asia/Shanghai',
			description: "Doris' timezone header: the zone the load's time functions and conversions use. Empty: the header is not sent.",
		},
	],
};

export const properties: INodeProperties[] = [
	{
		displayName: 'Table From',
		name: 'tableFrom',
		type: 'options',
		options: [
			{ name: 'This Node\'s Table', value: 'parameter', description: 'The Database and Table below; an expression there is evaluated for each item' },
			{
				name: 'Each Row\'s Table (From Doris Schema)',
				value: 'item',
				description: 'The table the Doris Schema node\'s Map Rows to Tables gave each row (_doris.table): one workflow for a whole database',
			},
		],
		default: 'parameter',
		description: 'Rows of different tables are batched and loaded per table',
	},
	...alsoShowOnlyWhen(databaseAndTableFields('Database to load into'), () => ({ tableFrom: ['parameter'] })),
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'JSON Lines', value: 'json' },
			{ name: 'CSV', value: 'csv' },
		],
		default: 'json',
		description: "Wire format of the load. Packed items (the Kafka trigger's One Item per Batch output) hold JSON lines and need JSON Lines.",
	},
	{
		displayName: 'CSV Columns',
		name: 'csvColumns',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'order_id, status, updated_at',
		description:
			'Order of the fields in each CSV line, sent as the Doris "columns" header; computed columns as name = expression (not fields of the line) may follow',
		displayOptions: { show: { format: ['csv'] } },
	},
	{
		displayName: 'Batch Max Rows',
		name: 'batchRows',
		type: 'number',
		default: LOAD_DEFAULTS.maxRows,
		typeOptions: { minValue: 1 },
		description: 'A shared batch is loaded when it holds this many rows',
	},
	{
		displayName: 'Batch Max Size (MB)',
		name: 'batchMb',
		type: 'number',
		default: LOAD_DEFAULTS.maxBytes / MB,
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		description: 'A shared batch is loaded when it holds this much data',
	},
	{
		displayName: 'Batch Max Interval (Seconds)',
		name: 'batchIntervalSeconds',
		type: 'number',
		default: LOAD_DEFAULTS.maxIntervalMs / 1000,
		typeOptions: { minValue: 0.01, numberPrecision: 2 },
		description: 'A shared batch is loaded at the latest this long after its first row arrived',
	},
	options,
];
