/**
 * CPU µs per row of this package's work on n8n's main thread with One Item per Message, on the
 * benchmark's own events (bench/dataset.ts makeEvent, ~335 bytes, into the events table of
 * events-schema.ts), 5,000 messages per execution as the benchmark's trigger cuts them:
 * - trigger: the Kafka Trigger's parser (message-parser.ts: UTF-8 check, text, parseJsonExact, the
 *   item); with BENCH_KEEP_ORDER=1 also the deadline each item gets under Keep Order per Partition
 *   (`_doris.loadBy`, execution-emitter.ts), which the benchmark's workflow leaves off;
 * - schema: the Doris Schema node's mapping of the items into its one table (mapItemsToTargets: the
 *   target, routeItems, the row's `_doris`);
 * - stream load: the Doris Stream Load node's sorting of the rows (groupByTarget, sortItemsForLoad)
 *   and their serialisation into a batch's bytes (createSerializer, ByteBuffer.append).
 * Each round runs one stage over all 20 executions, then the next on what it made, so a stage's figure
 * is its own code (and the garbage collections it causes). n8n's own work between the nodes (storing
 * each execution, copying items) is not here. CPU of this thread (process.threadCpuUsage), best and
 * median of BENCH_ROUNDS (default 9) after two warm-up rounds; run with n8n's young generation
 * (`--max-semi-space-size=16`, as n8n's Docker image runs it). Figures are printed, never asserted.
 *
 *   [BENCH_KEEP_ORDER=1] node --max-semi-space-size=16 --import tsx bench/micro/per-message.ts
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/micro/per-message.ts
 */
import type { KafkaMessage } from 'kafkajs';

import { makeEvent } from '../dataset';
import { eventsSchema, eventsMapper } from './events-schema';
import { ByteBuffer } from '../../src/batch/byte-buffer';
import { serialiseParts } from '../../src/batch/batch-parts';
import { sortItemsForLoad } from '../../src/batch/load-items';
import { groupByTarget } from '../../src/batch/load-targets';
import { DORIS_FIELD } from '../../src/common/item-contract';
import { mapItemsToTargets, type TargetMapping } from '../../src/doris/schema/map-targets';
import { createSerializer } from '../../src/doris/stream-load/wire-format';
import type { LoadOptions } from '../../src/doris/stream-load/options';
import { createMessageParser } from '../../src/kafka/message-parser';

const MESSAGES = 5000;
const EXECUTIONS = 20;
const ROWS = MESSAGES * EXECUTIONS;
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
/** BENCH_KEEP_ORDER=1: items carry the execution's deadline, as under Keep Order per Partition. */
const keepOrder = process.env.BENCH_KEEP_ORDER === '1';
const at = Date.UTC(2024, 4, 17, 12, 0, 0);
const table = { database: eventsSchema.database, table: eventsSchema.table };

/** Execution k's messages, as kafkajs hands them to the trigger. */
function messages(k: number): KafkaMessage[] {
	return Array.from({ length: MESSAGES }, (_, i) => {
		const n = k * MESSAGES + i;
		const offset = String(1_000_000 + n);
		const message: KafkaMessage = { key: null, value: Buffer.from(JSON.stringify(makeEvent(n, at + n * 7))), timestamp: String(at + n * 7), attributes: 0, offset, headers: {} };
		return message;
	});
}
const executions = Array.from({ length: EXECUTIONS }, (_, k) => messages(k));

const parser = createMessageParser({ format: 'json', includeMetadata: false, tombstones: 'skip', output: 'message' });
const mapper = eventsMapper();
const mapping: TargetMapping = {
	rules: { database: { kind: 'parameter' }, table: { kind: 'parameter' } },
	parameters: () => table,
	tagTargets: false,
	mapperFor: () => Promise.resolve(mapper),
};
const mapOptions = { labels: { workflow: 'bench', node: 'Doris Schema' }, workerThreads: 0, continueOnFail: false };
const load = { format: 'json', deletes: 'auto' } as const;
const serialize = createSerializer({ ...table, format: 'json' } as LoadOptions);

export type Stage = 'trigger' | 'schema' | 'stream load';
export const STAGES: Stage[] = ['trigger', 'schema', 'stream load'];

function cpuUs(u: NodeJS.CpuUsage): number {
	return u.user + u.system;
}

let sink = 0;

/**
 * Each stage over the 20 executions in turn, on what the stage before made: CPU µs per row of each.
 * Exported for an A/B run of two trees in one process (each tree's copy imports its own src/).
 */
export async function round(): Promise<Record<Stage, number>> {
	let t0 = process.threadCpuUsage();
	const loadBy = Date.now() + 60_000;
	const triggered = executions.map((messages, k) => {
		const chunk = parser.parse(messages, 0, MESSAGES, 'bench', k % 6);
		if (chunk instanceof Promise) throw new Error('the JSON parser is synchronous');
		if (keepOrder) for (const item of chunk.items) item.json[DORIS_FIELD] = { loadBy };
		return chunk.items;
	});
	const trigger = cpuUs(process.threadCpuUsage(t0));

	t0 = process.threadCpuUsage();
	const mapped = [];
	for (const items of triggered) mapped.push(await mapItemsToTargets(items, mapping, mapOptions));
	const schema = cpuUs(process.threadCpuUsage(t0));
	for (const routed of mapped) if (routed.invalid.length > 0) throw new Error(`every bench event should map: ${JSON.stringify(routed.invalid[0].json)}`);

	t0 = process.threadCpuUsage();
	for (const routed of mapped) {
		const grouped = groupByTarget(routed.rows, 'parameter', () => table, table.database);
		const sorted = sortItemsForLoad(grouped.groups[0].items, load);
		const { serialised, newline } = serialiseParts(sorted.parts, serialize);
		const buffer = new ByteBuffer();
		for (const lines of serialised) for (const line of lines) buffer.append(line, newline);
		sink += buffer.byteLength;
	}
	const streamLoad = cpuUs(process.threadCpuUsage(t0));
	return { trigger: trigger / ROWS, schema: schema / ROWS, 'stream load': streamLoad / ROWS };
}

async function run(): Promise<void> {
	console.log(`${EXECUTIONS} executions of ${MESSAGES} messages, ${(executions[0].reduce((n, m) => n + (m.value?.length ?? 0), 0) / MESSAGES).toFixed(0)} bytes/message, ${rounds} rounds${keepOrder ? ', each item with its deadline (Keep Order per Partition)' : ''}`);
	const results: Array<Record<Stage, number>> = [];
	for (let r = 0; r < rounds + 2; r++) {
		const result = await round();
		if (r >= 2) results.push(result); // two rounds warm the JIT up
	}
	const line = (label: string, values: number[]) => {
		const s = [...values].sort((a, b) => a - b);
		console.log(`${label.padEnd(12)} best ${s[0].toFixed(3)} µs/row, median ${s[s.length >> 1].toFixed(3)}`);
	};
	for (const stage of STAGES) line(stage, results.map((r) => r[stage]));
	line('total', results.map((r) => STAGES.reduce((sum, stage) => sum + r[stage], 0)));
	if (sink === 0) console.log('');
}

// Run when started (as .ts through tsx, or built into dist/), not when imported by an A/B script.
if (/per-message\.[jt]s$/.test(process.argv[1] ?? '')) void run();
