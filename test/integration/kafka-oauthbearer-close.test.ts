// A closed OAUTHBEARER consumer leaves no connection open, also after the broker ended its sessions. On
// the shared broker's OAUTH listener (scripts/kafka.sh: unsigned JWTs, sessions end with their token,
// 15 s at most), tokens from a local endpoint live 8 s: over 25 s the broker ends the consumer's
// sessions about three times. kafkajs 2.2.4 then drops the group coordinator's Broker from its pool
// while the consumer group keeps heartbeating through it, which reopens a connection no disconnect
// reaches: it stayed open after close until the broker's idle timeout (10 minutes), holding the
// process (a deactivated or restarted trigger in n8n). See createKafka in src/kafka/client.ts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, before, it } from 'node:test';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { waitFor } from '../support/wait-for';
import { committedOffsets, createTopicsReady, FakeN8n, testKafka, testOptions, uniqueName } from './kafka-sinker-helpers';

const OAUTH_PORT = Number(process.env.KAFKA_OAUTH_PORT?.trim() || 9096);
const TOKEN_SECONDS = 8;

// Every socket opened to the OAUTH listener, wherever in kafkajs it was opened: kafkajs' socket factory
// calls net.connect when it connects, so wrapping it here sees them all (only the consumer uses that port).
const oauthSockets: Socket[] = [];
const netConnect = net.connect;
before(() => {
	// net.connect's overloads cannot be spelled as one signature: the wrapper passes its arguments through untouched.
	net.connect = function (this: unknown, ...args: Parameters<typeof net.connect>) {
		const socket = (netConnect as (...a: Parameters<typeof net.connect>) => Socket).apply(this, args);
		const options: unknown = args[0];
		if (typeof options === 'object' && options !== null && 'port' in options && Number(options.port) === OAUTH_PORT) oauthSockets.push(socket);
		return socket;
	} as typeof net.connect;
});

let tokenServer: Server;
let tokenUrl: string;
let tokensIssued = 0;

function unsignedJwt(sub: string, lifetimeSeconds: number): string {
	const now = Math.floor(Date.now() / 1000);
	const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${part({ alg: 'none' })}.${part({ sub, iat: now, exp: now + lifetimeSeconds })}.`;
}

before(async () => {
	tokenServer = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			tokensIssued++;
			res.writeHead(200, { 'content-type': 'application/json' }).end(
				JSON.stringify({ access_token: unsignedJwt('sinker', TOKEN_SECONDS), token_type: 'bearer', expires_in: TOKEN_SECONDS }),
			);
		});
	});
	await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
	tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
});

after(() => {
	net.connect = netConnect;
	tokenServer?.close();
});

const describeSocket = (socket: Socket) => `${socket.localPort ?? '?'}->${socket.remotePort ?? OAUTH_PORT} (${socket.writableEnded ? 'ended by kafkajs' : 'never ended'})`;

it('a consumer closed after the broker ended its OAUTHBEARER sessions leaves none of its connections open', { timeout: 120_000 }, async () => {
	const kafka = testKafka();
	const admin = kafka.admin();
	await admin.connect();
	const producer = kafka.producer();
	await producer.connect();
	const topic = uniqueName('oauth-close');
	const group = uniqueName('oauth-close-group');
	await createTopicsReady(admin, [{ topic, numPartitions: 1 }]);
	try {
		const n8n = new FakeN8n();
		const consumer = await SinkerConsumer.start(
			testOptions(topic, group, {
				connection: {
					brokers: [`127.0.0.1:${OAUTH_PORT}`],
					clientId: 'sinker-oauth-close',
					sasl: { mechanism: 'oauthbearer', token: { kind: 'clientCredentials', tokenUrl, clientId: 'n8n-sinker', clientSecret: 'secret' } },
				},
			}),
			n8n.run,
		);
		const total = 10;
		try {
			// One message every 2.5 s for 25 s: fetches and heartbeats meet each session's end.
			for (let i = 0; i < total; i++) {
				await producer.send({ topic, messages: [{ value: JSON.stringify({ i }) }] });
				await new Promise((resolve) => setTimeout(resolve, 2_500));
			}
			await waitFor(`${total} messages committed over OAUTHBEARER`, async () => (await committedOffsets(admin, group, topic)).get(0) === BigInt(total), 30_000);
			assert.ok(tokensIssued >= 3, `tokens fetched while consuming: ${tokensIssued} (each lives ${TOKEN_SECONDS} s): the broker ended too few sessions`);
		} finally {
			await consumer.close();
		}
		// Closed sockets close at once; a leaked one would wait for the broker's idle timeout (10 minutes).
		const open = () => oauthSockets.filter((socket) => !socket.closed);
		await waitFor('every connection of the closed consumer closed', () => open().length === 0, {
			timeoutMs: 5_000,
			progress: () => `${open().length} of ${oauthSockets.length} still open: ${open().map(describeSocket).join(', ')}`,
		});
		// Nothing about commits changed: close committed every message.
		assert.equal((await committedOffsets(admin, group, topic)).get(0), BigInt(total));
	} finally {
		await producer.disconnect();
		await admin.disconnect();
		// Whatever a failure left open must not hold the test process for 10 minutes. Ended, not destroyed:
		// the broker's answering close tells kafkajs, which then stops the connection's request timer.
		for (const socket of oauthSockets) socket.end();
	}
});
