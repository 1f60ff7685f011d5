// Where the test ground is, for every test that talks to it. Reads the environment so a different
// ground can be pointed at: the addresses (KAFKA_BROKERS, …) or, as the scripts do, the ports
// (KAFKA_PORT, KAFKA_SASL_PORT, KAFKA_SSL_PORT, REGISTRY_PORT) and the broker's folder
// (KAFKA_CACHE_DIR); the defaults are what scripts/ground.sh starts.
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

function port(name: string, fallback: number): number {
	const raw = process.env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value <= 0 || value > 65_535) throw new Error(`${name} must be a TCP port, got "${raw}"`);
	return value;
}

/** PLAINTEXT listener. */
export const kafkaBrokers = brokerList('KAFKA_BROKERS', `127.0.0.1:${port('KAFKA_PORT', 9092)}`);
/** SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
export const kafkaSaslBrokers = brokerList('KAFKA_SASL_BROKERS', `127.0.0.1:${port('KAFKA_SASL_PORT', 9094)}`);
/** SSL listener; the broker's certificate is signed by the test CA below. */
export const kafkaSslBrokers = brokerList('KAFKA_SSL_BROKERS', `127.0.0.1:${port('KAFKA_SSL_PORT', 9095)}`);

/** Confluent-compatible API of the Schema Registry (Apicurio ccompat v7). */
export const schemaRegistryUrl =
	process.env.SCHEMA_REGISTRY_URL?.trim() || `http://127.0.0.1:${port('REGISTRY_PORT', 8081)}/apis/ccompat/v7`;

/** The broker's folder (scripts/kafka.sh: data, certificates, PID file, log). */
export const kafkaCacheDir = process.env.KAFKA_CACHE_DIR?.trim() || join(root, '.cache', 'kafka');

const certDir = process.env.KAFKA_CERT_DIR?.trim() || join(kafkaCacheDir, 'certs');

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
