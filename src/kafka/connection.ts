/** How to reach Kafka, as read from the Kafka credential; turned into a kafkajs config by src/kafka. */
import type { OAuthTokenSource } from './oauth-bearer';

export interface KafkaConnection {
	brokers: string[];
	clientId: string;
	tls?: KafkaTlsOptions;
	sasl?: KafkaSaslOptions;
}

export interface KafkaTlsOptions {
	ca?: string;
	cert?: string;
	key?: string;
	rejectUnauthorized: boolean;
}

export type KafkaPasswordMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type KafkaSaslMechanism = KafkaPasswordMechanism | 'oauthbearer';

export type KafkaSaslOptions = KafkaPasswordSasl | KafkaOAuthBearerSasl;

export interface KafkaPasswordSasl {
	mechanism: KafkaPasswordMechanism;
	username: string;
	/** Never log it. */
	password: string;
}

export interface KafkaOAuthBearerSasl {
	mechanism: 'oauthbearer';
	/** Where tokens come from; its secret and the tokens are never logged. */
	token: OAuthTokenSource;
	/** SASL extensions sent with the token (Confluent Cloud: logicalCluster, identityPoolId). */
	extensions?: Record<string, string>;
}

/** Who logs in, for messages: the user, or the OAuth client (never a secret). */
export function saslIdentity(sasl: KafkaSaslOptions | undefined): string {
	if (!sasl) return 'no SASL';
	if (sasl.mechanism !== 'oauthbearer') return `user "${sasl.username}" (${sasl.mechanism})`;
	return sasl.token.kind === 'static' ? 'a fixed token (oauthbearer)' : `OAuth client "${sasl.token.clientId}" (oauthbearer)`;
}

/** Parses a comma-separated broker list (`host:port`), naming the bad entry on error. */
export function parseBrokers(raw: string): string[] {
	const brokers = raw
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
	if (brokers.length === 0) throw new Error('Kafka brokers: at least one host:port is required');
	for (const broker of brokers) {
		if (!/^[^:\s/]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
			throw new Error(`Kafka broker "${broker}" is not host:port`);
		}
	}
	return brokers;
}
