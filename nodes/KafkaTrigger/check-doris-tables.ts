import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import type { DorisConnection } from '../../src/doris/connection';
import { TableCheckError, checkTables } from '../../src/doris/schema/table-check';
import { DORIS_CREDENTIAL, toDorisConnection } from '../shared/credentials';
import { collectDownstreamTables } from './downstream-tables';

type CheckContext = Pick<ITriggerFunctions, 'getChildNodes' | 'getNode' | 'getCredentials' | 'logger'>;

/**
 * "Check Doris Tables on Activation": the Doris Schema node's Validate on Start, run when the workflow
 * is activated instead of at its first execution (an action node has no activation hook; the trigger's
 * trigger() is the only code n8n runs then). Reads the downstream Doris nodes' parameters and checks
 * their tables and mapped columns with this node's own Doris credential (a node cannot read another
 * node's credential). Throws a NodeOperationError, which fails the activation, naming every problem.
 */
export async function checkDorisTables(ctx: CheckContext): Promise<void> {
	const node = ctx.getNode();
	const { tables, skipped } = collectDownstreamTables(ctx.getChildNodes(node.name, { includeNodeParameters: true }));
	for (const note of skipped) ctx.logger.info(`Check Doris Tables on Activation: not checked: ${note}`, { node: node.name });
	if (tables.length === 0) {
		ctx.logger.warn('Check Doris Tables on Activation is on, but no Doris Schema (Map Rows, Validate on Start) or Doris Stream Load node with a fixed table follows this trigger', { node: node.name });
		return;
	}
	let connection: DorisConnection;
	try {
		connection = toDorisConnection(await ctx.getCredentials(DORIS_CREDENTIAL));
	} catch (error) {
		throw new NodeOperationError(node, error as Error, {
			description: 'Check Doris Tables on Activation needs a Doris credential on this trigger (the one the Doris nodes use)',
		});
	}
	try {
		await checkTables(connection, tables);
	} catch (error) {
		const problems = error instanceof TableCheckError ? error.problems : [];
		throw new NodeOperationError(node, `Check Doris Tables on Activation: ${(error as Error).message}`, {
			description:
				problems.length > 0
					? 'Create the table or column in Doris (or fix the name in the node), then activate again. Turn the trigger\'s "Check Doris Tables on Activation" off to skip this check.'
					: undefined,
		});
	}
	ctx.logger.info(`Check Doris Tables on Activation: ${tables.map((t) => `${t.database || connection.database}.${t.table}`).join(', ')} OK`, { node: node.name });
}
