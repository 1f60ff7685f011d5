// Schema Registry faults under the core pipeline, on the real broker, the real registry (Apicurio,
// reached through a proxy this file can slow down or cut: the shared registry on 8081 is never
// touched) and the Doris test server. Invariant as everywhere (harness/world.ts assertInvariant).
// - A registry answer that arrives after an execution of the same partition failed and was
//   redelivered must not launch the chunk it decoded: that chunk was fetched before the rewind.
// - A registry that cannot be asked (refused, 503, 401, no answer) is not bad data: nothing goes to
//   the invalid output, nothing is committed past, and everything loads once it is back.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

import { createSchemaRegistryDecoder } from '../../src/kafka/schema-registry';
import { schemaRegistryUrl } from '../ground/kafka/env';
import { RegistryProxy } from '../ground/registry-proxy';
import { registerAvroRecord } from '../integration/kafka-sinker-helpers';
import { waitFor } from '../support/wait-for';
import { recordFigures } from './harness/figures';
import type { ToProduce } from './harness/ledger';
import { assertInvariant, useWorld, type Case } from './harness/world';

let reachable = false;
const proxies: RegistryProxy[] = [];
const registry = new SchemaRegistry({ host: schemaRegistryUrl });

const world = useWorld({}, { beforeClose: () => Promise.all(proxies.map((p) => p.close())) });
before(async () => {
	reachable = await fetch(`${schemaRegistryUrl}/subjects`).then((r) => r.ok, () => false);
});

async function proxy(): Promise<RegistryProxy> {
	const started = await RegistryProxy.start();
	proxies.push(started);
	return started;
}

const ROW = [
	{ name: 'id', type: 'long' },
	{ name: 'v', type: 'string' },
];
/** A second schema of the same rows, so its id is one the decoder has not fetched yet. */
const ROW_WITH_NOTE = [...ROW, { name: 'note', type: ['null', 'string'], default: null } as unknown as { name: string; type: string }];

async function encoded(schemaId: number, ids: number[], partitions: number): Promise<ToProduce[]> {
	return await Promise.all(ids.map(async (id) => ({ partition: id % partitions, id: String(id), value: await registry.encode(schemaId, { id, v: `row-${id}` }) })));
}

function registryParser(url: string, requestTimeoutMs?: number) {
	return { format: 'schemaRegistry' as const, includeMetadata: true, tombstones: 'emit' as const, schemaRegistry: createSchemaRegistryDecoder({ url, requestTimeoutMs }) };
}


/** Committed offsets, table rows and invalid items right now: what an outage must not move. */
async function snapshot(c: Case) {
	return { committed: Object.fromEntries(await c.pipeline.committed()), rows: c.pipeline.tableRowCount(), invalid: c.pipeline.invalid.size };
}

describe('Schema Registry faults: nothing lost, nothing committed early', { timeout: 180_000 }, () => {
	it('an execution fails and is redelivered while the next chunk waits for the registry: that chunk is not launched', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const first = await registerAvroRecord(registry, 'Row', 'rel.race', ROW, 'rel-race-a');
		const second = await registerAvroRecord(registry, 'Row', 'rel.race', ROW_WITH_NOTE, 'rel-race-b');
		const slow = await proxy();
		// Longer than the first redelivery backoff (200 ms): the redelivery seeks back while the parse waits.
		slow.delay(new RegExp(`/schemas/ids/${second}$`), 3000);
		let failedAt = 0;
		const c = await world.newCase({
			partitions: 1,
			noStart: true,
			consumer: { maxRecordsPerExecution: 10, redeliveryBackoff: { initialMs: 200, maxMs: 2000 }, parser: registryParser(slow.url) },
			failExecution: (e) => {
				if (e.firstOffset !== '0' || e.attempt !== 0) return undefined;
				failedAt = Date.now();
				return 'a node before Doris failed (injected)';
			},
		});
		await c.produce([...(await encoded(first, range(0, 10), 1)), ...(await encoded(second, range(10, 20), 1))]);
		await c.pipeline.begin();
		const settled = await c.pipeline.settle(20_000).catch((error: Error) => error);
		assertInvariant(c);
		assert.equal(typeof settled, 'number', String(settled));
		const delayed = slow.requests.find((r) => r.path.endsWith(`/schemas/ids/${second}`));
		assert.ok(delayed?.answeredAt, 'the second schema was fetched through the slow proxy');
		assert.ok(failedAt > 0 && failedAt + 200 < delayed.answeredAt, 'the redelivery came due while the parse waited for the registry');
		const redelivered = c.pipeline.executions.filter((e) => e.attempt > 0);
		assert.equal(redelivered[0]?.first, 0n, 'redelivered from offset 0');
		recordFigures('registryRaceRedelivery', {
			rows: 20,
			registryDelayMs: 3000,
			redeliveryDueBeforeAnswerMs: delayed.answeredAt - failedAt - 200,
			settleMs: settled as number,
			executions: c.pipeline.executions.length,
		});
		await c.pipeline.close();
	});

	// A replica that has not yet read a schema registered a moment ago answers 40403 (the proxy plays it
	// for the decode's request and the lookup right after it). Before, every message of the new schema
	// went to the invalid output as "no such schema" and was committed: 0 of 40 loaded.
	it('a registry replica that has not read a new schema yet (40403 twice): the partition is held a moment, every message loads, none dead-lettered', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const schema = await registerAvroRecord(registry, 'Row', 'rel.lag', ROW_WITH_NOTE, 'rel-lag-1');
		const lagging = await proxy();
		lagging.notYetReplicated(new RegExp(`/schemas/ids/${schema}$`), 2);
		const c = await world.newCase({
			partitions: 1,
			consumer: { maxRecordsPerExecution: 10, redeliveryBackoff: { initialMs: 200, maxMs: 2000 }, parser: registryParser(lagging.url) },
		});
		await c.produce(await encoded(schema, range(0, 40), 1));
		const settled = await c.pipeline.settle(30_000).catch((error: Error) => error);
		assertInvariant(c);
		assert.equal(typeof settled, 'number', String(settled));
		assert.equal(c.pipeline.invalid.size, 0, 'nothing dead-lettered');
		assert.equal(c.pipeline.tableRowCount(), 40);
		assert.ok(lagging.requests.filter((r) => r.path.endsWith(`/schemas/ids/${schema}`)).length >= 3, 'asked again after the two 40403 answers');
		recordFigures('registryReplicaLag', { rows: 40, settleMs: settled as number, invalid: c.pipeline.invalid.size });
		await c.pipeline.close();
	});

	it('the registry goes away mid-stream (refused, HTTP 503, HTTP 401, no answer): nothing dead-lettered, nothing committed past, all loaded once back', async (t) => {
		if (!reachable) return t.skip(`no Schema Registry at ${schemaRegistryUrl} (scripts/registry.sh start)`);
		const v1 = await registerAvroRecord(registry, 'Row', 'rel.outage', ROW, 'rel-outage-1');
		const v2 = await registerAvroRecord(registry, 'Row', 'rel.outage', ROW_WITH_NOTE, 'rel-outage-2');
		const cut = await proxy();
		const partitions = 2;
		const c = await world.newCase({
			partitions,
			consumer: { maxRecordsPerExecution: 50, redeliveryBackoff: { initialMs: 200, maxMs: 2000 }, parser: registryParser(cut.url, 1000) },
		});
		await c.produce(await encoded(v1, range(0, 200), partitions));
		await c.pipeline.settle();
		const before = await snapshot(c);
		const logFrom = world.capture.lines.length;

		await cut.cut();
		// Schema v2 is new to the decoder: every message after this point needs the registry.
		const unknownId = Buffer.concat([Buffer.from([0]), int32(2_147_480_001), Buffer.from('payload')]);
		await c.produce([
			...(await encoded(v2, range(200, 400), partitions)),
			{ partition: 0, id: null, value: unknownId, invalid: { rule: 'parse_error', column: null, mentions: /could not be decoded \(schema_registry\)/ } },
			{ partition: 1, id: null, value: '{"plain":1}', invalid: { rule: 'parse_error', column: null, mentions: /magic byte/ } },
		]);
		const phases: Array<{ name: string; apply: () => Promise<void> | void; log: RegExp }> = [
			{ name: 'refused', apply: () => undefined, log: /ECONNREFUSED/ },
			{ name: 'HTTP 503', apply: async () => (await cut.restore(), cut.set({ kind: 'status', status: 503 })), log: /503/ },
			{ name: 'HTTP 401', apply: () => cut.set({ kind: 'status', status: 401 }), log: /refused the credentials \(HTTP 401\)/ },
			{ name: 'no answer', apply: () => cut.set({ kind: 'hang' }), log: /Timeout/ },
		];
		const during: Record<string, unknown> = {};
		const outageStarted = Date.now();
		for (const phase of phases) {
			const from = world.capture.lines.length;
			await phase.apply();
			// Until every partition has been held for this phase's reason (a fetch, a registry call, a hold
			// and its backoff each), not a fixed 3 s: then nothing may have moved.
			const held = () => world.capture.lines.slice(from).filter((l) => /holding .*\[\d\] at offset/.test(l) && phase.log.test(l));
			const heldPartitions = () => new Set(held().map((l) => /holding .*\[(\d)\] at offset/.exec(l)?.[1]));
			await waitFor(`${phase.name}: every partition held with the reason`, () => heldPartitions().size === partitions, {
				timeoutMs: 20_000,
				intervalMs: 100,
				progress: () => world.capture.lines.slice(from).filter((l) => /holding /.test(l)).slice(-1)[0]?.slice(0, 300) ?? 'no hold logged',
			});
			const now = await snapshot(c);
			during[phase.name] = now;
			assert.deepEqual(now, before, `${phase.name}: nothing committed, loaded or dead-lettered while the registry is unavailable`);
		}
		const outageMs = Date.now() - outageStarted;
		const back = Date.now();
		await cut.restore();
		const settleMs = await c.pipeline.settle();
		const recoverMs = Date.now() - back;
		assertInvariant(c);
		assert.equal(c.pipeline.invalid.size, 2, 'exactly the two undecodable messages are on the invalid output');
		const holds = world.capture.lines.slice(logFrom).filter((l) => /holding /.test(l)).length;
		t.diagnostic(`outage ${outageMs} ms, ${holds} holds logged, recovered ${recoverMs} ms after the registry came back`);
		recordFigures('registryOutage', { rows: 400, outageMs, phases: phases.map((p) => p.name).join(', '), holdsLogged: holds, recoverMs, settleMs, invalid: c.pipeline.invalid.size });
		await c.pipeline.close();
	});
});

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from }, (_, i) => from + i);
}

function int32(value: number): Buffer {
	const out = Buffer.alloc(4);
	out.writeInt32BE(value);
	return out;
}
