// Checks shared by the scale-out tests (queue mode, several instances on one group): a small
// UNIQUE KEY table and events that say where they belong, the "committed ≤ visible" sampler, the
// process id in Stream Load labels, and the package's per-process metrics.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { DorisTestServer } from '../../ground/doris/server';
import { DATABASE } from './doris';
import type { KafkaTestClient, OutgoingMessage, Produced } from './kafka';

/** Columns of the scale-out table; `id` is the key, so a redelivered row overwrites itself. */
export const SCALE_COLUMNS = ['id', 'p', 'n', 'payload'] as const;

/** A merge-on-write UNIQUE KEY table: at-least-once delivery shows up as nothing, loss as a missing id. */
export async function createScaleTable(doris: DorisTestServer, table: string): Promise<void> {
	await doris.sql(
		`CREATE TABLE ${DATABASE}.${table} (id BIGINT NOT NULL, p INT NOT NULL, n BIGINT NOT NULL, payload VARCHAR(96) NULL) ` +
			`UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1", "enable_unique_key_merge_on_write" = "true")`,
	);
}

export interface ScaleEvent extends OutgoingMessage {
	row: { id: number; p: number; n: number; payload: string };
}

/** `count` events with ids from `firstId`, round-robin over `partitions`, ~120 bytes each. */
export function scaleEvents(count: number, partitions: number, firstId: number): ScaleEvent[] {
	return Array.from({ length: count }, (_, i) => {
		const id = firstId + i;
		const row = { id, p: id % partitions, n: i, payload: `event ${id} ${'x'.repeat(40 + (id % 40))}` };
		return { id: String(id), partition: row.p, value: JSON.stringify(row), row };
	});
}

/** Ids currently visible in the table, as strings. */
export function visibleIds(doris: DorisTestServer, table: string): Set<string> {
	return new Set(doris.tableRows(DATABASE, table).map((r) => String(r.id)));
}

/** Where each produced message sits: partition → offset → id. */
export class OffsetIndex {
	private readonly byPartition = new Map<number, Map<number, string>>();

	add(produced: Produced[]): void {
		for (const { id, partition, offset } of produced) {
			let offsets = this.byPartition.get(partition);
			if (!offsets) this.byPartition.set(partition, (offsets = new Map()));
			offsets.set(offset, id);
		}
	}

	idAt(partition: number, offset: number): string | undefined {
		return this.byPartition.get(partition)?.get(offset);
	}
}

export interface CommitSample {
	at: number;
	/** Sum over partitions of the committed offsets (messages covered by commits). */
	committed: number;
	visible: number;
	/** Messages below a committed offset whose row was not visible: must stay empty. */
	violations: string[];
}

/**
 * Samples the group's committed offsets and THEN the table: rows only ever appear, so a row missing
 * from the later table read below an earlier commit means the commit ran ahead of the load.
 */
export async function sampleCommitted(
	kafka: KafkaTestClient,
	doris: DorisTestServer,
	groupId: string,
	topic: string,
	table: string,
	index: OffsetIndex,
): Promise<CommitSample> {
	const offsets = await kafka.offsets(groupId, topic);
	const ids = visibleIds(doris, table);
	const violations: string[] = [];
	let committed = 0;
	for (const [partition, { committed: upTo }] of offsets) {
		if (upTo <= 0) continue;
		committed += upTo;
		for (let offset = 0; offset < upTo; offset++) {
			const id = index.idAt(partition, offset);
			// A commit can only cover what was produced; an offset whose ack the producer has not
			// returned yet is simply not checked in this sample.
			if (id !== undefined && !ids.has(id)) {
				violations.push(`${topic}[${partition}]@${offset} (id ${id}) committed but not in ${table}`);
				if (violations.length >= 10) break;
			}
		}
	}
	return { at: Date.now(), committed, visible: ids.size, violations };
}

/** Samples every `intervalMs` until stop(); the samples are for the assertions and the report. */
export function startCommitSampler(take: () => Promise<CommitSample>, intervalMs = 1000): { samples: CommitSample[]; stop(): Promise<CommitSample[]> } {
	const samples: CommitSample[] = [];
	let running = true;
	const loop = (async () => {
		while (running) {
			try {
				samples.push(await take());
			} catch (error) {
				// A broker hiccup while sampling is not a finding; the final checks still run.
				if (process.env.E2E_VERBOSE) console.log(`# commit sample failed: ${(error as Error).message}`);
			}
			await sleep(intervalMs);
		}
	})();
	return {
		samples,
		async stop() {
			running = false;
			await loop;
			return samples;
		},
	};
}

export function assertCommitsNeverAhead(samples: CommitSample[], minUseful: number): void {
	const bad = samples.flatMap((s) => s.violations);
	assert.deepEqual(bad, [], `offsets were committed before their rows were visible:\n${bad.slice(0, 10).join('\n')}`);
	// A sampler that saw no commit in flight proves nothing: it must have caught the run mid-way.
	const midway = samples.filter((s) => s.committed > 0 && s.visible > 0).length;
	assert.ok(midway >= minUseful, `only ${midway} of ${samples.length} samples saw commits in progress (want ≥ ${minUseful})`);
}

/**
 * The process id a Stream Load label carries (`{prefix}_{table}_{process id}_{sequence}`, see
 * src/doris/stream-load/labels.ts): which n8n process loaded the batch.
 */
export function processOfLabel(label: string): string {
	const match = /_([0-9a-f]{12})_\d+$/.exec(label);
	assert.ok(match, `label ${label} carries no process id`);
	return match[1];
}

/** Successful loads into `table`, rows summed per loading process. */
export function rowsByProcess(doris: DorisTestServer, table: string): Map<string, number> {
	const out = new Map<string, number>();
	for (const load of doris.loads) {
		if (load.table !== table || load.status !== 'Success') continue;
		const pid = processOfLabel(load.label);
		out.set(pid, (out.get(pid) ?? 0) + load.rows);
	}
	return out;
}

/** `doris_rows_loaded_total{table="<database>.<table>"}` from one process's metrics endpoint (0 when not yet exported). */
export async function scrapeRowsLoaded(port: number, table: string): Promise<number> {
	const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
	assert.equal(res.status, 200, `GET :${port}/metrics`);
	let total = 0;
	for (const line of (await res.text()).split('\n')) {
		if (line.startsWith('doris_rows_loaded_total{') && line.includes(`table="${DATABASE}.${table}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
	}
	return total;
}

export interface GroupMember {
	clientId: string;
	memberId: string;
	partitions: number[];
}

/** The group as the broker's coordinator describes it: state and each member's partitions of `topic`. */
export async function groupAssignment(admin: Admin, groupId: string, topic: string): Promise<{ state: string; members: GroupMember[] }> {
	const { groups } = await admin.describeGroups([groupId]);
	const group = groups.find((g) => g.groupId === groupId);
	if (!group) return { state: 'Unknown', members: [] };
	const members = group.members.map((m) => {
		const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
		const partitions = [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
		return { clientId: m.clientId, memberId: m.memberId, partitions };
	});
	return { state: group.state, members };
}

/** Partitions 0..n-1 split between the members: every one assigned, none twice. */
export function assertSplit(members: GroupMember[], partitions: number): void {
	const all = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
	assert.deepEqual(all, Array.from({ length: partitions }, (_, i) => i), `assignment ${JSON.stringify(members)}`);
}
