import type { IExecuteFunctions } from 'n8n-workflow';

import { MAX_VALUE_LIMIT_BYTES, type ValueLimits } from '../../../src/doris/schema/coerce-type';
import { EPOCH_UNITS, type EpochUnit } from '../../../src/doris/schema/datetime';
import type { ManualColumn } from '../../../src/doris/schema/manual';
import type { ExtraDigitsPolicy } from '../../../src/doris/schema/numbers';
import { MAX_WORKER_THREADS } from '../../../src/doris/schema/packed-worker-limits';
import { DEFAULT_ROW_MAPPER_OPTIONS, type ColumnEpochUnit, type FieldMapping, type UnknownFieldPolicy } from '../../../src/doris/schema/row-mapper';
import { topicMapOf, type NameRule, type TargetRules } from '../../../src/doris/schema/target';
import { SettingError, atLeastZero, flag, list, oneOf, required, text, wholeNumber } from '../../../src/common/settings';
import { nodeParameters, readNodeSettings, type NodeParameters } from '../../shared/settings';
import { properties } from './description';

export type SchemaOperation = 'mapRows' | 'mapRowsToTables' | 'getSchema';

/** Every node parameter, read once per execution for item 0; a Database or Table expression is evaluated again per item (mapRows.operation.ts). */
export interface SchemaSettings {
	operation: SchemaOperation;
	/** '' = the credential's default database. */
	database: string;
	/** '' with Map Rows to Tables. */
	table: string;
	/** Where each message's database and table come from (all `parameter` but for Map Rows to Tables). */
	rules: TargetRules;
	/** Create tables a change stream names that Doris does not have (Map Rows to Tables). */
	createTables: boolean;
	/** Primary key of created tables when messages carry no Kafka key; [] = from the key. */
	keyColumns: string[];
	sequenceColumn: string;
	tableProperties: Array<[string, string]>;
	/** Schema evolution: add columns for fields the table lacks. */
	evolve: boolean;
	mode: 'auto' | 'manual';
	manualColumns: ManualColumn[];
	cdc: boolean;
	epochUnit: EpochUnit;
	epochUnits: ColumnEpochUnit[];
	/** Fractional digits a DECIMAL(p,s) / DATETIME(p) column cannot keep: the row to Invalid, or rounded. */
	extraDigits: ExtraDigitsPolicy;
	/** Debezium's unavailable.value.placeholder ('' = its default). */
	unavailableValue: string;
	mapping: FieldMapping[];
	refreshIntervalMs: number;
	sourcePath: string;
	timeZone: string;
	unknownFields: UnknownFieldPolicy;
	validateOnStart: boolean;
	/** Worker threads mapping packed items; 0 = n8n's main thread. */
	workerThreads: number;
	/** The cluster's value size limits (BE settings), Doris' 1 MB defaults unless set. */
	limits: ValueLimits;
}

/** The fixedCollection parameters, as n8n stores them: only the rows and fields the user added. */
interface RawColumns {
	column?: Array<{ name?: string; type?: string; nullable?: boolean; hasDefault?: boolean }>;
}
interface RawMapping {
	mapping?: Array<{ field?: string; column?: string }>;
}
interface RawEpochUnits {
	column?: Array<{ column?: string; unit?: string }>;
}
interface RawTopicMap {
	topic?: Array<{ topic?: string; table?: string }>;
}
interface RawProperties {
	property?: Array<{ name?: string; value?: string }>;
}

/**
 * Reads the node's parameters. A bad value fails the execution with a NodeOperationError naming the
 * field, the value and the rule.
 */
export function readSchemaSettings(ctx: Pick<IExecuteFunctions, 'getNodeParameter' | 'getNode'>): SchemaSettings {
	const params = nodeParameters(properties, (name, fallback) => ctx.getNodeParameter(name, 0, fallback));
	return readNodeSettings(ctx.getNode(), () => schemaSettings(params));
}

function schemaSettings(p: NodeParameters): SchemaSettings {
	const operation = oneOf('Operation', p.param('operation'), ['mapRows', 'mapRowsToTables', 'getSchema'] as const);
	const toTables = operation === 'mapRowsToTables';
	// The options belong to the Map Rows operations: Get Schema reads with their defaults, whatever is stored.
	const option = (name: string): unknown => (operation !== 'getSchema' ? p.option(name) : p.optionDefault(name));
	// collection / fixedCollection parameters are untyped in n8n; this is the one place they are cast.
	const manualColumns = (p.param('manualColumns') as RawColumns).column ?? [];
	const mapping = (option('mapping') as RawMapping).mapping ?? [];
	const properties = toTables ? ((p.param('tableProperties') as RawProperties).property ?? []) : [];
	return {
		operation,
		database: text(p.param('database')),
		table: toTables ? '' : required('Table', p.param('table'), 'choose a table or type its name'),
		rules: toTables ? targetRules(p) : { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
		createTables: toTables && flag(p.param('createTables')),
		keyColumns: toTables ? list(p.param('keyColumns')) : [],
		sequenceColumn: toTables ? text(p.param('sequenceColumn')) : '',
		tableProperties: properties.map((x): [string, string] => [text(x.name), text(x.value)]).filter(([name]) => name !== ''),
		evolve: flag(option('evolve')),
		// Map Rows to Tables reads every table from Doris: a column list describes one table.
		mode: toTables ? 'auto' : oneOf('Schema Mode', p.param('schemaMode'), ['auto', 'manual'] as const),
		manualColumns: manualColumns.map((c) => ({
			name: c.name ?? '',
			type: c.type ?? '',
			nullable: c.nullable !== false,
			hasDefault: c.hasDefault === true,
		})),
		cdc: flag(option('cdc')),
		epochUnit: epochUnit(option('epochUnit')),
		epochUnits: columnEpochUnits(option('epochUnits') as RawEpochUnits),
		extraDigits: oneOf('Fractional Digits the Column Cannot Keep', option('extraDigits'), ['invalid', 'round'] as const),
		mapping: mapping.map((m) => ({ field: text(m.field), column: text(m.column) })).filter((m) => m.field !== '' || m.column !== ''),
		refreshIntervalMs: Math.round(atLeastZero('Refresh Interval', option('refreshInterval'), 'seconds') * 1000),
		sourcePath: text(option('sourcePath')),
		// An emptied field means the default zone, not an invalid one.
		timeZone: text(option('timeZone')) || DEFAULT_ROW_MAPPER_OPTIONS.dates.timeZone,
		unavailableValue: text(option('unavailableValue')),
		unknownFields: oneOf('Unknown Fields', option('unknownFields'), ['ignore', 'reject'] as const),
		validateOnStart: option('validateOnStart') !== false,
		workerThreads: wholeNumber('Worker Threads', option('workerThreads'), 0, MAX_WORKER_THREADS),
		limits: {
			stringMaxBytes: wholeNumber('Max STRING Size (Bytes)', option('maxStringBytes'), 1, MAX_VALUE_LIMIT_BYTES, 'bytes'),
			jsonMaxBytes: wholeNumber('Max JSON Size (Bytes)', option('maxJsonBytes'), 1, MAX_VALUE_LIMIT_BYTES, 'bytes'),
		},
	};
}

 /** Table From / Database From of Map Rows to Tables. */
function targetRules(p: NodeParameters): TargetRules {
	const rule = (label: string, kind: string, field: string): NameRule => {
		switch (kind) {
			case 'parameter':
			case 'topic':
			case 'debezium':
				return { kind };
			case 'topicMap':
				return { kind, map: topicMapOf(((p.param('topicMap') as RawTopicMap).topic ?? []).map((e) => ({ topic: text(e.topic), table: text(e.table) }))) };
			case 'field':
				return { kind, path: required(`${label} Field`, p.param(field), 'name the field holding the name (a dot path)').split('.').map((s) => s.trim()).filter((s) => s !== '') };
			default:
				throw new SettingError(`${label} From ${JSON.stringify(kind)} is not one of the listed choices`);
		}
	};
	const table = oneOf('Table From', p.param('tableFrom'), ['topic', 'topicMap', 'debezium', 'field'] as const);
	const database = oneOf('Database From', p.param('databaseFrom'), ['parameter', 'topic', 'debezium', 'field'] as const);
	return { table: rule('Table', table, 'tableField'), database: rule('Database', database, 'databaseField') };
}

/**
 * Workflows saved with the former "auto" (which guessed seconds vs milliseconds by size) get no
 * unit: their numbers go to the Invalid output with the reason, instead of a guessed date.
 */
function epochUnit(value: unknown): EpochUnit {
	return epochUnitOf(value) ?? 'reject';
}

/** Prevents a column's numbers from being read in a unit nobody chose (a unit from an expression that is not one). */
function columnEpochUnits(raw: RawEpochUnits): ColumnEpochUnit[] {
	const out: ColumnEpochUnit[] = [];
	for (const entry of raw.column ?? []) {
		const column = text(entry.column);
		if (column === '') continue;
		const unit = epochUnitOf(entry.unit);
		if (unit === undefined) throw new SettingError(`Epoch Unit per Column "${column}": unit "${String(entry.unit)}" is not days, s, ms or us`);
		out.push({ column, unit });
	}
	return out;
}

function epochUnitOf(value: unknown): EpochUnit | undefined {
	return EPOCH_UNITS.find((unit) => unit === value);
}
