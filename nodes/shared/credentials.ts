import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { parseFeUrls, resolveDorisPassword, type DorisConnection } from '../../src/doris/connection';
import { parseBrokers, type KafkaConnection, type KafkaSaslMechanism, type KafkaSaslOptions } from '../../src/kafka/connection';
import { parseSaslExtensions } from '../../src/kafka/oauth-bearer';
import type { SchemaRegistrySettings } from '../../src/kafka/schema-registry';

export const DORIS_CREDENTIAL = 'dorisApi';
export const KAFKA_CREDENTIAL = 'kafkaDorisSinkApi';
export const SCHEMA_REGISTRY_CREDENTIAL = 'schemaRegistryDorisSinkApi';

function text(data: ICredentialDataDecryptedObject, key: string, fallback = ''): string {
	const value = data[key];
	return typeof value === 'string' ? value : value === undefined || value === null ? fallback : String(value);
}

/** The Doris credential as a typed connection; throws an Error naming the bad field. */
export function toDorisConnection(data: ICredentialDataDecryptedObject): DorisConnection {
	const queryPort = Number(data.queryPort ?? 9030);
	if (!Number.isInteger(queryPort) || queryPort < 1 || queryPort > 65535) {
		throw new Error(`Doris query port "${String(data.queryPort)}" is not a TCP port`);
	}
	const ca = text(data, 'ca').trim();
	const insecure = data.ignoreSslIssues === true;
	return {
		feUrls: parseFeUrls(text(data, 'feUrls')),
		queryPort,
		user: text(data, 'user', 'root'),
		password: resolveDorisPassword(text(data, 'password')),
		database: text(data, 'database').trim(),
		tls: ca !== '' || insecure ? { ca: ca === '' ? undefined : ca, rejectUnauthorized: !insecure } : undefined,
	};
}

/** The Kafka credential as a typed connection; throws an Error naming the bad field. */
export function toKafkaConnection(data: ICredentialDataDecryptedObject): KafkaConnection {
	const connection: KafkaConnection = {
		brokers: parseBrokers(text(data, 'brokers')),
		clientId: text(data, 'clientId', 'n8n-doris-sinker') || 'n8n-doris-sinker',
	};
	if (data.ssl === true) {
		const pem = (key: string) => {
			const value = text(data, key).trim();
			return value === '' ? undefined : value;
		};
		connection.tls = {
			ca: pem('ca'),
			cert: pem('cert'),
			key: pem('key'),
			rejectUnauthorized: data.rejectUnauthorized !== false,
		};
	}
	if (data.authentication === true) connection.sasl = toSasl(data);
	return connection;
}

function toSasl(data: ICredentialDataDecryptedObject): KafkaSaslOptions {
	const mechanism = text(data, 'saslMechanism', 'plain') as KafkaSaslMechanism;
	if (mechanism === 'oauthbearer') {
		const extensions = parseSaslExtensions(text(data, 'saslExtensions'));
		if (text(data, 'oauthFlow', 'clientCredentials') === 'static') {
			return { mechanism, token: { kind: 'static', token: text(data, 'oauthToken') }, extensions };
		}
		const tokenUrl = text(data, 'oauthTokenUrl').trim();
		if (!/^https?:\/\/\S+$/.test(tokenUrl)) throw new Error(`Kafka OAUTHBEARER token URL "${tokenUrl}" is not an http(s) URL`);
		const clientId = text(data, 'oauthClientId').trim();
		if (clientId === '') throw new Error('Kafka OAUTHBEARER client ID is empty');
		const scope = text(data, 'oauthScope').trim();
		return {
			mechanism,
			token: { kind: 'clientCredentials', tokenUrl, clientId, clientSecret: text(data, 'oauthClientSecret'), ...(scope ? { scope } : {}) },
			extensions,
		};
	}
	if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
		throw new Error(`Kafka SASL mechanism "${mechanism}" is not one of plain, scram-sha-256, scram-sha-512, oauthbearer`);
	}
	const username = text(data, 'username');
	if (username === '') throw new Error('Kafka SASL username is empty');
	return { mechanism, username, password: text(data, 'password') };
}

/** The Schema Registry credential as settings for src/kafka; throws an Error naming the bad field. */
export function toSchemaRegistrySettings(data: ICredentialDataDecryptedObject): SchemaRegistrySettings {
	const url = text(data, 'url').trim();
	if (url === '') throw new Error('Schema Registry credential: the URL is empty');
	const authentication = text(data, 'authentication', 'none');
	if (authentication === 'none') return { url };
	if (authentication !== 'basicAuth') throw new Error(`Schema Registry authentication "${authentication}" is not one of none, basicAuth`);
	const username = text(data, 'username').trim();
	if (username === '') throw new Error('Schema Registry credential: Basic Auth needs a username');
	return { url, username, password: text(data, 'password') };
}
