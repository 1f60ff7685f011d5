import type { INodeProperties } from 'n8n-workflow';

/**
 * The parameters of "Map Rows to Tables (Change Stream)": where each message's table and database come
 * from, and whether missing tables are created. Read by settings.ts into TargetRules
 * (src/doris/schema/target.ts) and CreateOptions (src/doris/schema/table-design.ts).
 */
const toTables = { show: { operation: ['mapRowsToTables'] } };

export const tablesProperties: INodeProperties[] = [
	{
		displayName: 'Table From',
		name: 'tableFrom',
		type: 'options',
		displayOptions: toTables,
		options: [
			{ name: 'Kafka Topic (Last Segment)', value: 'topic', description: 'Debezium names topics &lt;prefix&gt;.&lt;database&gt;.&lt;table&gt;; needs the trigger\'s Include Metadata for One Item per Message' },
			{ name: 'Topic → Table Map', value: 'topicMap', description: 'A table per topic, listed below' },
			{ name: 'Debezium Source (source.table)', value: 'debezium', description: 'The table named in each change event\'s source block (not with the Kafka Trigger\'s Tombstones "Delete the Row of Its Key": a tombstone has none)' },
			{ name: 'Field of the Message', value: 'field', description: 'A field holding the table\'s name' },
		],
		default: 'topic',
		description: 'Where each message\'s table comes from. Lines of one packed item may go to different tables.',
	},
	{
		displayName: 'Table Field',
		name: 'tableField',
		type: 'string',
		displayOptions: { show: { operation: ['mapRowsToTables'], tableFrom: ['field'] } },
		default: '',
		placeholder: 'table_name',
		description: 'Dot path to the field holding the table\'s name (inside payload for Kafka Connect JSON with schemas)',
	},
	{
		displayName: 'Topic → Table Map',
		name: 'topicMap',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		displayOptions: { show: { operation: ['mapRowsToTables'], tableFrom: ['topicMap'] } },
		default: {},
		placeholder: 'Add Topic',
		description: 'Messages of a topic not listed go to the Invalid output, naming the topic',
		options: [
			{
				displayName: 'Topic',
				name: 'topic',
				values: [
					{ displayName: 'Topic', name: 'topic', type: 'string', default: '' },
					{ displayName: 'Table', name: 'table', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Database From',
		name: 'databaseFrom',
		type: 'options',
		displayOptions: toTables,
		options: [
			{ name: 'Database Parameter', value: 'parameter', description: 'The Database above (or the credential\'s default): every table in one Doris database' },
			{ name: 'Kafka Topic (Segment Before Last)', value: 'topic', description: 'Inventory in dbserver1.inventory.customers' },
			{ name: 'Debezium Source (source.db)', value: 'debezium' },
			{ name: 'Field of the Message', value: 'field' },
		],
		default: 'parameter',
	},
	{
		displayName: 'Database Field',
		name: 'databaseField',
		type: 'string',
		displayOptions: { show: { operation: ['mapRowsToTables'], databaseFrom: ['field'] } },
		default: '',
		placeholder: 'database_name',
	},
	{
		displayName: 'Create Missing Tables',
		name: 'createTables',
		type: 'boolean',
		displayOptions: toTables,
		default: false,
		description:
			"Whether a table Doris does not have is created from the first of its messages in the execution that holds a row (a key-only delete only when none does): UNIQUE KEY on the source's primary key (the Kafka key's fields, a Schema Registry key decoded, or Key Columns), merge-on-write, column types from the Kafka Connect schema (or an Avro / Protobuf value's schema, with the trigger's Include Metadata), else from the values. Every CREATE is logged with its statement and counted in doris_ddl_total. Off: such messages go to the Invalid output, naming the table.",
	},
	{
		displayName: 'Key Columns',
		name: 'keyColumns',
		type: 'string',
		displayOptions: { show: { operation: ['mapRowsToTables'], createTables: [true] } },
		default: '',
		placeholder: 'customer_id',
		description:
			'Primary key of created tables when the messages carry no Kafka key to read it from (packed items never do: there it must be a key of every table the stream creates); comma-separated. Empty: the fields of each message\'s Kafka key (needs the trigger\'s Include Metadata). A message whose Kafka key names other columns is not given a table (Invalid, rule table): a UNIQUE KEY on the wrong columns would merge rows.',
	},
	{
		displayName: 'Sequence Column',
		name: 'sequenceColumn',
		type: 'string',
		displayOptions: { show: { operation: ['mapRowsToTables'], createTables: [true] } },
		default: '',
		placeholder: 'updated_at',
		description: 'A column created tables order versions of a row by (function_column.sequence_col: integer, DATE or DATETIME); empty: none',
	},
	{
		displayName: 'Table Properties',
		name: 'tableProperties',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		displayOptions: { show: { operation: ['mapRowsToTables'], createTables: [true] } },
		default: {},
		placeholder: 'Add Property',
		description: 'PROPERTIES of created tables, e.g. replication_num = 1 on a cluster with fewer than 3 backends',
		options: [
			{
				displayName: 'Property',
				name: 'property',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
];
