import type { IExecuteFunctions } from 'n8n-workflow';

/** The Database and Table parameters, which both Doris nodes evaluate for each item when they are expressions. */
export type TargetParameter = 'database' | 'table';

type ParameterContext = Pick<IExecuteFunctions, 'getNodeParameter' | 'getNode'>;

/** A parameter's name as n8n evaluates it for item `index` (a resource locator's value, or the string), trimmed. */
export function targetNameFor(ctx: ParameterContext, parameter: TargetParameter, index: number): string {
	const value = ctx.getNodeParameter(parameter, index, '') as unknown;
	const name = typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value;
	return typeof name === 'string' ? name.trim() : String(name ?? '').trim();
}

/**
 * Whether the stored parameter is an n8n expression, so every item may name another database or table.
 * Read for item 0 only, an expression sent every row to item 0's database: rows meant for another
 * database loaded into a table of the same name there, and the execution succeeded.
 */
export function targetIsExpression(ctx: ParameterContext, parameter: TargetParameter): boolean {
	const raw = ctx.getNode().parameters?.[parameter] as unknown;
	const text = typeof raw === 'object' && raw !== null && 'value' in raw ? (raw as { value: unknown }).value : raw;
	return typeof text === 'string' && text.startsWith('=');
}
