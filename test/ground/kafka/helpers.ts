// kafkajs configs for the test ground's listeners, and unique names so test files never share state
// on the one broker. Tests import these instead of spelling out addresses, users or cert paths.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaBrokers, kafkaCerts, kafkaSaslBrokers, kafkaSslBrokers, sinkerUser, type SaslUser } from './env';

/** `prefix-<time>-<random>`: topic and group names that no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
	return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

const quiet: Pick<KafkaConfig, 'logLevel' | 'connectionTimeout' | 'retry'> = {
	logLevel: logLevel.NOTHING,
	connectionTimeout: 3000,
	retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
};

export function plaintextConfig(clientId = uniqueName('ground')): KafkaConfig {
	return { ...quiet, clientId, brokers: kafkaBrokers };
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export function saslConfig(
	mechanism: SaslMechanism = 'plain',
	user: SaslUser = sinkerUser,
	clientId = uniqueName('ground-sasl'),
): KafkaConfig {
	// kafkajs types SASLOptions as a union keyed by mechanism; each member has username/password.
	const sasl = { mechanism, username: user.username, password: user.password } as SASLOptions;
	return { ...quiet, clientId, brokers: kafkaSaslBrokers, sasl };
}

export interface SslChoice {
	/** PEM file of the CA to trust; the test CA unless told otherwise, `null` for the system roots only. */
	caFile?: string | null;
	/** Present the client certificate and key (the listener requests one but does not require it). */
	clientCert?: boolean;
}

export function sslConfig(choice: SslChoice = {}, clientId = uniqueName('ground-ssl')): KafkaConfig {
	const caFile = choice.caFile === undefined ? kafkaCerts.ca : choice.caFile;
	return {
		...quiet,
		clientId,
		brokers: kafkaSslBrokers,
		ssl: {
			...(caFile ? { ca: [readFileSync(caFile, 'utf8')] } : {}),
			...(choice.clientCert
				? { cert: readFileSync(kafkaCerts.clientCert, 'utf8'), key: readFileSync(kafkaCerts.clientKey, 'utf8') }
				: {}),
		},
	};
}
