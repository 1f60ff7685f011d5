import type { INodeExecutionData } from 'n8n-workflow';

import { formatType, type TableSchema } from '../../../src/doris/schema/types';

/** One item per column, in table order; all paired with the first input item (it runs once). */
export function executeGetSchema(schema: TableSchema): INodeExecutionData[][] {
	return [
		schema.columns.map((c, position) => ({
			json: {
				database: schema.database,
				table: schema.table,
				position,
				name: c.name,
				type: c.typeText,
				normalizedType: formatType(c.type),
				nullable: c.nullable,
				isKey: c.isKey,
				default: c.defaultValue,
				aggregation: c.aggregation,
				autoIncrement: c.autoIncrement,
				keyModel: schema.keyModel,
				sequenceColumn: schema.sequenceColumn,
				source: schema.source,
			},
			pairedItem: { item: 0 },
		})),
		[],
	];
}
