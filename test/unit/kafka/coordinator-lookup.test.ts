// kafkajs' group coordinator lookup with the failure kept (src/kafka/coordinator-lookup.ts), driven
// through kafkajs' own Cluster, BrokerPool and retrier with brokers that answer what a broker going
// down answers: whether kafkajs would then restart the consumer, and what the lookup reports.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';

import { coordinatorNotFound, kafkajsWouldRestart, keepCoordinatorLookupFailures, lookupFailure, originalCause } from '../../../src/kafka/coordinator-lookup';

const load = createRequire(__filename);
type ErrorClass = new (message: string, options?: object) => Error;
const errors = load('kafkajs/src/errors.js') as Record<string, ErrorClass>;
const { createErrorFromCode } = load('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error };
const createRetry = load('kafkajs/src/retry/index.js') as (options: object) => unknown;
const Cluster = load('kafkajs/src/cluster/index.js') as { prototype: object };
const BrokerPool = load('kafkajs/src/cluster/brokerPool.js') as { prototype: object };

const GROUP_COORDINATOR_NOT_AVAILABLE = 15;
const GROUP_AUTHORIZATION_FAILED = 30;
const FOUND = { host: '127.0.0.1', coordinator: { nodeId: 1, host: '127.0.0.1', port: 9092 } };

const refused = () => new errors.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { code: 'ECONNREFUSED' });
const notAvailable = () => createErrorFromCode(GROUP_COORDINATOR_NOT_AVAILABLE);
const notAuthorised = () => createErrorFromCode(GROUP_AUTHORIZATION_FAILED);

/** A broker whose FindCoordinator answers come from `answers` in turn (an Error is thrown); the last repeats. */
function broker(...answers: Array<Error | typeof FOUND>) {
	let asked = 0;
	return {
		get asked() {
			return asked;
		},
		async findGroupCoordinator() {
			const answer = answers[Math.min(asked++, answers.length - 1)];
			if (answer instanceof Error) throw answer;
			return answer;
		},
	};
}

interface Lookup {
	findGroupCoordinator(request: { groupId: string }): Promise<unknown>;
	findGroupCoordinatorMetadata(request: { groupId: string }): Promise<unknown>;
}

/**
 * kafkajs' Cluster over these brokers (node id → broker) with kafkajs' BrokerPool and retrier (3 quick
 * retries). `connect` plays the broker pool's connection (a SASL failure is thrown there, not by a request).
 */
function cluster(brokers: Record<string, ReturnType<typeof broker>>, connect: () => Promise<void> = async () => {}): Lookup {
	const brokerPool = Object.assign(Object.create(BrokerPool.prototype) as object, { brokers, connectBroker: connect });
	const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
	const retrier = createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 });
	return Object.assign(Object.create(Cluster.prototype) as Lookup, { brokerPool, retrier, logger: quiet, refreshMetadata: async () => {} });
}

/** The lookup as the consumer's join makes it; the error it rejects with. */
async function lookupError(lookup: Lookup): Promise<Error> {
	return lookup.findGroupCoordinator({ groupId: 'g' }).then(
		() => assert.fail('the lookup found a coordinator'),
		(error: unknown) => error as Error,
	);
}

/** What reaches kafkajs' onCrash from a failed join: the runner's retrier wraps a non-retriable error (retry/index.js). */
function asCrash(error: Error): Error {
	return (error as { retriable?: boolean }).retriable === false ? new errors.KafkaJSNonRetriableError(error as unknown as string, { cause: error.cause ?? error }) : error;
}

describe('group coordinator lookup that keeps why it failed', () => {
	before(() => {
		assert.equal(keepCoordinatorLookupFailures(), true, 'kafkajs is the version the replacement was written for');
	});

	it('a broker shutting down (coordinator not available, then the connection refused): kafkajs restarts the consumer', async () => {
		const shuttingDown = broker(notAvailable(), refused());
		const error = await lookupError(cluster({ 1: shuttingDown }));
		assert.equal(error.name, 'KafkaJSGroupCoordinatorNotFound');
		assert.equal(error.message, 'Failed to find group coordinator: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
		assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
		assert.equal(shuttingDown.asked, 2, 'the lookup itself is kafkajs\': retried on "not available", not on the refused connection');
		assert.equal(kafkajsWouldRestart(asCrash(error)), true);
	});

	it('a coordinator still unavailable after kafkajs\' retries: restarted too', async () => {
		const error = await lookupError(cluster({ 1: broker(notAvailable()) }));
		assert.match(error.message, /^Failed to find group coordinator: The group coordinator is not available/);
		assert.equal((error.cause as Error).name, 'KafkaJSNumberOfRetriesExceeded');
		assert.equal(kafkajsWouldRestart(asCrash(error)), true);
	});

	it('a group authorisation refusal still stops the consumer, and the error says why', async () => {
		const error = await lookupError(cluster({ 1: broker(notAuthorised()) }));
		assert.equal(error.name, 'KafkaJSGroupCoordinatorNotFound');
		assert.match(error.message, /Not authorized to access group/);
		assert.equal(kafkajsWouldRestart(asCrash(error)), false);
	});

	it('a refusal from one broker is not hidden by another broker being down, in either order', async () => {
		// kafkajs' BrokerPool tries the brokers in a random order.
		for (let round = 0; round < 10; round++) {
			const error = await lookupError(cluster({ 1: broker(refused()), 2: broker(notAuthorised()) }));
			assert.match(error.message, /Not authorized to access group/);
			assert.equal(kafkajsWouldRestart(asCrash(error)), false);
		}
	});

	it('a login refused while connecting is thrown as kafkajs throws it (not a lookup failure), and stops the consumer', async () => {
		const sasl = new errors.KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed: Authentication failed');
		const error = await lookupError(
			cluster({ 1: broker(FOUND) }, async () => {
				throw sasl;
			}),
		);
		assert.equal(error, sasl);
		assert.equal(kafkajsWouldRestart(asCrash(error)), false);
	});

	it('finds the coordinator as before, also after "not available"', async () => {
		const recovering = broker(notAvailable(), FOUND);
		assert.deepEqual(await cluster({ 1: recovering }).findGroupCoordinatorMetadata({ groupId: 'g' }), FOUND);
		assert.equal(recovering.asked, 2);
	});
});

describe('lookup failure helpers', () => {
	it('originalCause follows the cause chain to its end (kafkajs onCrash getOriginalCause)', () => {
		const root = refused();
		const wrapped = new errors.KafkaJSNonRetriableError('outer' as unknown as string, { cause: new Error('middle', { cause: root }) });
		assert.equal(originalCause(wrapped), root);
		assert.equal(originalCause(root), root);
		assert.equal(originalCause('text'), 'text');
		const noCause = new errors.KafkaJSConnectionError('closed');
		assert.equal(noCause.cause, undefined, 'kafkajs sets cause even when there is none');
		assert.equal(originalCause(noCause), noCause);
	});

	it('kafkajsWouldRestart: a retriable original cause, or retries exhausted', () => {
		assert.equal(kafkajsWouldRestart(refused()), true);
		assert.equal(kafkajsWouldRestart(notAuthorised()), false);
		assert.equal(kafkajsWouldRestart(new errors.KafkaJSNumberOfRetriesExceeded(notAuthorised() as unknown as string, { cause: notAuthorised() })), true);
		assert.equal(kafkajsWouldRestart(new Error('not from kafkajs')), false);
		assert.equal(kafkajsWouldRestart(undefined), false);
	});

	it('lookupFailure prefers a failure kafkajs would not retry, else the last', () => {
		const [first, last, fatal] = [refused(), notAvailable(), notAuthorised()];
		assert.equal(lookupFailure([first, last]), last);
		assert.equal(lookupFailure([first, fatal, last]), fatal);
		assert.equal(lookupFailure([]), undefined);
	});

	it('coordinatorNotFound without a broker failure keeps kafkajs\' own message', () => {
		const error = coordinatorNotFound([]);
		assert.equal(error.name, 'KafkaJSGroupCoordinatorNotFound');
		assert.equal(error.message, 'Failed to find group coordinator');
		assert.equal(kafkajsWouldRestart(asCrash(error)), false);
	});
});
