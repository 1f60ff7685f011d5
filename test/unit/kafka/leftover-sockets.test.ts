/**
 * endLeftoverSockets (client.ts) also ends a connection kafkajs opens after it ran: a request kafkajs
 * still retries once its client closed (a deleted topic's commit) reconnected, and that socket held the
 * process for the broker's 10-minute idle timeout.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';

import { createKafka, endLeftoverSockets } from '../../../src/kafka/client';

test('a connection a closed client opens is ended at once, not left to the broker', { timeout: 10_000 }, async () => {
	const accepted: Socket[] = [];
	const server = createServer((socket) => accepted.push(socket));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	const kafka = createKafka({ brokers: [`127.0.0.1:${port}`], clientId: 'leftover-test' }, { connectionTimeoutMs: 500, retries: 0 });
	endLeftoverSockets(kafka);
	const admin = kafka.admin({ retry: { retries: 0 } });
	await admin.connect().catch(() => undefined);
	await new Promise((resolve) => setTimeout(resolve, 300));
	try {
		assert.ok(accepted.length >= 1, 'kafkajs connected');
		// The client's end reaches the server as end-of-stream: its side of the socket is no longer readable.
		await Promise.all(accepted.map((socket) => (socket.readableEnded ? Promise.resolve() : new Promise((resolve) => socket.once('end', resolve)))));
	} finally {
		for (const socket of accepted) socket.destroy();
		server.close();
		await admin.disconnect().catch(() => undefined);
	}
});
