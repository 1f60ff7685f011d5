/**
 * A kafkajs client built from the Kafka credential. Guarantees: TLS and SASL (plain, scram-sha-256,
 * scram-sha-512) exactly as the credential says, every Kafka compression (gzip, snappy, lz4, zstd)
 * decoded, kafkajs' own log lines routed to our logger (never to stdout), and errors explained in
 * words a workflow author can act on, with no password in them.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { Kafka, logLevel, type ISocketFactory, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';

import { hideAbortedTransactionsAsKafkaDoes } from './aborted-transactions';
import { registerCompressionCodecs } from './compression';
import { keepCoordinatorLookupFailures } from './coordinator-lookup';
import { checkKafkajsBatchCrcs } from './corrupt-batch-watch';
import { saslIdentity, type KafkaConnection } from './connection';
import { createOAuthBearerProvider } from './oauth-bearer';
import { watchKafkajsOutOfRange } from './offset-reset-watch';
import { decodeKafkajsRecordsWithNumbers } from './record-decoder';
import { watchKafkajsUnknownTopics } from './unknown-topic-watch';
import { stopRunnersStartedAfterClose } from './stop-after-close';
import { fixKafkajsIdleTimers } from './request-queue-fix';

/** The logger every src/kafka module talks to; n8n's logger fits it, so does console. */
export interface SinkerLogger {
	debug(message: string, meta?: object): void;
	info(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
	error(message: string, meta?: object): void;
}

export const silentLogger: SinkerLogger = {
	debug: () => {},
	info: () => {},
	warn: () => {},
	error: () => {},
};

export interface KafkaClientOptions {
	logger?: SinkerLogger;
	/** kafkajs logs below this level are dropped before they reach the logger. */
	libraryLogLevel?: logLevel;
	connectionTimeoutMs?: number;
	requestTimeoutMs?: number;
	/** kafkajs' client-level retries (connecting, logging in); its default is 5, about 11 s of back-off. */
	retries?: number;
}

/** kafkajs' configuration for a connection; exported so tests can check TLS / SASL mapping. */
export function toKafkaConfig(connection: KafkaConnection, options: KafkaClientOptions = {}): KafkaConfig {
	const logger = options.logger ?? silentLogger;
	const config: KafkaConfig = {
		clientId: connection.clientId,
		brokers: connection.brokers,
		connectionTimeout: options.connectionTimeoutMs ?? 10_000,
		requestTimeout: options.requestTimeoutMs ?? 30_000,
		...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
		logLevel: options.libraryLogLevel ?? logLevel.WARN,
		logCreator: () => (entry: LogEntry) => routeLibraryLog(logger, entry),
	};
	if (connection.tls) {
		config.ssl = {
			rejectUnauthorized: connection.tls.rejectUnauthorized,
			...(connection.tls.ca ? { ca: [connection.tls.ca] } : {}),
			...(connection.tls.cert ? { cert: connection.tls.cert } : {}),
			...(connection.tls.key ? { key: connection.tls.key } : {}),
		};
	}
	const sasl = connection.sasl;
	if (sasl?.mechanism === 'oauthbearer') {
		config.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: createOAuthBearerProvider(sasl.token, sasl.extensions) };
		// A broker that ends sessions with their token (connections.max.reauth.ms, as MSK IAM does) meets
		// kafkajs 2.2.4's in-place re-authentication, which starts a second SASL handshake on a connection
		// while another request re-authenticates it: Kafka answers ILLEGAL_SASL_STATE and the consumer
		// crashes. Never re-authenticating in place lets the broker close the expired connection on its next
		// request instead, and kafkajs reconnects and logs in anew with a current token (tested on a broker
		// with 15 s sessions: test/integration/kafka-oauthbearer.test.ts).
		config.reauthenticationThreshold = -Number.MAX_SAFE_INTEGER;
	} else if (sasl) {
		// kafkajs types SASLOptions as a union keyed by mechanism; all three share username/password.
		config.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
	}
	return config;
}

export function createKafka(connection: KafkaConnection, options: KafkaClientOptions = {}): Kafka {
	// Each record's offset and timestamp read without BigInts: first, before anything loads kafkajs'
	// record batch decoder (the CRC check below loads every Fetch decoder), which reads it once.
	decodeKafkajsRecordsWithNumbers();
	fixKafkajsIdleTimers();
	// Aborted transactions' records hidden as Kafka's own consumer hides them (kafkajs 2.2.4 hands some out).
	hideAbortedTransactionsAsKafkaDoes();
	// Record batches CRC-checked as Java's consumer does (kafkajs checks none): a corrupt one is held, not delivered.
	checkKafkajsBatchCrcs();
	// kafkajs keeps its codecs in one module-wide table: registering once serves every client.
	registerCompressionCodecs();
	// The offset kafkajs fetched from before its reset after OffsetOutOfRange, so deleted messages are reported lost.
	watchKafkajsOutOfRange();
	// A fetch that met a deleted topic is told at once (the consumer would crash over it only ~10 s later).
	watchKafkajsUnknownTopics();
	// A coordinator lookup that met a broker going down restarts the consumer instead of stopping it for good.
	keepCoordinatorLookupFailures();
	// A restart kafkajs began before the consumer closed leaves the group instead of holding partitions for good.
	stopRunnersStartedAfterClose();
	// Its sockets are tracked: one kafkajs reopened outside its broker pool is ended with the consumer (endLeftoverSockets).
	const sockets = new Set<Socket>();
	const kafka = new Kafka({ ...toKafkaConfig(connection, options), socketFactory: trackingSocketFactory(sockets) });
	openSockets.set(kafka, sockets);
	return kafka;
}

/** kafkajs' own socket factory (node_modules/kafkajs/src/network/socketFactory.js: net or tls, keep-alive). */
const kafkajsSocketFactory = createRequire(__filename)('kafkajs/src/network/socketFactory.js') as () => ISocketFactory;

/** The sockets of each client made by createKafka that are not closed yet. */
const openSockets = new WeakMap<Kafka, Set<Socket>>();

/** The socket sets of clients whose leftovers were ended (their consumer or admin closed). */
const closedClients = new WeakSet<Set<Socket>>();

function trackingSocketFactory(sockets: Set<Socket>): ISocketFactory {
	const connect = kafkajsSocketFactory();
	return (args) => {
		const socket = connect(args);
		// A request kafkajs still retries after its client closed (a deleted topic's commit, retried for
		// seconds) reconnects: ended at once, or it held the process for the broker's 10-minute idle timeout
		// (a fresh-clone run waited ~10 minutes on the deleted-topic test file after its tests ended).
		if (closedClients.has(sockets)) {
			socket.end();
			return socket;
		}
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
		return socket;
	};
}

/**
 * Ends the sockets of `kafka` (made by createKafka) that kafkajs never ended, once its consumer and
 * admin are disconnected; returns how many. kafkajs 2.2.4 can own a connection its disconnect does not
 * reach: when a broker ends a session (an OAUTHBEARER token's end, connections.max.reauth.ms), the fetch
 * that met the close makes the consumer group drop that Broker from the pool (consumer/consumerGroup.js
 * recoverFromFetch → cluster/brokerPool.js removeBroker, which neither disconnects it nor tells the
 * group), while the group keeps it as its coordinator: the next heartbeat reconnects it
 * (network/connectionPool.js getConnection), and cluster.disconnect() only ends the pool's current
 * brokers. That socket stayed open after close until the broker's idle timeout (10 minutes), holding
 * the process: a deactivated or restarted trigger kept it, a reactivated one added another.
 * Sockets kafkajs ended are left to finish their close.
 */
export function endLeftoverSockets(kafka: Kafka): number {
	let ended = 0;
	const sockets = openSockets.get(kafka);
	if (sockets) closedClients.add(sockets);
	for (const socket of sockets ?? []) {
		if (socket.writableEnded) continue;
		// Ended as kafkajs' own disconnect ends it, not destroyed: the broker's answering close reaches
		// kafkajs' Connection, which stops its request-timeout interval (a destroyed socket sends it no
		// event, and that interval would then hold the process for good).
		socket.end();
		ended++;
	}
	return ended;
}

function routeLibraryLog(logger: SinkerLogger, entry: LogEntry): void {
	// kafkajs puts the message inside `log`; the rest (broker, groupId, stack) is useful context.
	const { message, ...meta } = entry.log;
	const line = `kafkajs ${entry.namespace}: ${message}`;
	if (entry.level === logLevel.ERROR) logger.error(line, meta);
	else if (entry.level === logLevel.WARN) logger.warn(line, meta);
	else if (entry.level === logLevel.INFO) logger.info(line, meta);
	else logger.debug(line, meta);
}

/**
 * Rewrites a kafkajs failure into a message that names the likely cause. kafkajs' own texts
 * ("Connection error: connect ECONNREFUSED", "SASL PLAIN authentication failed") are kept as the
 * cause; the credential's password is never part of either.
 */
export function explainKafkaError(error: unknown, connection: Pick<KafkaConnection, 'brokers' | 'sasl' | 'tls'>): Error {
	const cause = error instanceof Error ? error : new Error(String(error));
	const text = `${cause.name} ${cause.message}`;
	const brokers = connection.brokers.join(', ');
	let message: string;
	if (/^Kafka OAUTHBEARER: /.test(cause.message)) {
		// Already says which token endpoint or token failed (oauth-bearer.ts).
		message = cause.message;
	} else if (connection.sasl?.mechanism === 'oauthbearer' && /No brokers in the broker pool|SASL state|Connection closed/i.test(text)) {
		// kafkajs takes the broker's OAUTHBEARER error challenge (RFC 7628 §3.2.2) for success, so a refused
		// token surfaces only later, as a connection the broker will not serve.
		message = `Kafka did not accept the OAUTHBEARER login (${saslIdentity(connection.sasl)}) at ${brokers}: check that the token is valid for this cluster (issuer, audience, expiry, scope) and the SASL extensions (${cause.message})`;
	} else if (/SASL|Authentication|authenticat/i.test(text)) {
		const check = connection.sasl?.mechanism === 'oauthbearer' ? 'the token endpoint, client and SASL extensions' : 'the username, password and SASL mechanism';
		message = `Kafka refused the login for ${saslIdentity(connection.sasl)} at ${brokers}: check ${check}`;
	} else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|Connection timeout|Connection error|KafkaJSConnectionError/i.test(text)) {
		message = `Cannot reach the Kafka brokers ${brokers}: ${cause.message}`;
	} else if (/certificate|self[- ]signed|SSL|TLS|EPROTO/i.test(text)) {
		message = `TLS handshake with Kafka brokers ${brokers} failed: ${cause.message}`;
	} else if (/does not host this topic-partition|UNKNOWN_TOPIC/i.test(text)) {
		message = `Kafka topic not found at ${brokers}: ${cause.message}`;
	} else if (/GROUP_AUTHORIZATION|Group authorization/i.test(text)) {
		message = `Kafka denied the consumer group: ${cause.message}`;
	} else if (/TOPIC_AUTHORIZATION|Topic authorization/i.test(text)) {
		message = `Kafka denied access to the topic: ${cause.message}`;
	} else {
		message = `Kafka error: ${cause.message}`;
	}
	const explained = new Error(message, { cause });
	explained.name = 'KafkaSinkerError';
	return explained;
}
