// Where the test ground is, for every test that talks to it. Reads the environment so a different
// ground can be pointed at; the defaults are what scripts/ground.sh starts.
import { join, resolve } from 'node:path';

export { adminUser, sinkerUser, saslUsers, scramMechanisms } from './users';
export type { SaslUser } from './users';

const root = resolve(__dirname, '..', '..', '..');

function brokerList(name: string, fallback: string): string[] {
	const raw = process.env[name]?.trim() || fallback;
	return raw
		.split(',')
		.map((b) => b.trim())
		.filter((b) => b.length > 0);
}

/** PLAINTEXT listener. */
export const kafkaBrokers = brokerList('KAFKA_BROKERS', '127.0.0.1:9092');
/** SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
export const kafkaSaslBrokers = brokerList('KAFKA_SASL_BROKERS', '127.0.0.1:9094');
/** SSL listener; the broker's certificate is signed by the test CA below. */
export const kafkaSslBrokers = brokerList('KAFKA_SSL_BROKERS', '127.0.0.1:9095');

/** Confluent-compatible API of the Schema Registry (Apicurio ccompat v7). */
export const schemaRegistryUrl =
	process.env.SCHEMA_REGISTRY_URL?.trim() || 'http://127.0.0.1:8081/apis/ccompat/v7';

const certDir = process.env.KAFKA_CERT_DIR?.trim() || join(root, '.cache', 'kafka', 'certs');

/** PEM files made by test/ground/kafka/certs.sh (scripts/kafka.sh start). */
export const kafkaCerts = {
	dir: certDir,
	/** Test CA that signed the broker and client certificates. */
	ca: join(certDir, 'ca.pem'),
	/** Client certificate and key (the SSL listener requests, but does not require, a client cert). */
	clientCert: join(certDir, 'client.pem'),
	clientKey: join(certDir, 'client-key.pem'),
	/** A CA that signed nothing here: a client trusting only it must fail the handshake. */
	otherCa: join(certDir, 'other-ca.pem'),
} as const;
