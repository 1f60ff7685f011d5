import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { checkDorisConnection } from '../../src/doris/connection-check';
import { listDatabases, listTables } from '../../src/doris/mysql';
import { DORIS_CREDENTIAL, toDorisConnection } from './credentials';

/**
 * loadOptions and the credential test shared by the nodes that use the Doris credential. n8n resolves
 * `testedBy` per credential type, whichever node it finds first: so every node declaring `dorisApi`
 * (Doris Schema, Doris Stream Load, and the Kafka trigger for its activation check) registers this one
 * `dorisConnectionTest`, and the same check runs whichever n8n picks.
 */

async function connectionOf(ctx: Pick<ILoadOptionsFunctions, 'getCredentials'>) {
	return toDorisConnection(await ctx.getCredentials(DORIS_CREDENTIAL));
}

/** Databases over the MySQL port; the credential's default database first when it has one. */
export async function getDatabases(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connection = await connectionOf(this);
	const names = await listDatabases(connection);
	const options: INodePropertyOptions[] = names.map((name) => ({ name, value: name }));
	if (connection.database !== '') {
		options.unshift({ name: `Credential Default (${connection.database})`, value: '' });
	}
	return options;
}

/** Tables of the selected database (or of the credential's default database). */
export async function getTables(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connection = await connectionOf(this);
	const chosen = this.getCurrentNodeParameter('database');
	const database = typeof chosen === 'string' && chosen !== '' ? chosen : connection.database;
	if (database === '') return [];
	const names = await listTables(connection, database);
	return names.map((name) => ({ name, value: name }));
}

export async function dorisConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const connection = toDorisConnection(credential.data ?? {});
		const result = await checkDorisConnection(connection);
		return { status: result.ok ? 'OK' : 'Error', message: result.message };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}
