// Renders the test broker's server.properties from server.properties.in and users.ts, and the
// StorageTool arguments that seed SCRAM credentials at format time (KIP-900 `--add-scram`).
// Usage (from scripts/kafka.sh): node --import tsx render-config.ts OUT_DIR
// Inputs come from the environment the script sets: KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_SASL_PORT,
// KAFKA_SSL_PORT, KAFKA_OAUTH_PORT, KAFKA_DATA_DIR, KAFKA_CERT_DIR, KAFKA_STORE_PASSWORD.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saslUsers, scramMechanisms, adminUser, type SaslUser } from './users';

function required(name: string): string {
	const value = process.env[name];
	if (!value) throw new Error(`render-config: environment variable ${name} is not set`);
	return value;
}

// JAAS values are double-quoted strings; the test users are plain ASCII, but refuse anything that
// would need escaping rather than render a broken config.
function jaasValue(value: string): string {
	if (!/^[A-Za-z0-9._-]+$/.test(value)) throw new Error(`render-config: unsupported character in "${value}"`);
	return `"${value}"`;
}

export function plainJaas(users: readonly SaslUser[], self: SaslUser): string {
	const entries = users.map((u) => `user_${u.username}=${jaasValue(u.password)}`);
	return [
		'org.apache.kafka.common.security.plain.PlainLoginModule required',
		`username=${jaasValue(self.username)}`,
		`password=${jaasValue(self.password)}`,
		...entries,
	].join(' ') + ';';
}

export function scramFormatArgs(users: readonly SaslUser[]): string[] {
	return users.flatMap((u) =>
		scramMechanisms.flatMap((m) => ['--add-scram', `${m}=[name=${u.username},password=${u.password}]`]),
	);
}

function main(outDir: string): void {
	const tokens: Record<string, string> = {
		PLAINTEXT_PORT: required('KAFKA_PORT'),
		CONTROLLER_PORT: required('KAFKA_CONTROLLER_PORT'),
		SASL_PORT: required('KAFKA_SASL_PORT'),
		SSL_PORT: required('KAFKA_SSL_PORT'),
		OAUTH_PORT: required('KAFKA_OAUTH_PORT'),
		DATA_DIR: required('KAFKA_DATA_DIR'),
		CERT_DIR: required('KAFKA_CERT_DIR'),
		STORE_PASSWORD: required('KAFKA_STORE_PASSWORD'),
		PLAIN_JAAS: plainJaas(saslUsers, adminUser),
	};
	const template = readFileSync(join(__dirname, 'server.properties.in'), 'utf8');
	const rendered = template.replace(/@([A-Z_]+)@/g, (whole, name: string) => {
		const value = tokens[name];
		if (value === undefined) throw new Error(`render-config: unknown token ${whole}`);
		return value;
	});
	writeFileSync(join(outDir, 'server.properties'), rendered);
	// One argument per line: bash reads them back with mapfile, no quoting games.
	writeFileSync(join(outDir, 'format.args'), scramFormatArgs(saslUsers).join('\n') + '\n');
}

if (require.main === module) {
	const outDir = process.argv[2];
	if (!outDir) throw new Error('usage: render-config.ts OUT_DIR');
	main(outDir);
}
