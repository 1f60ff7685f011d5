import type { INodeProperties } from 'n8n-workflow';

const EXPRESSION_HINT = 'Choose from the list, or specify a name using an <a href="https://docs.n8n.io/code/expressions/">expression</a>';

/**
 * The database and table dropdowns both Doris nodes show, filled over the MySQL port by
 * `getDatabases` / `getTables` (./doris-methods.ts). `purpose` starts the database field's description.
 */
export function databaseAndTableFields(purpose: string): INodeProperties[] {
	return [
		{
			displayName: 'Database Name or ID',
			name: 'database',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDatabases' },
			default: '',
			description: `${purpose}; empty uses the credential's default database. ${EXPRESSION_HINT}.`,
		},
		{
			displayName: 'Table Name or ID',
			name: 'table',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getTables', loadOptionsDependsOn: ['database'] },
			required: true,
			default: '',
			description: EXPRESSION_HINT,
		},
	];
}
