/**
 * The Kafka credential test: connect with an admin client, ask for the cluster description, and
 * disconnect; the answer names the brokers reached or explains the failure (no password in it).
 */
import { createKafka, explainKafkaError } from './client';
import type { KafkaConnection } from './connection';

export async function checkKafkaConnection(connection: KafkaConnection, timeoutMs = 15_000): Promise<{ ok: boolean; message: string }> {
	// One retry at the client's level too, not kafkajs' five: a login the broker accepts and then ends at
	// once (an expired OAUTHBEARER token) was tried six times over ~11 s, and under load the check ran
	// out of its budget and answered "Connection timeout" instead of naming the refused login.
	const admin = createKafka(connection, { connectionTimeoutMs: Math.min(timeoutMs, 10_000), retries: 1 }).admin({ retry: { retries: 1 } });
	let timer: NodeJS.Timeout | undefined;
	try {
		const cluster = await Promise.race([
			admin.connect().then(() => admin.describeCluster()),
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`Connection timeout after ${timeoutMs} ms`)), timeoutMs);
			}),
		]);
		return { ok: true, message: `Connected: ${cluster.brokers.length} broker(s), controller ${cluster.controller ?? 'unknown'}` };
	} catch (error) {
		return { ok: false, message: explainKafkaError(error, connection).message };
	} finally {
		clearTimeout(timer);
		await admin.disconnect().catch(() => {});
	}
}
