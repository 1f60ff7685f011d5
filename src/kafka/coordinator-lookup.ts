/**
 * kafkajs 2.2.4 stops a consumer for good when its group coordinator lookup meets a broker going down.
 * A clean broker shutdown first moves the group coordinator away (heartbeats are answered NOT_COORDINATOR,
 * so the consumer rejoins; the lookup is answered COORDINATOR_NOT_AVAILABLE, which kafkajs retries on
 * the same broker) and closes its listener tens of milliseconds later, so the retry's connection is
 * refused. The lookup (node_modules/kafkajs/src/cluster/index.js findGroupCoordinatorMetadata) gives up
 * on a broker at any error but COORDINATOR_NOT_AVAILABLE, and once every broker gave up it throws
 * KafkaJSGroupCoordinatorNotFound, a non-retriable error that drops what the brokers said. The consumer's
 * crash handler (consumer/index.js onCrash) restarts only after an error whose original cause (the end of
 * its `cause` chain) is retriable, so it never asked restartOnFailure: the trigger reported a crash it
 * would not restart from and consumption stopped until the workflow was activated again
 * (test/reliability/broker-restart.test.ts; tulios/kafkajs#1445 and #1630 report the same crash).
 *
 * This replaces findGroupCoordinatorMetadata with the same lookup whose KafkaJSGroupCoordinatorNotFound
 * carries the brokers' answer as its cause and in its message. kafkajs' own rule then decides: a refused
 * or closed connection, a request timeout or a coordinator still unavailable after kafkajs' retries is
 * retriable, so kafkajs asks restartOnFailure and restarts the consumer after its retry delay (each
 * restart logged by the trigger); a refusal it must not retry (group authorisation) still stops the
 * consumer and is reported. Nothing else changes: the lookup, its retries and its log lines are the
 * original's. Applied by kafkajsPatch (kafkajs-patch.ts): once, to the kafkajs copy this package loads,
 * and only to 2.2.4, the version whose lookup this repeats.
 */
import { KafkaJSGroupCoordinatorNotFound } from 'kafkajs';

import { kafkajsPatch } from './kafkajs-patch';

/** What kafkajs' FindCoordinator answer holds (broker/index.js findGroupCoordinator). */
interface CoordinatorMetadata {
	host?: string;
	coordinator: { nodeId: number; host: string; port: number };
}

interface CoordinatorRequest {
	groupId: string;
	coordinatorType?: number;
}

/** kafkajs' retrier (retry/index.js): `bail` rejects with the error as it is, without retrying. */
type Retrier = <T>(attempt: (bail: (error: unknown) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;

/** The fields of a kafkajs 2.2.4 Cluster the replacement reads. */
interface ClusterState {
	brokerPool: {
		/** Tries `callback` on each known broker in turn; null when it failed on every one (its errors are dropped). */
		withBroker<T>(callback: (target: { nodeId: string; broker: { findGroupCoordinator(request: CoordinatorRequest): Promise<CoordinatorMetadata> } }) => Promise<T>): Promise<T | null>;
	};
	retrier: Retrier;
	logger: { debug(message: string, extra?: object): void };
	findGroupCoordinatorMetadata(request: CoordinatorRequest): Promise<CoordinatorMetadata>;
}

/** kafkajs' errors.js constructors take (message, { cause }); its typings declare the class without arguments. */
const CoordinatorNotFound = KafkaJSGroupCoordinatorNotFound as unknown as new (message: string, options: { cause?: unknown }) => Error;

/** The end of an error's `cause` chain: what kafkajs' onCrash reads `retriable` from (getOriginalCause). */
export function originalCause(error: unknown): unknown {
	let current = error;
	const seen = new Set<unknown>();
	for (let cause = causeOf(current); cause && !seen.has(current); cause = causeOf(current)) {
		seen.add(current);
		current = cause;
	}
	return current;
}

function causeOf(error: unknown): unknown {
	return typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
}

/** Whether kafkajs restarts a consumer that crashed on `error` (consumer/index.js onCrash, before asking restartOnFailure). */
export function kafkajsWouldRestart(error: unknown): boolean {
	const named = error as { name?: unknown } | null | undefined;
	return named?.name === 'KafkaJSNumberOfRetriesExceeded' || (originalCause(error) as { retriable?: unknown } | null | undefined)?.retriable === true;
}

/**
 * Which broker's failure the lookup reports when every broker failed: one kafkajs must not retry
 * (an authorisation refusal) wins, so no broker that was merely down hides it; else the last.
 */
export function lookupFailure(failures: readonly unknown[]): unknown {
	return failures.find((failure) => !kafkajsWouldRestart(failure)) ?? failures.at(-1);
}

/** The error the lookup throws when no broker named the coordinator: kafkajs' own, with the reason kept. */
export function coordinatorNotFound(failures: readonly unknown[]): Error {
	const reason = lookupFailure(failures);
	const message = reason instanceof Error ? `Failed to find group coordinator: ${reason.message}` : 'Failed to find group coordinator';
	return new CoordinatorNotFound(message, { cause: reason });
}

/** Cluster.findGroupCoordinatorMetadata of kafkajs 2.2.4, except for the error thrown when every broker failed. */
async function findGroupCoordinatorMetadata(this: ClusterState, { groupId, coordinatorType }: CoordinatorRequest): Promise<CoordinatorMetadata> {
	const failures: unknown[] = [];
	const found = await this.brokerPool.withBroker<CoordinatorMetadata | undefined>(async ({ nodeId, broker }) => {
		try {
			return await this.retrier(async (bail, retryCount, retryTime) => {
				try {
					const metadata = await broker.findGroupCoordinator({ groupId, coordinatorType });
					this.logger.debug('Found group coordinator', { broker: metadata.host, nodeId: metadata.coordinator.nodeId });
					return metadata;
				} catch (error) {
					this.logger.debug('Tried to find group coordinator', { nodeId, groupId, error });
					if ((error as { type?: unknown }).type === 'GROUP_COORDINATOR_NOT_AVAILABLE') {
						this.logger.debug('Group coordinator not available, retrying...', { nodeId, retryCount, retryTime });
						throw error;
					}
					bail(error);
					return undefined; // bail has rejected the retrier's promise: this result is never read
				}
			});
		} catch (error) {
			failures.push(error);
			throw error;
		}
	});
	if (found) return found;
	throw coordinatorNotFound(failures);
}

/** Installs the replacement (idempotent); false when the kafkajs found is not the version it was written for. */
export const keepCoordinatorLookupFailures = kafkajsPatch<ClusterState, 'findGroupCoordinatorMetadata'>(
	'kafkajs/src/cluster/index.js',
	'findGroupCoordinatorMetadata',
	() => findGroupCoordinatorMetadata,
);
