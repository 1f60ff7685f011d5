// The workflow deactivated and reactivated in a running n8n while orders are loading (a host
// fault): deactivation closes the trigger, which loads what is buffered and commits exactly what is
// loaded, within its close timeout; while deactivated nothing loads and nothing is committed; after
// reactivation the consumer resumes from the committed offsets and the UNIQUE KEY table ends up holding
// exactly the produced orders, no label loaded twice. Needs `npm run build` and the broker.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { assertTableEquals, loadedRows, successfulLabels } from './support/doris';
import { orderEvents, type TestEvent } from './support/events';
import { prepareScenario, startWorld, type E2eWorld, type Scenario } from './support/fixture';
import { uncommitted, type Produced } from './support/kafka';
import { waitForCommitted } from './support/progress';
import { waitFor } from '../support/wait-for';

const ORDER_COLUMNS = ['order_id', 'customer_id', 'status', 'amount', 'currency', 'created_at', 'items', 'shipping_address', 'note'] as const;
const ORDERS = 6000;
const PARTITIONS = 4;
/** The trigger's default close timeout (SINKER_DEFAULTS.closeTimeoutMs): deactivation must fit in it. */
const CLOSE_TIMEOUT_MS = 30_000;
/** How long the workflow stays deactivated while the producer goes on. */
const DEACTIVATED_MS = 6000;

type Offsets = Map<number, { committed: number; end: number }>;

/** What the group had committed, then (read after it) which order ids the table held. */
interface Sample {
	at: number;
	offsets: Offsets;
	ids: Set<string>;
}

function validRows(events: TestEvent[], keep: (event: TestEvent) => boolean = () => true): Record<string, unknown>[] {
	return events.filter((e) => e.row && keep(e)).map((e) => e.row as Record<string, unknown>);
}

function committedSum(offsets: Offsets): number {
	return [...offsets.values()].reduce((sum, o) => sum + Math.max(o.committed, 0), 0);
}

function committedList(offsets: Offsets): string {
	return [...offsets].map(([p, o]) => `${p}:${o.committed}`).join(' ');
}

/**
 * Samples committed offsets and table contents until stopped. Offsets are read first: rows only get
 * added, so a row missing from the later table read was missing when the offset was read too.
 */
function startSampler(world: E2eWorld, scenario: Scenario, intervalMs: number): { stop(): Promise<Sample[]> } {
	const samples: Sample[] = [];
	let running = true;
	const loop = (async () => {
		while (running) {
			const offsets = await world.kafka.offsets(scenario.groupId, scenario.topic);
			const ids = new Set(world.doris.tableRows('demo', scenario.table).map((r) => String(r.order_id)));
			samples.push({ at: Date.now(), offsets, ids });
			await sleep(intervalMs);
		}
	})();
	return {
		async stop() {
			running = false;
			await loop;
			return samples;
		},
	};
}

/** Valid orders below a sampled committed offset that the table did not hold at that sample. */
function committedButMissing(sample: Sample, events: TestEvent[], position: Map<string, Produced>): string[] {
	return events
		.filter((e) => {
			if (!e.row) return false;
			const at = position.get(e.id);
			return at !== undefined && at.offset < (sample.offsets.get(at.partition)?.committed ?? -1) && !sample.ids.has(e.id);
		})
		.map((e) => e.id);
}

describe('workflow deactivated and reactivated while loading', { timeout: 300_000 }, () => {
	let world: E2eWorld;

	before(async () => {
		world = await startWorld('reactivate');
	});

	after(async () => {
		await world?.close();
	});

	it('deactivation loads and commits what is in flight within the close timeout; nothing moves while off; reactivation finishes the set', async (t) => {
		const scenario = await prepareScenario(world, 'orders-low-frequency', {
			partitions: PARTITIONS,
			tableFrom: 'orders',
			ddl: 'orders',
			// Batches that wait on their interval: at deactivation some executions wait for a batch to fill.
			overrides: { streamLoad: { batchIntervalSeconds: 3 } },
		});
		const workflowId = await scenario.deploy();
		const events = orderEvents(ORDERS, PARTITIONS);
		const started = Date.now();
		// About 20 s of stream: it goes on through the deactivated period.
		const producing = world.kafka.produceStream(scenario.topic, events, 150, 400);
		const sampler = startSampler(world, scenario, 400);
		try {
			await waitFor('1200 orders loaded before deactivation', () => loadedRows(world.doris, scenario.table) >= 1200, { timeoutMs: 60_000, intervalMs: 250 });
			const loadedBefore = loadedRows(world.doris, scenario.table);
			const logFrom = world.n8n.logOffset();

			const deactivating = Date.now();
			await world.n8n.deactivate(workflowId);
			const deactivateMs = Date.now() - deactivating;
			assert.ok(deactivateMs < CLOSE_TIMEOUT_MS, `deactivation took ${deactivateMs} ms, more than the trigger's close timeout`);
			assert.doesNotMatch(world.n8n.logSince(logFrom), /closing with executions still in flight/, 'the trigger abandoned executions on deactivation');

			// Deactivated: no Stream Load request, no new row, no commit, while messages keep arriving.
			const loadsAtOff = world.doris.loads.filter((l) => l.table === scenario.table).length;
			const tableAtOff = world.doris.tableRows('demo', scenario.table);
			const rowsAtOff = tableAtOff.length;
			const offsetsAtOff = await world.kafka.offsets(scenario.groupId, scenario.topic);
			const holdUntil = Date.now() + DEACTIVATED_MS;
			while (Date.now() < holdUntil) {
				await sleep(500);
				assert.equal(world.doris.loads.filter((l) => l.table === scenario.table).length, loadsAtOff, 'a Stream Load ran while the workflow was deactivated');
				assert.equal(world.doris.tableRows('demo', scenario.table).length, rowsAtOff, 'rows arrived while the workflow was deactivated');
				const now = await world.kafka.offsets(scenario.groupId, scenario.topic);
				assert.equal(committedList(now), committedList(offsetsAtOff), 'offsets were committed while the workflow was deactivated');
			}
			const offsetsAtOn = await world.kafka.offsets(scenario.groupId, scenario.topic);
			const arrivedWhileOff = [...offsetsAtOn.values()].reduce((s, o) => s + o.end, 0) - [...offsetsAtOff.values()].reduce((s, o) => s + o.end, 0);
			const lagWhileOff = [...offsetsAtOn.values()].reduce((s, o) => s + o.end - Math.max(o.committed, 0), 0);
			assert.ok(lagWhileOff > 0, 'nothing was left to consume while deactivated: the case did not test anything');
			const invalidWhileOff = await world.n8n.rest.executions({ workflowId, status: ['error', 'crashed'], limit: 5 });
			assert.deepEqual(invalidWhileOff.map((e) => `${e.id} ${e.status}`), [], 'executions failed around the deactivation');

			const reactivating = Date.now();
			await world.n8n.activate(workflowId);
			const reactivateMs = Date.now() - reactivating;

			const produced = await producing;
			assert.equal(produced.length, ORDERS);
			const drainMs = await waitForCommitted(world, scenario, 120_000);
			const totalMs = Date.now() - started;
			const samples = await sampler.stop();

			// Loaded ⇔ committed at deactivation: the table held exactly the orders below the committed offsets.
			const position = new Map<string, Produced>(produced.map((p) => [p.id, p]));
			const committedBelow = (offsets: Offsets) => (event: TestEvent): boolean => {
				const at = position.get(event.id) as Produced;
				return at.offset < (offsets.get(at.partition)?.committed ?? -1);
			};
			assertTableEquals(tableAtOff, validRows(events, committedBelow(offsetsAtOff)), 'order_id', ORDER_COLUMNS);
			// Throughout: the committed offsets never passed an order that was not in Doris.
			for (const sample of samples) {
				const missing = committedButMissing(sample, events, position);
				assert.deepEqual(missing.slice(0, 10), [], `at +${sample.at - started} ms offsets ${committedList(sample.offsets)} were committed past orders not in Doris (${missing.length})`);
			}

			const valid = validRows(events);
			assertTableEquals(world.doris.tableRows('demo', scenario.table), valid, 'order_id', ORDER_COLUMNS);
			assert.deepEqual(uncommitted(await world.kafka.offsets(scenario.groupId, scenario.topic)), []);
			const labels = successfulLabels(world.doris, scenario.table);
			assert.equal(new Set(labels).size, labels.length, 'a Stream Load label was loaded twice');
			// A clean close commits everything it loaded, so nothing is redelivered and loaded again.
			const loaded = loadedRows(world.doris, scenario.table);
			assert.equal(loaded, valid.length, 'rows loaded over all Stream Loads ≠ valid orders: something was loaded twice');
			const letters = await world.kafka.readAll(scenario.deadLetterTopic);
			const deadIds = new Set(letters.map((l) => String((JSON.parse(l.value) as { order_id: number }).order_id)));
			assert.deepEqual([...deadIds].sort(), events.filter((e) => e.invalid).map((e) => e.id).sort(), 'dead-lettered orders ≠ invalid orders');

			t.diagnostic(
				`deactivated with ${loadedBefore} orders loaded → deactivation ${deactivateMs} ms; at deactivation ${rowsAtOff} rows, ${committedSum(offsetsAtOff)} committed; ` +
					`${arrivedWhileOff} messages arrived in ${DEACTIVATED_MS} ms off (lag ${lagWhileOff}); reactivation ${reactivateMs} ms; ` +
					`all committed ${drainMs} ms after producing ended; ${ORDERS} orders (${valid.length} rows, ${deadIds.size} dead letters, ${labels.length} Stream Loads) in ${totalMs} ms; ${samples.length} samples`,
			);
		} finally {
			// On a failure above: let the background work end before the world closes (its error is not the point).
			await sampler.stop().catch(() => undefined);
			await producing.catch(() => undefined);
		}
	});
});
