import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	ILoadOptionsFunctions,
	INodeCredentialTestResult,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { checkDorisConnection } from '../../src/doris/connection-check';
import type { DorisConnection } from '../../src/doris/connection';
import { listDatabases, listTables } from '../../src/doris/mysql';
import { readTableSchema } from '../../src/doris/schema/reader';
import { DORIS_CREDENTIAL, toDorisConnection } from './credentials';
import { locatedName } from './settings';

/**
 * loadOptions, listSearch and the credential test shared by the nodes that use the Doris credential. n8n resolves
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

/** The database the node points at: its Database field (string or resource locator), else the credential's. */
function chosenDatabase(ctx: ILoadOptionsFunctions, connection: DorisConnection): string {
	const chosen = locatedName(ctx.getCurrentNodeParameter('database'));
	return chosen !== '' ? chosen : connection.database;
}

/** Tables of the selected database (or of the credential's default database). */
export async function getTables(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connection = await connectionOf(this);
	const database = chosenDatabase(this, connection);
	if (database === '') return [];
	const names = await listTables(connection, database);
	return names.map((name) => ({ name, value: name }));
}

/** Doris names are case-sensitive, a search in a list is not: "ord" finds "Orders". */
function matching(names: string[], filter: string | undefined): string[] {
	const wanted = (filter ?? '').trim().toLowerCase();
	return wanted === '' ? names : names.filter((name) => name.toLowerCase().includes(wanted));
}

/** The Database resource locator's list (version 1.1): the credential's default database first. */
export async function searchDatabases(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const connection = await connectionOf(this);
	const names = matching(await listDatabases(connection), filter);
	const first = names.filter((name) => name === connection.database);
	const rest = names.filter((name) => name !== connection.database);
	return {
		results: [...first.map((name) => ({ name: `${name} (credential default)`, value: name })), ...rest.map((name) => ({ name, value: name }))],
	};
}

/** The Table resource locator's list (version 1.1): tables of the chosen database. */
export async function searchTables(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const connection = await connectionOf(this);
	const database = chosenDatabase(this, connection);
	if (database === '') return { results: [] };
	return { results: matching(await listTables(connection, database), filter).map((name) => ({ name, value: name })) };
}

/**
 * The chosen table's columns, for the Doris Schema node's Field Mapping, with their Doris types. Nothing
 * while no table is chosen (or the table is an expression, resolved only when an item arrives).
 */
export async function getColumns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connection = await connectionOf(this);
	const database = chosenDatabase(this, connection);
	const table = locatedName(this.getCurrentNodeParameter('table'));
	if (database === '' || table === '' || table.startsWith('=')) return [];
	const schema = await readTableSchema(connection, database, table);
	return schema.columns.map((column) => ({
		name: column.name,
		value: column.name,
		// Types in capitals, as CREATE TABLE and Doris' documentation write them (DESC prints them in lower case).
		description: `${column.typeText.toUpperCase()}${column.isKey ? ', key' : ''}${column.nullable ? '' : ', NOT NULL'}`,
	}));
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
