import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Kafka connection for the Doris sinker's trigger. A credential type of its own (not n8n's `kafka`)
 * because credential type names are global in n8n. Tested by the trigger's `kafkaConnectionTest`.
 */
export class KafkaDorisSinkApi implements ICredentialType {
	name = 'kafkaDorisSinkApi';

	displayName = 'Kafka (Doris Sinker) API';

	icon: Icon = { light: 'file:kafka.svg', dark: 'file:kafka.dark.svg' };

	documentationUrl = 'https://kafka.js.org/docs/configuration';

	properties: INodeProperties[] = [
		{
			displayName: 'Brokers',
			name: 'brokers',
			type: 'string',
			default: '127.0.0.1:9092',
			placeholder: 'kafka1:9092, kafka2:9092',
			description: 'Comma-separated host:port list of bootstrap brokers',
			required: true,
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: 'n8n-doris-sinker',
		},
		{
			displayName: 'SSL/TLS',
			name: 'ssl',
			type: 'boolean',
			default: false,
		},
		{
			displayName: 'CA Certificate',
			name: 'ca',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			displayOptions: { show: { ssl: [true] } },
		},
		{
			displayName: 'Client Certificate',
			name: 'cert',
			type: 'string',
			typeOptions: { rows: 4, password: true },
			default: '',
			displayOptions: { show: { ssl: [true] } },
		},
		// A private key is a secret even though the rule's name list does not know it.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Client Key',
			name: 'key',
			type: 'string',
			typeOptions: { rows: 4, password: true },
			default: '',
			displayOptions: { show: { ssl: [true] } },
		},
		{
			displayName: 'Reject Unauthorized Certificates',
			name: 'rejectUnauthorized',
			type: 'boolean',
			default: true,
			displayOptions: { show: { ssl: [true] } },
		},
		{
			displayName: 'SASL Authentication',
			name: 'authentication',
			type: 'boolean',
			default: false,
		},
		{
			displayName: 'SASL Mechanism',
			name: 'saslMechanism',
			type: 'options',
			options: [
				{ name: 'PLAIN', value: 'plain' },
				{ name: 'SCRAM-SHA-256', value: 'scram-sha-256' },
				{ name: 'SCRAM-SHA-512', value: 'scram-sha-512' },
				{ name: 'OAUTHBEARER', value: 'oauthbearer', description: 'OAuth 2.0 tokens (Confluent Cloud, Strimzi/Keycloak, AWS MSK IAM through a token service)' },
			],
			default: 'plain',
			displayOptions: { show: { authentication: [true] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: [true], saslMechanism: ['plain', 'scram-sha-256', 'scram-sha-512'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: [true], saslMechanism: ['plain', 'scram-sha-256', 'scram-sha-512'] } },
		},
		{
			displayName: 'Token From',
			name: 'oauthFlow',
			type: 'options',
			options: [
				{
					name: 'OAuth 2.0 Client Credentials',
					value: 'clientCredentials',
					description: 'Fetched from the token endpoint, renewed before it expires',
				},
				{ name: 'Fixed Token', value: 'static', description: 'A token that does not expire (tests, unsecured listeners)' },
			],
			default: 'clientCredentials',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'] } },
		},
		{
			displayName: 'Token URL',
			name: 'oauthTokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://idp.example.com/realms/kafka/protocol/openid-connect/token',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'], oauthFlow: ['clientCredentials'] } },
		},
		{
			displayName: 'Client ID',
			name: 'oauthClientId',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'], oauthFlow: ['clientCredentials'] } },
		},
		{
			displayName: 'Client Secret',
			name: 'oauthClientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'], oauthFlow: ['clientCredentials'] } },
		},
		{
			displayName: 'Scope',
			name: 'oauthScope',
			type: 'string',
			default: '',
			description: 'Space-separated scopes to ask for; empty for the endpoint\'s default',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'], oauthFlow: ['clientCredentials'] } },
		},
		{
			displayName: 'Token',
			name: 'oauthToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'], oauthFlow: ['static'] } },
		},
		{
			displayName: 'SASL Extensions',
			name: 'saslExtensions',
			type: 'string',
			default: '',
			placeholder: 'logicalCluster=lkc-abc123, identityPoolId=pool-xyz',
			description: 'Key=value pairs sent with the token, comma-separated (Confluent Cloud needs logicalCluster and identityPoolId)',
			displayOptions: { show: { authentication: [true], saslMechanism: ['oauthbearer'] } },
		},
	];
}
