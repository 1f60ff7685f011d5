import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Doris connection: FE HTTP addresses for Stream Load, the FE MySQL port for schema queries.
 * Tested by the `dorisConnectionTest` method of the Doris Stream Load node (non-HTTP test).
 */
export class DorisApi implements ICredentialType {
	name = 'dorisApi';

	displayName = 'Doris API';

	icon: Icon = { light: 'file:doris.svg', dark: 'file:doris.dark.svg' };

	documentationUrl = 'https://doris.apache.org/docs/data-operate/import/import-way/stream-load-manual';

	properties: INodeProperties[] = [
		{
			displayName: 'FE HTTP Addresses',
			name: 'feUrls',
			type: 'string',
			default: 'http://127.0.0.1:8030',
			placeholder: 'http://fe1:8030, http://fe2:8030',
			description:
				'One or more Doris FE HTTP addresses, comma-separated. Stream Load goes to the first that answers; the FE redirects it to a BE.',
			required: true,
		},
		{
			displayName: 'Query Port (MySQL Protocol)',
			name: 'queryPort',
			type: 'number',
			default: 9030,
			description: "The FE's MySQL-protocol port (query_port), used to read table schemas",
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'root',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Leave empty to use the DORIS_PASSWORD environment variable of the n8n process',
		},
		{
			displayName: 'Default Database',
			name: 'database',
			type: 'string',
			default: '',
			description: 'Used by nodes that leave their database empty',
		},
		{
			displayName: 'Trusted CA Certificate',
			name: 'ca',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'PEM CA certificate for https FE/BE addresses signed by a private CA',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the https certificate cannot be verified',
		},
	];
}
