// OAUTHBEARER tokens: the client credentials request as Kafka's Java client sends it, reuse until 80 %
// of the lifetime, one request for simultaneous logins, errors that name the endpoint but no secret.
// The token endpoint is a local HTTP server recording what it was sent.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { toKafkaConnection } from '../../../nodes/shared/credentials';
import { explainKafkaError, toKafkaConfig } from '../../../src/kafka/client';
import { createOAuthBearerProvider, parseSaslExtensions } from '../../../src/kafka/oauth-bearer';

interface Seen {
	authorization?: string;
	contentType?: string;
	body: string;
}

let server: Server;
let base = '';
const seen: Seen[] = [];
let answer: (req: IncomingMessage) => { status: number; body: string; delayMs?: number } = () => ({ status: 200, body: '{}' });

before(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			seen.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
			const { status, body: out, delayMs } = answer(req);
			setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(out), delayMs ?? 0);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function jwt(claims: object): string {
	const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${part({ alg: 'none' })}.${part(claims)}.`;
}

describe('OAUTHBEARER token provider', () => {
	it('client credentials as Kafka sends them; the token is reused until 80 % of expires_in, then renewed', async () => {
		seen.length = 0;
		let issued = 0;
		answer = () => ({ status: 200, body: JSON.stringify({ access_token: `token-${++issued}`, token_type: 'bearer', expires_in: 100 }) });
		let clock = 1_000_000;
		const source = { kind: 'clientCredentials' as const, tokenUrl: `${base}/token`, clientId: 'sinker app', clientSecret: 's3cr:et', scope: 'kafka read' };
		const provider = createOAuthBearerProvider(source, { logicalCluster: 'lkc-1' }, () => clock);
		assert.deepEqual(await provider(), { value: 'token-1', extensions: { logicalCluster: 'lkc-1' } });
		assert.equal(seen[0].authorization, `Basic ${Buffer.from('sinker%20app:s3cr%3Aet').toString('base64')}`);
		assert.equal(seen[0].contentType, 'application/x-www-form-urlencoded');
		assert.equal(seen[0].body, 'grant_type=client_credentials&scope=kafka+read');
		clock += 79_000;
		assert.equal((await provider()).value, 'token-1');
		clock += 2_000;
		assert.equal((await provider()).value, 'token-2');
		assert.equal(seen.length, 2);
	});

	it('simultaneous logins share one request; the JWT exp claim is the lifetime when expires_in is missing', async () => {
		seen.length = 0;
		let clock = 1_700_000_000_000;
		answer = () => ({ status: 200, body: JSON.stringify({ access_token: jwt({ sub: 'sinker', exp: clock / 1000 + 50 }) }), delayMs: 50 });
		const provider = createOAuthBearerProvider({ kind: 'clientCredentials', tokenUrl: `${base}/t`, clientId: 'c', clientSecret: 's' }, {}, () => clock);
		const tokens = await Promise.all([provider(), provider(), provider()]);
		assert.equal(seen.length, 1);
		assert.equal(new Set(tokens.map((t) => t.value)).size, 1);
		assert.equal(tokens[0].extensions, undefined);
		clock += 39_000;
		await provider();
		assert.equal(seen.length, 1, 'still within 80 % of 50 s');
		clock += 2_000;
		await provider();
		assert.equal(seen.length, 2);
	});

	it('a token without a known lifetime is fetched at every login', async () => {
		seen.length = 0;
		answer = () => ({ status: 200, body: '{"access_token":"opaque"}' });
		const provider = createOAuthBearerProvider({ kind: 'clientCredentials', tokenUrl: `${base}/t`, clientId: 'c', clientSecret: 's' });
		await provider();
		await provider();
		assert.equal(seen.length, 2);
	});

	it('refusals name the endpoint, the client and the server\'s error, never the secret', async () => {
		const source = { kind: 'clientCredentials' as const, tokenUrl: `${base}/t`, clientId: 'app', clientSecret: 'Very-Secret-1' };
		answer = () => ({ status: 401, body: '{"error":"invalid_client","error_description":"bad secret"}' });
		const refused = await createOAuthBearerProvider(source)().catch((e: Error) => e);
		assert.equal((refused as Error).message, `Kafka OAUTHBEARER: the token endpoint ${base}/t refused client "app" (HTTP 401): invalid_client: bad secret`);
		answer = () => ({ status: 200, body: '{"token_type":"bearer"}' });
		await assert.rejects(createOAuthBearerProvider(source)(), /answered without an access_token/);
		const closed = await createOAuthBearerProvider({ ...source, tokenUrl: 'http://127.0.0.1:9/t' })().catch((e: Error) => e);
		assert.match((closed as Error).message, /^Kafka OAUTHBEARER: cannot reach the token endpoint http:\/\/127\.0\.0\.1:9\/t: /);
		assert.equal(explainKafkaError(refused, { brokers: ['b:9092'] }).message, (refused as Error).message);
		for (const error of [refused, closed]) assert.doesNotMatch(String((error as Error).message), /Very-Secret-1/);
	});

	it('a fixed token; SASL extensions parsed and checked', async () => {
		assert.deepEqual(await createOAuthBearerProvider({ kind: 'static', token: ' abc ' })(), { value: 'abc' });
		assert.throws(() => createOAuthBearerProvider({ kind: 'static', token: '' }), /the token is empty/);
		assert.deepEqual(parseSaslExtensions(' logicalCluster=lkc-1 , identityPoolId = pool=x '), { logicalCluster: 'lkc-1', identityPoolId: 'pool=x' });
		assert.deepEqual(parseSaslExtensions(''), {});
		assert.throws(() => parseSaslExtensions('novalue'), /"novalue" is not key=value/);
		assert.throws(() => parseSaslExtensions('auth=x'), /not "auth"/);
	});

	it('the credential maps to kafkajs\' oauthbearer with a provider; bad fields are named', async () => {
		const connection = toKafkaConnection({
			brokers: '127.0.0.1:9096',
			authentication: true,
			saslMechanism: 'oauthbearer',
			oauthFlow: 'static',
			oauthToken: 'tok',
			saslExtensions: 'a=b',
		});
		const sasl = toKafkaConfig(connection).sasl as { mechanism: string; oauthBearerProvider: () => Promise<unknown> };
		assert.equal(sasl.mechanism, 'oauthbearer');
		assert.deepEqual(await sasl.oauthBearerProvider(), { value: 'tok', extensions: { a: 'b' } });
		const oauth = { brokers: 'b:1', authentication: true, saslMechanism: 'oauthbearer', oauthFlow: 'clientCredentials' };
		assert.throws(() => toKafkaConnection({ ...oauth, oauthTokenUrl: 'idp/token' }), /token URL "idp\/token" is not an http\(s\) URL/);
		assert.throws(() => toKafkaConnection({ ...oauth, oauthTokenUrl: 'https://idp/token' }), /client ID is empty/);
		assert.deepEqual(toKafkaConnection({ ...oauth, oauthTokenUrl: 'https://idp/token', oauthClientId: 'c', oauthClientSecret: 's' }).sasl, {
			mechanism: 'oauthbearer',
			token: { kind: 'clientCredentials', tokenUrl: 'https://idp/token', clientId: 'c', clientSecret: 's' },
			extensions: {},
		});
	});
});
