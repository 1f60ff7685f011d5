// The AWS MSK IAM recipe (README, examples/msk-iam-token-service.mjs) without AWS: the token service
// runs as documented, with AWS' signer replaced by a stand-in that returns a token and its expiry the
// way aws-msk-iam-sasl-signer-js does; the Kafka credential's OAUTHBEARER client gets that token with
// the service's secret and is refused without it. (No MSK cluster or AWS account is reachable here.)
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createOAuthBearerProvider } from '../../src/kafka/oauth-bearer';
import { freePort } from '../ground/n8n/process';

const SECRET = 'token-service-secret-0123456789';
let dir: string;
let service: ChildProcess;
let tokenUrl: string;

before(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'msk-iam-recipe-'));
	copyFileSync(path.resolve(__dirname, '../../examples/msk-iam-token-service.mjs'), path.join(dir, 'service.mjs'));
	const signer = path.join(dir, 'node_modules', 'aws-msk-iam-sasl-signer-js');
	mkdirSync(signer, { recursive: true });
	writeFileSync(path.join(signer, 'package.json'), JSON.stringify({ name: 'aws-msk-iam-sasl-signer-js', type: 'module', exports: './index.js' }));
	writeFileSync(
		path.join(signer, 'index.js'),
		"export async function generateAuthToken({ region }) { return { token: Buffer.from(`https://kafka.${region}.amazonaws.com/?Action=kafka-cluster%3AConnect`).toString('base64url'), expiryTime: Date.now() + 900000 }; }\n",
	);
	const port = await freePort();
	tokenUrl = `http://127.0.0.1:${port}/token`;
	service = spawn(process.execPath, [path.join(dir, 'service.mjs')], {
		env: { ...process.env, AWS_REGION: 'eu-west-1', TOKEN_SERVICE_SECRET: SECRET, TOKEN_SERVICE_PORT: String(port) },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	await new Promise<void>((resolve, reject) => {
		service.stdout?.once('data', () => resolve());
		service.once('exit', (code) => reject(new Error(`token service exited with ${code}`)));
	});
});

after(() => {
	service?.kill();
	rmSync(dir, { recursive: true, force: true });
});

describe('AWS MSK IAM recipe: the token service and the OAUTHBEARER client', () => {
	it('hands out the signer\'s token to the client with the secret, renewed within its 15 minutes', async () => {
		let clock = Date.now();
		const provider = createOAuthBearerProvider({ kind: 'clientCredentials', tokenUrl, clientId: 'n8n', clientSecret: SECRET }, {}, () => clock);
		const token = await provider();
		assert.equal(Buffer.from(token.value, 'base64url').toString(), 'https://kafka.eu-west-1.amazonaws.com/?Action=kafka-cluster%3AConnect');
		clock += 11 * 60_000;
		assert.equal((await provider()).value, token.value, 'reused within 80 % of 900 s');
	});

	it('refuses a client without the secret', async () => {
		const provider = createOAuthBearerProvider({ kind: 'clientCredentials', tokenUrl, clientId: 'n8n', clientSecret: 'wrong' });
		await assert.rejects(provider(), /refused client "n8n" \(HTTP 401\): invalid_client/);
	});
});
