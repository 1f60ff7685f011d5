import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_VALUE_LIMITS, MAX_VALUE_LIMIT_BYTES } from '../../../src/doris/schema/coerce-type';
import { DEBEZIUM_UNAVAILABLE_VALUE } from '../../../src/doris/schema/unavailable-value';
import { DEFAULT_WORKER_THREADS, MAX_WORKER_THREADS } from '../../../src/doris/schema/packed-worker-limits';
import { DEFAULT_ROW_MAPPER_OPTIONS } from '../../../src/doris/schema/row-mapper';
import { DEFAULT_REFRESH_INTERVAL_SECONDS } from '../../../src/doris/schema/schema-cache';
import { databaseAndTableFields } from '../../shared/doris-fields';
import { alsoShowOnlyWhen } from '../../shared/display';
import { tablesProperties } from './tables-description';

const mapRowsOnly = { show: { operation: ['mapRows', 'mapRowsToTables'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Map Rows to Table',
				value: 'mapRows',
				description: "Coerce each item (or each line of a packed item from the trigger's One Item per Batch output) to the table's column types; rows that cannot load go to the Invalid output",
				action: 'Map rows to a table',
			},
			{
				name: 'Map Rows to Tables (Change Stream)',
				value: 'mapRowsToTables',
				description:
					'Like Map Rows to Table, for a stream whose messages go to many tables (a whole database from Debezium): each message\'s table comes from its topic, its Debezium source or a field; missing tables and columns can be created',
				action: 'Map rows to the tables their messages name',
			},
			{
				name: 'Get Schema',
				value: 'getSchema',
				description: "Output the table's columns, one item per column",
				action: 'Get the schema of a table',
			},
		],
		default: 'mapRows',
	},
	...alsoShowOnlyWhen(databaseAndTableFields('Database of the table'), (field) => (field.name === 'table' ? { operation: ['mapRows', 'getSchema'] } : undefined)),
	...tablesProperties,
	{
		displayName: 'Schema Mode',
		name: 'schemaMode',
		type: 'options',
		displayOptions: { show: { operation: ['mapRows', 'getSchema'] } },
		options: [
			{ name: 'Auto (Read From Doris)', value: 'auto', description: "Read the table's columns over Doris' MySQL port" },
			{ name: 'Manual (Column List)', value: 'manual', description: "Type the columns in, for when Doris' MySQL port is not reachable" },
		],
		default: 'auto',
	},
	{
		displayName: 'Columns',
		name: 'manualColumns',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { schemaMode: ['manual'], operation: ['mapRows', 'getSchema'] } },
		default: {},
		placeholder: 'Add Column',
		options: [
			{
				displayName: 'Column',
				name: 'column',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', required: true },
					{
						displayName: 'Type',
						name: 'type',
						type: 'string',
						default: 'STRING',
						placeholder: 'DECIMAL(10,2)',
						description: 'Doris type as in CREATE TABLE, e.g. BIGINT, VARCHAR(64), DATETIME(3), ARRAY&lt;INT&gt;',
					},
					{ displayName: 'Nullable', name: 'nullable', type: 'boolean', default: true, description: 'Whether the column accepts NULL' },
					{
						displayName: 'Has Default',
						name: 'hasDefault',
						type: 'boolean',
						default: false,
						description: 'Whether the column has a DEFAULT in Doris, so a missing value is fine',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: mapRowsOnly,
		default: {},
		options: [
			{
				displayName: 'Add New Columns (Schema Evolution)',
				name: 'evolve',
				type: 'boolean',
				default: false,
				description:
					"Whether a field the table has no column for is added to it with ALTER TABLE … ADD COLUMN (a light schema change), its type from the message's Kafka Connect schema or inferred from its value (the widest over all rows of the execution: whole numbers and decimals make DOUBLE; booleans, text or dates mixed with another kind of value make STRING; objects or arrays make JSON), and its rows then loaded with it. Columns are never dropped, renamed or retyped. Every ALTER is logged with its statement and counted in doris_ddl_total.",
			},
			{
				displayName: 'Debezium Envelopes (CDC)',
				name: 'cdc',
				type: 'boolean',
				default: DEFAULT_ROW_MAPPER_OPTIONS.cdc,
				description:
					'Whether items are Debezium change events: op c/r/u load "after", op d loads "before" as a delete (__DORIS_DELETE_SIGN__ = 1, UNIQUE KEY tables). Needs the Kafka Trigger\'s Keep Order per Partition and Max Loads in Flight 1 on the Doris Stream Load node (activation refuses otherwise: an older change would land over a newer one). Leave it off for records flattened by ExtractNewRecordState: their __deleted "true" deletes either way. A row carrying __DORIS_DELETE_SIGN__ at its top level (the Kafka Trigger\'s Tombstones "Delete the Row of Its Key") is read as it is, envelope or source path aside.',
			},
			{
				displayName: 'Epoch Unit',
				name: 'epochUnit',
				type: 'options',
				options: [
					{ name: 'Days', value: 'days' },
					{ name: 'Microseconds', value: 'us' },
					{ name: 'Milliseconds', value: 'ms' },
					{ name: 'None: Numbers Are Invalid', value: 'reject' },
					{ name: 'Seconds', value: 's' },
				],
				default: DEFAULT_ROW_MAPPER_OPTIONS.dates.epochUnit,
				description:
					'What a bare number sent to a DATE / DATETIME column counts since 1970-01-01. It is never guessed: without a unit such a row goes to the Invalid output. Values with a declared logical type (Avro, Debezium schemas) need no unit.',
			},
			{
				displayName: 'Epoch Unit per Column',
				name: 'epochUnits',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Column',
				description: 'Columns whose numbers count in another unit than Epoch Unit (schemaless Debezium JSON: DATE in days, DATETIME(0-3) in ms, DATETIME(4-6) in µs)',
				options: [
					{
						displayName: 'Column',
						name: 'column',
						values: [
							{ displayName: 'Column', name: 'column', type: 'string', default: '' },
							{
								displayName: 'Unit',
								name: 'unit',
								type: 'options',
								options: [
									{ name: 'Days', value: 'days' },
									{ name: 'Microseconds', value: 'us' },
									{ name: 'Milliseconds', value: 'ms' },
									{ name: 'Seconds', value: 's' },
								],
								default: 'ms',
							},
						],
					},
				],
			},
			{
				displayName: 'Field Mapping',
				name: 'mapping',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Mapping',
				description: 'Fields whose name differs from their column; other fields go to the column of the same name',
				options: [
					{
						displayName: 'Mapping',
						name: 'mapping',
						values: [
							{ displayName: 'Field', name: 'field', type: 'string', default: '', description: 'Field of the record; a dot path reaches into objects (customer.address.city), unless the record has a key of that whole name' },
							{
								displayName: 'Column Name or ID',
								name: 'column',
								type: 'options',
								typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['database', 'table'] },
								default: '',
								description: 'The table column the field loads into. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
							},
						],
					},
				],
			},
			{
				displayName: 'Fractional Digits the Column Cannot Keep',
				name: 'extraDigits',
				type: 'options',
				options: [
					{ name: 'Send the Row to Invalid', value: 'invalid' },
					{ name: 'Round as Doris Does', value: 'round' },
				],
				default: 'invalid',
				description:
					'A value with more digits than its column keeps (1.005 into DECIMAL(10,2), milliseconds into a DATETIME, nanoseconds into DATETIME(6), 3.14159265 into a FLOAT). Doris would round it and store another value than the message says, so by default the row goes to the Invalid output with rule precision. Round as Doris Does loads the rounded value (1.01, the nearest second, the nearest single-precision float).',
			},
			{
				displayName: 'Max JSON Size (Bytes)',
				name: 'maxJsonBytes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_VALUE_LIMIT_BYTES, numberPrecision: 0 },
				default: DEFAULT_VALUE_LIMITS.jsonMaxBytes,
				description:
					"The cluster's BE setting jsonb_type_length_soft_limit_bytes (Doris default 1 MB): a JSON value longer than this goes to the Invalid output, naming the setting, instead of failing the whole load in Doris",
			},
			{
				displayName: 'Max STRING Size (Bytes)',
				name: 'maxStringBytes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_VALUE_LIMIT_BYTES, numberPrecision: 0 },
				default: DEFAULT_VALUE_LIMITS.stringMaxBytes,
				description:
					"The cluster's BE setting string_type_length_soft_limit_bytes (Doris default 1 MB) for STRING and VARIANT values: a longer value goes to the Invalid output, naming the setting, instead of failing the whole load in Doris",
			},
			{
				displayName: 'Refresh Interval (Seconds)',
				name: 'refreshInterval',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_REFRESH_INTERVAL_SECONDS,
				description:
					'Re-read the schema in the background this often (one DESC and one SHOW CREATE TABLE per table and n8n process, and a DESC of the hidden columns for a UNIQUE KEY table; in Map Rows to Tables, with or without Create Missing Tables). 0 reads it once. Either way it is re-read, at most every 2 s, when Doris refuses a load, when items carry a field that matches no column, or when items are invalid for a reason a changed table may accept (a wider VARCHAR, a new column).',
			},
			{
				displayName: 'Source Path',
				name: 'sourcePath',
				type: 'string',
				default: DEFAULT_ROW_MAPPER_OPTIONS.sourcePath,
				placeholder: 'payload.after',
				description: 'Dot path to the record inside each item; empty uses the item itself',
			},
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: DEFAULT_ROW_MAPPER_OPTIONS.dates.timeZone,
				placeholder: 'Asia/Shanghai',
				description: 'IANA zone (or +08:00) of the DATETIME wall clock; times with an offset and epoch numbers are converted into it',
			},
			{
				displayName: 'Unavailable Value Placeholder',
				name: 'unavailableValue',
				type: 'string',
				default: DEBEZIUM_UNAVAILABLE_VALUE,
				description:
					"Debezium's unavailable.value.placeholder, what it sends for a value it did not receive (an unchanged TOASTed PostgreSQL column without REPLICA IDENTITY FULL). A row with it (as text, its bytes, or an array of it) goes to Invalid instead of overwriting the stored value; a delete leaves it out.",
			},
			{
				displayName: 'Unknown Fields',
				name: 'unknownFields',
				type: 'options',
				options: [
					{ name: 'Ignore', value: 'ignore' },
					{ name: 'Reject the Row', value: 'reject' },
				],
				default: DEFAULT_ROW_MAPPER_OPTIONS.unknownFields,
				description: 'What to do with fields that match no column',
			},
			{
				displayName: 'Validate on Start',
				name: 'validateOnStart',
				type: 'boolean',
				default: true,
				description:
					'Whether the table and the mapped columns must exist (in manual mode: the column list against the table), failing with a clear message. Checked at the first execution, and at activation too when the Kafka trigger\'s "Check Doris Tables on Activation" is on.',
			},
			{
				displayName: 'Worker Threads',
				name: 'workerThreads',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: MAX_WORKER_THREADS, numberPrecision: 0 },
				default: DEFAULT_WORKER_THREADS,
				description:
					"Background threads that parse and coerce the lines of packed items (the Kafka trigger's One Item per Batch output) of 1000 lines or more. n8n runs every node and the Kafka consumer on one main thread; mapping there keeps it busy, in a thread it stays free and another core does the work. 0 maps in the main thread. Items from One Item per Message and small packed items are always mapped in the main thread: copying them to a thread costs more than mapping them.",
			},
		],
	},
];
