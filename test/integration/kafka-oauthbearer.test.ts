// SASL OAUTHBEARER on a real broker: a broker of this file's own (test/ground/kafka/private-broker.ts;
// the shared broker has no OAUTH listener until it is restarted) whose OAUTH listener checks
// unsigned JWTs with Kafka's unsecured validator and ends each session with its token (15 s at most).
// Tokens come from a local OAuth token endpoint (client credentials) that issues 8-second JWTs, so the
// consumer must log in again with renewed tokens to keep consuming. Login failures name the endpoint and
// the client, never the secret.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';

import type { KafkaConnection } from '../../src/kafka/connection';
import { checkKafkaConnection } from '../../src/kafka/connection-check';
import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { startPrivateBroker, type PrivateBroker } from '../ground/kafka/private-broker';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, testOptions, uniqueName } from './kafka-sinker-helpers';

const CLIENT = { id: 'n8n-sinker', secret: 'Client-Secret-42' };
/** The consumer case's own client: its tokens are counted apart from the credential case's, which runs meanwhile. */
const CONSUMER_CLIENT = { id: 'n8n-sinker-consumer', secret: 'Client-Secret-43' };
/** A client whose tokens are already expired: Kafka's unsecured validator accepts the login, then ends the session at once. */
const EXPIRED_CLIENT = { id: 'n8n-sinker-expired', secret: 'Client-Secret-44' };
const TOKEN_SECONDS = 8;

let broker: PrivateBroker | undefined;
let plaintext: string[];
let oauth: string[];
let tokenServer: Server;
let tokenUrl: string;
const issued: Array<{ at: number; client: string }> = [];

function unsignedJwt(sub: string, lifetimeSeconds: number): string {
	const now = Math.floor(Date.now() / 1000);
	const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${part({ alg: 'none' })}.${part({ sub, iat: now, exp: now + lifetimeSeconds })}.`;
}

before(async () => {
	broker = await startPrivateBroker('oauth');
	plaintext = broker.brokers;
	oauth = broker.oauthBrokers;

	tokenServer = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			const client = [CLIENT, CONSUMER_CLIENT, EXPIRED_CLIENT].find((c) => req.headers.authorization === `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`);
			if (client === undefined || !body.includes('grant_type=client_credentials')) {
				res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client","error_description":"client authentication failed"}');
				return;
			}
			issued.push({ at: Date.now(), client: client.id });
			const seconds = client === EXPIRED_CLIENT ? -60 : TOKEN_SECONDS;
			res.writeHead(200, { 'content-type': 'application/json' }).end(
				JSON.stringify({ access_token: unsignedJwt('sinker', seconds), token_type: 'bearer', expires_in: seconds }),
			);
		});
	});
	await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
	tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
});

after(async () => {
	tokenServer?.close();
	await broker?.stop();
});

function oauthConnection(clientSecret = CLIENT.secret, client = CLIENT.id): KafkaConnection {
	return {
		brokers: oauth,
		clientId: 'sinker-oauth',
		sasl: { mechanism: 'oauthbearer', token: { kind: 'clientCredentials', tokenUrl, clientId: client, clientSecret } },
	};
}

// The cases run side by side: the consumer's spends ~25 s letting its 8 s tokens run out.
describe('SASL OAUTHBEARER on a real broker', { timeout: 240_000, concurrency: 3 }, () => {
	it('the credential test connects with client-credential tokens; a wrong secret and an expired token are named', async () => {
		const ok = await checkKafkaConnection(oauthConnection());
		assert.equal(ok.ok, true, ok.message);
		const wrong = await checkKafkaConnection(oauthConnection('wrong'));
		assert.equal(wrong.ok, false);
		assert.match(wrong.message, new RegExp(`token endpoint ${tokenUrl.replace(/[.]/g, '\\.')} refused client "n8n-sinker" \\(HTTP 401\\): invalid_client`));
		const expired = await checkKafkaConnection({
			brokers: oauth,
			clientId: 'sinker-oauth',
			sasl: { mechanism: 'oauthbearer', token: { kind: 'static', token: unsignedJwt('sinker', -60) } },
		});
		assert.equal(expired.ok, false);
		assert.match(expired.message, /Kafka did not accept the OAUTHBEARER login \(a fixed token \(oauthbearer\)\) at 127\.0\.0\.1:\d+: check that the token is valid/);
		for (const result of [ok, wrong, expired]) assert.doesNotMatch(result.message, new RegExp(CLIENT.secret));
	});

	it('the credential test gives up on a login Kafka ends at once after one retry, so it answers well within its budget', async () => {
		// Each login fetches a new token here (an expired one is never reused): the fetches count the logins.
		// kafkajs' own five client retries made six logins over ~11 s; under CI load that ran past the
		// check's 15 s and the answer became "Connection timeout" instead of the refused login.
		const result = await checkKafkaConnection(oauthConnection(EXPIRED_CLIENT.secret, EXPIRED_CLIENT.id));
		assert.equal(result.ok, false);
		assert.match(result.message, /Kafka did not accept the OAUTHBEARER login/);
		const logins = issued.filter((token) => token.client === EXPIRED_CLIENT.id).length;
		assert.ok(logins <= 2, `logins tried by the credential test: ${logins}`);
	});

	it('the sinker consumer keeps consuming across sessions and a renewed token, and commits every message', async () => {
		const kafka = new Kafka({ clientId: uniqueName('oauth-test'), brokers: plaintext, logLevel: logLevel.NOTHING });
		const admin = kafka.admin();
		await admin.connect();
		const topic = uniqueName('oauth');
		await createTopicsReady(admin, [{ topic, numPartitions: 1 }]);
		const producer = kafka.producer();
		await producer.connect();
		const group = uniqueName('oauth-group');
		const n8n = new FakeN8n();
		const consumerTokens = () => issued.filter((token) => token.client === CONSUMER_CLIENT.id).length;
		const consumer = await SinkerConsumer.start(testOptions(topic, group, { connection: oauthConnection(CONSUMER_CLIENT.secret, CONSUMER_CLIENT.id) }), n8n.run);
		const total = 10;
		try {
			// One message every 2.5 s for 25 s: sessions end with their 8 s tokens, so the consumer must
			// log in again, with renewed tokens, about three times.
			for (let i = 0; i < total; i++) {
				await producer.send({ topic, messages: [{ value: JSON.stringify({ i }) }] });
				await new Promise((resolve) => setTimeout(resolve, 2_500));
			}
			await waitFor(`${total} messages committed over OAUTHBEARER`, async () => (await committedOffsets(admin, group, topic)).get(0) === BigInt(total), 30_000);
			const values = n8n.executions.flatMap((e) => e.items.map((item) => item.json.i));
			assert.deepEqual([...new Set(values)].sort((a, b) => Number(a) - Number(b)), Array.from({ length: total }, (_, i) => i));
			const renewed = consumerTokens();
			assert.ok(renewed >= 3, `tokens fetched while consuming: ${renewed} (each lives ${TOKEN_SECONDS} s)`);
		} finally {
			await consumer.close();
			await producer.disconnect();
			await admin.disconnect();
		}
	});
});
