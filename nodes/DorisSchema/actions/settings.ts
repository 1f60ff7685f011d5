import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { EPOCH_UNITS, type EpochUnit } from '../../../src/doris/schema/datetime';
import type { ManualColumn } from '../../../src/doris/schema/manual';
import { DEFAULT_VALUE_LIMITS, type ValueLimits } from '../../../src/doris/schema/coerce-type';
import type { ColumnEpochUnit, FieldMapping, UnknownFieldPolicy } from '../../../src/doris/schema/row-mapper';

/** More threads than cores only adds switching; 16 is well past what one n8n process gets. */
export const MAX_WORKER_THREADS = 16;

export type SchemaOperation = 'mapRows' | 'getSchema';

/** Every node parameter, read once per execution (node-level: item expressions are not per item). */
export interface SchemaSettings {
	operation: SchemaOperation;
	/** '' = the credential's default database. */
	database: string;
	table: string;
	mode: 'auto' | 'manual';
	manualColumns: ManualColumn[];
	cdc: boolean;
	epochUnit: EpochUnit;
	epochUnits: ColumnEpochUnit[];
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

/** Doris' upper bound for both soft limits (be/src/common/config.cpp validators). */
const MAX_SOFT_LIMIT_BYTES = 2147483643;

interface RawOptions {
	cdc?: boolean;
	epochUnit?: string;
	maxJsonBytes?: number;
	maxStringBytes?: number;
	epochUnits?: { column?: Array<{ column?: string; unit?: string }> };
	mapping?: { mapping?: Array<{ field?: string; column?: string }> };
	refreshInterval?: number;
	sourcePath?: string;
	timeZone?: string;
	unknownFields?: string;
	validateOnStart?: boolean;
	workerThreads?: number;
}

interface RawColumns {
	column?: Array<{ name?: string; type?: string; nullable?: boolean; hasDefault?: boolean }>;
}

export function readSchemaSettings(ctx: Pick<IExecuteFunctions, 'getNodeParameter' | 'getNode'>): SchemaSettings {
	const operation = ctx.getNodeParameter('operation', 0) as SchemaOperation;
	const table = String(ctx.getNodeParameter('table', 0, '')).trim();
	if (table === '') throw new NodeOperationError(ctx.getNode(), 'Table is empty: choose a table or type its name');
	const mode = ctx.getNodeParameter('schemaMode', 0, 'auto') === 'manual' ? 'manual' : 'auto';
	// collection / fixedCollection parameters are untyped in n8n; this is the one place they are cast.
	const rawColumns = ctx.getNodeParameter('manualColumns', 0, {}) as RawColumns;
	const raw = (operation === 'mapRows' ? ctx.getNodeParameter('options', 0, {}) : {}) as RawOptions;
	const refresh = Number(raw.refreshInterval ?? 0);
	if (!Number.isFinite(refresh) || refresh < 0) {
		throw new NodeOperationError(ctx.getNode(), `Refresh Interval "${String(raw.refreshInterval)}" must be a number of seconds ≥ 0`);
	}
	const workerThreads = Number(raw.workerThreads ?? 1);
	if (!Number.isInteger(workerThreads) || workerThreads < 0 || workerThreads > MAX_WORKER_THREADS) {
		throw new NodeOperationError(ctx.getNode(), `Worker Threads "${String(raw.workerThreads)}" must be a whole number from 0 to ${MAX_WORKER_THREADS}`);
	}
	const limit = (name: string, value: number | undefined, fallback: number): number => {
		const bytes = Number(value ?? fallback);
		if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_SOFT_LIMIT_BYTES) {
			throw new NodeOperationError(ctx.getNode(), `${name} "${String(value)}" must be a whole number of bytes from 1 to ${MAX_SOFT_LIMIT_BYTES}`);
		}
		return bytes;
	};
	const limits: ValueLimits = {
		stringMaxBytes: limit('Max STRING Size (Bytes)', raw.maxStringBytes, DEFAULT_VALUE_LIMITS.stringMaxBytes),
		jsonMaxBytes: limit('Max JSON Size (Bytes)', raw.maxJsonBytes, DEFAULT_VALUE_LIMITS.jsonMaxBytes),
	};
	// Workflows saved with the former "auto" (which guessed seconds vs milliseconds by size) get no
	// unit: their numbers go to the Invalid output with the reason, instead of a guessed date.
	const epochUnit = epochUnitOf(raw.epochUnit) ?? 'reject';
	const epochUnits: ColumnEpochUnit[] = [];
	for (const entry of raw.epochUnits?.column ?? []) {
		const column = (entry.column ?? '').trim();
		if (column === '') continue;
		const unit = epochUnitOf(entry.unit);
		if (unit === undefined) throw new NodeOperationError(ctx.getNode(), `Epoch Unit per Column "${column}": unit "${String(entry.unit)}" is not days, s, ms or us`);
		epochUnits.push({ column, unit });
	}
	return {
		operation,
		database: String(ctx.getNodeParameter('database', 0, '')).trim(),
		table,
		mode,
		manualColumns: (rawColumns.column ?? []).map((c) => ({
			name: c.name ?? '',
			type: c.type ?? '',
			nullable: c.nullable ?? true,
			hasDefault: c.hasDefault ?? false,
		})),
		cdc: raw.cdc === true,
		epochUnit,
		epochUnits,
		mapping: (raw.mapping?.mapping ?? [])
			.map((m) => ({ field: (m.field ?? '').trim(), column: (m.column ?? '').trim() }))
			.filter((m) => m.field !== '' || m.column !== ''),
		refreshIntervalMs: Math.round(refresh * 1000),
		sourcePath: (raw.sourcePath ?? '').trim(),
		timeZone: (raw.timeZone ?? 'UTC').trim() || 'UTC',
		unknownFields: raw.unknownFields === 'reject' ? 'reject' : 'ignore',
		validateOnStart: raw.validateOnStart !== false,
		workerThreads,
		limits,
	};
}

function epochUnitOf(value: unknown): EpochUnit | undefined {
	return EPOCH_UNITS.find((unit) => unit === value);
}
