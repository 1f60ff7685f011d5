/**
 * Scenario pitfalls: the builtin-batch workflow as it is first written, run on a small slice, to show
 * what it loads and what it commits. Each variant takes builtin-batch and undoes fixes:
 *
 * - json-body: the HTTP Request's raw body typed application/json (text/plain in builtin-batch), and
 *   no status check. n8n's HTTP client (axios 1.x, lib/defaults/index.js stringifySafely) sends a
 *   string body typed JSON as it is only when the whole string parses as one JSON value; JSON lines
 *   do not, so it sends them JSON-quoted, one string literal, which Doris refuses row by row.
 * - json-body-checked: json-body with builtin-batch's status check kept, to show what the check buys.
 * - no-redirect-credentials: text/plain, but "Send Credentials on Cross-Origin Redirect" left at its
 *   default (off since HTTP Request v4.4): the FE's 307 goes to a BE on another port, another origin,
 *   so the Authorization header is dropped and the BE refuses the load before reading it.
 *
 * Without the check, a refused load still succeeds in n8n: every Stream Load answer is HTTP 200
 * (be/src/http/action/stream_load.cpp answers with HttpChannel::send_reply(req, str), which
 * be/src/http/http_channel.h sends as 200 OK), "Status": "Fail" is in the body, so the HTTP Request
 * node succeeds, the execution succeeds, and the Kafka Trigger resolves and commits its offsets: the
 * messages are consumed, nothing is in Doris, and nothing says so.
 */
import type { LoadRecord } from '../test/ground/doris/types';
import type { WorkflowJson } from '../test/ground/n8n/host';
import { BENCH_DB, waitUntil } from './dataset';
import { committedMessages, dropTable, freshTable, launchConfig, tableCounts, waitGroupStable, type Ground, type Tuning } from './ground';
import { builtinBatchWorkflow, bypassNode, nodeNamed } from './n8n-builtin';
import { launchInN8n } from './n8n';

export interface PitfallFigures {
	variant: string;
	description: string;
	events: number;
	/** Messages the consumer group committed past when the run ended. */
	committed: number;
	rowsInDoris: number;
	/** Stream Loads by the Status Doris answered. */
	loads: Record<string, number>;
	/** The first answer's Message that was not a success. */
	message: string | null;
}

export interface Variant {
	id: string;
	description: string;
	edit(workflow: WorkflowJson): void;
}

function streamLoadParameters(workflow: WorkflowJson): Record<string, unknown> {
	return nodeNamed(workflow, 'Stream Load').parameters as Record<string, unknown>;
}

export const VARIANTS: Variant[] = [
	{
		id: 'json-body',
		description: 'raw body typed application/json, no status check',
		edit(workflow) {
			streamLoadParameters(workflow).rawContentType = 'application/json';
			bypassNode(workflow, 'Fail Unless Loaded');
		},
	},
	{
		id: 'json-body-checked',
		description: 'raw body typed application/json, with the status check',
		edit(workflow) {
			streamLoadParameters(workflow).rawContentType = 'application/json';
		},
	},
	{
		id: 'no-redirect-credentials',
		description: 'text/plain body, credentials not sent on the redirect to the BE, no status check',
		edit(workflow) {
			delete (streamLoadParameters(workflow).options as Record<string, unknown>).sendCredentialsOnCrossOriginRedirect;
			bypassNode(workflow, 'Fail Unless Loaded');
		},
	},
];

/** How long a variant may take to commit everything before the run ends with what it has. */
const SETTLE_MS = 90_000;
/** A variant that keeps failing has shown what it does after this long (the trigger retries every 5 s). */
const AFTER_FIRST_FAILURE_MS = 20_000;

async function runVariant(ground: Ground, variant: Variant, topic: string, events: number, tuning: Tuning): Promise<PitfallFigures> {
	const table = await freshTable(ground, `pitfall_${variant.id}`);
	const cfg = launchConfig(ground, topic, table, tuning);
	const run = await launchInN8n({ ...builtinBatchWorkflow, edit: variant.edit }, cfg);
	try {
		await waitGroupStable(ground.admin, cfg.groupId);
		const answers = (): LoadRecord[] => ground.server.loads.filter((l) => l.db === BENCH_DB && l.table === table && l.response !== null);
		let committed = 0;
		let firstFailure = 0;
		await waitUntil(
			async () => {
				committed = await committedMessages(ground.admin, cfg.groupId, topic);
				if (firstFailure === 0 && answers().some((l) => l.status !== 'Success')) firstFailure = Date.now();
				return committed >= events || (firstFailure > 0 && Date.now() - firstFailure > AFTER_FIRST_FAILURE_MS);
			},
			SETTLE_MS,
			500,
		).catch(() => undefined); // neither everything committed nor a failure: the figures say so
		await run.stop();
		const loads: Record<string, number> = {};
		let message: string | null = null;
		for (const load of answers()) {
			loads[load.status] = (loads[load.status] ?? 0) + 1;
			if (message === null && load.status !== 'Success') message = load.response?.Message ?? null;
		}
		return { variant: variant.id, description: variant.description, events, committed, rowsInDoris: tableCounts(ground, table).rows, loads, message };
	} catch (err) {
		if (run.alive()) await run.stop().catch(() => undefined);
		throw err;
	} finally {
		await dropTable(ground, table);
	}
}

export async function runPitfalls(ground: Ground, topic: string, events: number, tuning: Tuning, log: (msg: string) => void): Promise<PitfallFigures[]> {
	const out: PitfallFigures[] = [];
	for (const variant of VARIANTS) {
		const f = await runVariant(ground, variant, topic, events, tuning);
		log(`pitfalls ${f.variant}: ${f.committed}/${f.events} messages committed, ${f.rowsInDoris} rows in Doris, loads ${JSON.stringify(f.loads)}${f.message === null ? '' : `, "${f.message.slice(0, 160)}"`}`);
		out.push(f);
	}
	return out;
}
