import type { DisplayCondition, INodeProperties } from 'n8n-workflow';

/**
 * The database and table fields of the Doris Schema and Doris Stream Load nodes, filled over Doris'
 * MySQL port by ./doris-methods.ts.
 *
 * Version 1 stored both as plain strings picked from a dropdown. Version 1.1 picks them with resource
 * locators (a searchable list, or a name typed in), as n8n's Postgres and MySQL v2 nodes do; n8n keeps
 * a saved node at the version it was saved with, so a version-1 workflow keeps its strings and its
 * dropdowns. Both store the name in the same parameter; the settings readers take the name out of a
 * resource locator (nodes/shared/settings.ts), so both versions load the same way.
 */

/** The first version with resource locators. */
export const LOCATOR_VERSION = 1.1;
/** The versions of the two Doris nodes; n8n adds new nodes at the last one. */
export const DORIS_NODE_VERSIONS = [1, LOCATOR_VERSION];

const version1Only = { show: { '@version': [1] } };
const fromLocatorVersion = { show: { '@version': [{ _cnd: { gte: LOCATOR_VERSION } } satisfies DisplayCondition] } };

/** Version 1: dropdowns whose values are the names (descriptions in the words n8n's lint asks of dropdowns). */
function dropdownFields(): INodeProperties[] {
	return [
		{
			displayName: 'Database Name or ID',
			name: 'database',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDatabases' },
			default: '',
			description:
				'Empty uses the credential\'s default database. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: version1Only,
		},
		{
			displayName: 'Table Name or ID',
			name: 'table',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getTables', loadOptionsDependsOn: ['database'] },
			required: true,
			default: '',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: version1Only,
		},
	];
}

/** Version 1.1: resource locators, searchable list or name. `purpose` starts the database field's description. */
function locatorFields(purpose: string): INodeProperties[] {
	return [
		{
			displayName: 'Database',
			name: 'database',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			description: `${purpose}; empty uses the credential's default database; an expression is evaluated for each item`,
			displayOptions: fromLocatorVersion,
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a database...',
					typeOptions: { searchListMethod: 'searchDatabases', searchable: true },
				},
				{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. demo' },
			],
		},
		{
			displayName: 'Table',
			name: 'table',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'The table to work on',
			displayOptions: fromLocatorVersion,
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a table...',
					typeOptions: { searchListMethod: 'searchTables', searchable: true },
				},
				{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. orders' },
			],
		},
	];
}

/** The database and table fields of both versions; each shows only at its own versions. */
export function databaseAndTableFields(purpose: string): INodeProperties[] {
	return [...dropdownFields(), ...locatorFields(purpose)];
}

/** The node subtitle: the table's name, whether stored as a string (version 1) or a resource locator. */
export const TABLE_SUBTITLE = '{{$parameter["table"]?.value ?? $parameter["table"]}}';
