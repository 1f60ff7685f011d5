import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * A Confluent-compatible Schema Registry for the Doris sinker's trigger: URL and authentication,
 * encrypted with n8n's other credentials instead of sitting in the workflow as node parameters. A
 * type of its own (not n8n's `schemaRegistryApi`) because credential type names are global in n8n
 * and older n8n versions lack that one. Tested by the trigger's `schemaRegistryConnectionTest`.
 * Authentication is a choice (not just a username) so further methods fit without breaking saved
 * credentials.
 */
export class SchemaRegistryDorisSinkApi implements ICredentialType {
	name = 'schemaRegistryDorisSinkApi';

	displayName = 'Schema Registry (Doris Sinker) API';

	icon: Icon = { light: 'file:kafka.svg', dark: 'file:kafka.dark.svg' };

	documentationUrl = 'https://docs.confluent.io/platform/current/schema-registry/develop/api.html';

	properties: INodeProperties[] = [
		{
			displayName: 'Schema Registry URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'http://schema-registry:8081',
			description: 'Base URL of the Confluent-compatible API (for Apicurio: …/apis/ccompat/v7). Test reads its subject list.',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Basic Auth', value: 'basicAuth', description: 'Username and password (Confluent Cloud: API key and secret)' },
			],
			default: 'none',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: ['basicAuth'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['basicAuth'] } },
		},
	];
}
