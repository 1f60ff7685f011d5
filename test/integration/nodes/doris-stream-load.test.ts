/**
 * The Doris Stream Load node's execute, with a narrow context (what the node reads of n8n) against
 * the Doris test server: one summary item per execution, manual runs flushed at once, failures as
 * NodeApiError or, under On Error "Continue", as error items carrying every input row on the error
 * output, or on Rejected as not loaded, never on Loaded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NodeApiError, type INodeExecutionData } from 'n8n-workflow';

import { executeStreamLoad } from '../../../nodes/DorisStreamLoad/execute';
import { metrics } from '../../../src/metrics/metrics';
import { NODE_TEST_WORKFLOW, nodeContextsIn, useDorisDatabase } from '../stream-load-support';
import { asN8nErrorOutput } from '../../support/n8n-error-output';

const db = useDorisDatabase({
	tables: [
		{ name: 'orders', columns: 'id INT, v VARCHAR(8)' },
		{ name: 'cdc', columns: 'id INT, v VARCHAR(8)', keys: 'UNIQUE KEY(id)' },
	],
	sharedBatches: true,
	// A partial update reads the table once over the MySQL port.
	readsTables: true,
});
const ctx = nodeContextsIn(db);

const items = (ids: number[]) => ids.map((id) => ({ json: { id, v: `v${id}` } }));

/** doris_rows_rejected_total of table d.orders (unless `labels` names another), summed over the series whose labels match. */
async function rejectedCount(labels: Record<string, string>): Promise<number> {
	const { values } = await metrics.rowsRejected.get();
	const match = { table: 'd.orders', ...labels };
	return values.filter((v) => Object.entries(match).every(([k, want]) => String(v.labels[k as keyof typeof v.labels]) === want)).reduce((sum, v) => sum + v.value, 0);
}

describe('Doris Stream Load node', () => {
	it('returns one item per execution after its rows are loaded; executions share a batch', async () => {
		const params = { table: 'orders', batchRows: 6, batchIntervalSeconds: 30 };
		const [a, b] = await Promise.all([executeStreamLoad(ctx(params, items([1, 2, 3]))), executeStreamLoad(ctx(params, items([4, 5, 6])))]);
		assert.equal(a[0].length, 1);
		const summary = a[0][0].json;
		assert.equal(summary.status, 'Success');
		assert.equal(summary.rows, 3);
		assert.equal(summary.loadedRows, 6, 'Doris counts the whole shared batch');
		assert.equal(summary.executionsServed, 2);
		assert.equal(summary.database, 'd');
		assert.match(String(summary.label), /^n8n_orders_[0-9a-f]{12}_\d+$/);
		assert.deepEqual(a[0][0].pairedItem, [{ item: 0 }, { item: 1 }, { item: 2 }]);
		assert.equal(b[0][0].json.label, summary.label);
		assert.equal(db.server.tableRows('d', 'orders').length, 6);
	});

	it('a manual run loads at once, without waiting for the interval', async () => {
		const started = Date.now();
		const out = await executeStreamLoad(ctx({ table: 'orders', batchIntervalSeconds: 60 }, items([7]), { mode: 'manual' }));
		assert.ok(Date.now() - started < 5000);
		assert.equal(out[0][0].json.flushedImmediately, true);
	});

	it('CDC rows load with the delete sign (auto)', async () => {
		await executeStreamLoad(ctx({ table: 'cdc' }, items([1, 2]), { mode: 'manual' }));
		await executeStreamLoad(
			ctx({ table: 'cdc' }, [{ json: { id: 1, v: 'x', __DORIS_DELETE_SIGN__: 1 } }, { json: { id: 2, v: 'new', __DORIS_DELETE_SIGN__: 0 } }], { mode: 'manual' }),
		);
		assert.deepEqual(db.server.tableRows('d', 'cdc'), [{ id: 2, v: 'new' }]);
	});

	// Without the trigger's activation check the node checks the table itself before its first partial
	// update: a Doris 3.0 table cannot take a flexible one (Doris would ignore the mode and overwrite
	// the columns a row lacks), and a fixed list must hold every key (FE StreamLoadPlanner.plan()).
	it('Partial Update: a fixed list updates those columns; a table that cannot take the update fails the execution before any load', async () => {
		await executeStreamLoad(ctx({ table: 'cdc' }, [{ json: { id: 5, v: 'old' } }], { mode: 'manual' }));
		// Doris 3.0: a partial update loads with Strict Mode set on (src/doris/stream-load/strict-mode.ts).
		await executeStreamLoad(ctx({ table: 'cdc', options: { partialUpdate: 'fixed', columns: 'id', strictMode: true } }, [{ json: { id: 5, v: 'ignored' } }], { mode: 'manual' }));
		assert.deepEqual(db.server.tableRows('d', 'cdc').find((r) => r.id === 5), { id: 5, v: 'old' }, 'v is not in the list: kept');
		const loadsBefore = db.server.loads.length;
		await assert.rejects(
			executeStreamLoad(ctx({ table: 'cdc', options: { partialUpdate: 'flexible' } }, [{ json: { id: 5 } }], { mode: 'manual' })),
			/Doris table d\.cdc: flexible partial update needs Doris 3\.1 or later/,
		);
		await assert.rejects(
			executeStreamLoad(ctx({ table: 'cdc', options: { partialUpdate: 'fixed', columns: 'v' } }, [{ json: { id: 5, v: 'x' } }], { mode: 'manual' })),
			/must include every key column of d\.cdc; missing "id"/,
		);
		assert.equal(db.server.loads.length, loadsBefore, 'nothing was sent');
		assert.deepEqual(db.server.tableRows('d', 'cdc').find((r) => r.id === 5), { id: 5, v: 'old' });
	});

	it('a row Doris refuses comes out on the Rejected output, shaped as an invalid item; the other rows load', async () => {
		const out = await executeStreamLoad(ctx({ table: 'orders', options: { strictMode: true } }, items([101]).concat([{ json: { id: 102, v: 'way too long' } }]), { mode: 'manual', connected: [1] }));
		assert.equal(out.length, 2);
		assert.equal(out[0][0].json.rejectedRows, 1);
		assert.deepEqual(out[1].map((item) => item.pairedItem), [{ item: 1 }]);
		const invalid = out[1][0].json._invalid as { table: string; reasons: Array<Record<string, unknown>> };
		assert.equal(invalid.table, 'd.orders');
		assert.deepEqual([invalid.reasons[0].rule, invalid.reasons[0].column, invalid.reasons[0].value], ['doris_rejected', 'v', 'way too long']);
		assert.ok(db.server.tableRows('d', 'orders').some((r) => r.id === 101));
		assert.ok(!db.server.tableRows('d', 'orders').some((r) => r.id === 102));
	});

	it('with the Rejected output leading nowhere a refused row fails the execution with Doris’ message and says to connect it', async () => {
		const error = await executeStreamLoad(
			ctx({ table: 'orders', options: { strictMode: true } }, items([103]).concat([{ json: { id: 104, v: 'way too long' } }]), { mode: 'manual', connected: [0] }),
		).catch((e: unknown) => e);
		assert.ok(error instanceof NodeApiError, String(error));
		assert.match(error.message, /Doris table "orders"/);
		assert.match(String(error.description), /First rejected rows/);
		assert.match(String(error.description), /Connect the Rejected output/);
		assert.ok(!db.server.tableRows('d', 'orders').some((r) => r.id === 103), 'not split: nothing loaded');
	});

	it('a load Doris committed but counted a row short: its rows go to Rejected saying so and the execution succeeds, so no redelivery loads them again; with Rejected leading nowhere it fails', async () => {
		// Before, the execution always failed after the commit, and each redelivery of a DUPLICATE KEY
		// table's rows added the committed ones again.
		const stored = (from: number) => db.server.tableRows('d', 'orders').filter((r) => Number(r.id) >= from && Number(r.id) < from + 10).map((r) => Number(r.id)).sort((a, b) => a - b);
		const counted = await rejectedCount({});
		const uncounted = await rejectedCount({ rule: 'doris_uncounted' });
		db.server.faults.uncountedLine(1);
		const out = await executeStreamLoad(ctx({ table: 'orders' }, items([201, 202, 203]), { mode: 'manual', connected: [0, 1] }));
		assert.deepEqual(stored(201), [201, 202], 'committed: the two rows Doris counted');
		assert.equal(out[0][0].json.rejectedRows, 3);
		assert.deepEqual(out[1].map((item) => item.pairedItem), [{ item: 0 }, { item: 1 }, { item: 2 }]);
		const reason = (out[1][2].json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0];
		assert.match(reason.message, /committed .* 3 row\(s\) sent, Doris read 2 .*cannot tell whether this row is in Doris/);
		assert.equal(await rejectedCount({}), counted + 3, 'doris_rows_rejected_total: the 3 rows on Rejected');
		assert.equal(await rejectedCount({ rule: 'doris_uncounted', workflow: NODE_TEST_WORKFLOW }), uncounted + 3, 'by their rule');

		db.server.faults.uncountedLine(1);
		const error = await executeStreamLoad(ctx({ table: 'orders' }, items([211, 212]), { mode: 'manual', connected: [0] })).catch((e: unknown) => e);
		assert.ok(error instanceof Error, String(error));
		assert.match(error.message, /row counts that do not add up/);
		assert.deepEqual(stored(211), [211]);
		// Before, the 2 rows were counted although no output held them, and again on every redelivery.
		assert.equal(await rejectedCount({}), counted + 3, 'the failed execution handed nothing back: nothing more counted');
	});

	it('rows of a partition that takes no writes ("mutable" = "false") go to Rejected as doris_uncounted naming the cause, the execution succeeds; with Rejected leading nowhere it succeeds with an error naming them, never loading the rest twice', async () => {
		// Doris skips them without an error-log line and counts them NumberUnselectedRows; before, without a
		// where header, an info line said "by its where header (?)" and the execution succeeded: 2 rows gone.
		await db.server.sql(
			'CREATE TABLE d.archive (id INT, dt DATE) DUPLICATE KEY(id) PARTITION BY RANGE(dt) (PARTITION p_old VALUES LESS THAN ("2025-01-01"), PARTITION p_new VALUES LESS THAN ("2030-01-01")) DISTRIBUTED BY HASH(id) BUCKETS 1',
		);
		await db.server.sql('ALTER TABLE d.archive MODIFY PARTITION p_old SET ("mutable" = "false")');
		// The table's shared batch keeps the logger of the call that made it: both calls log here.
		const errors: string[] = [];
		const logged = (...args: Parameters<typeof ctx>) => ({ ...ctx(...args), logger: { info: () => undefined, warn: () => undefined, debug: () => undefined, error: (m: string) => errors.push(m) } as never });
		const rows = [{ id: 1, dt: '2024-02-01' }, { id: 2, dt: '2025-02-01' }, { id: 3, dt: '2024-03-01' }].map((json) => ({ json }));
		const uncounted = await rejectedCount({ table: 'd.archive', rule: 'doris_uncounted' });
		const out = await executeStreamLoad(logged({ table: 'archive' }, rows, { mode: 'manual', connected: [0, 1] }));
		const stored = () => db.server.tableRows('d', 'archive').map((r) => Number(r.id)).sort((a, b) => a - b);
		assert.deepEqual(stored(), [2]);
		assert.equal(out[0][0].json.rejectedRows, 3, 'which rows Doris skipped it does not say: all three are handed back');
		const reason = (out[1][0].json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0];
		assert.equal(reason.rule, 'doris_uncounted');
		assert.match(reason.message, /2 row\(s\) .*no where header.*"mutable" = "false".*cannot tell whether this row is in Doris/);
		assert.equal(await rejectedCount({ table: 'd.archive', rule: 'doris_uncounted' }), uncounted + 3);

		// Rejected leading nowhere: the load is committed, so failing the execution would only have its
		// redelivery load row 5 again, and again (review session 19, H2: [2, 2, 2] after three deliveries).
		const unwired = () => logged({ table: 'archive' }, [{ json: { id: 4, dt: '2024-04-01' } }, { json: { id: 5, dt: '2025-04-01' } }], { mode: 'manual', connected: [0] });
		const [loaded] = await executeStreamLoad(unwired());
		assert.equal(loaded[0].json.status, 'Success');
		assert.deepEqual(stored(), [2, 5]);
		assert.match(errors.join('\n'), /1 row\(s\) Doris left out as unselected although no where header was sent.*not in Doris and no output holds them.*connect the Doris Stream Load node's Rejected output/);
	});

	it('a part of a refused batch that Doris commits counted short (while the batch is split) goes to Rejected as doris_uncounted, not as not loaded, and is not sent again', async () => {
		// Before, the split stopped there and those committed rows came back as doris_not_loaded ("Not
		// loaded"), which a dead-letter replay would load a second time.
		db.server.faults.fail(1, '[DATA_QUALITY_ERROR]too many filtered rows');
		db.server.faults.uncountedLine(1);
		const before = db.server.loads.length;
		const out = await executeStreamLoad(ctx({ table: 'orders' }, items([221, 222, 223, 224]), { mode: 'manual', connected: [0, 1] }));
		const rules = out[1].map((item) => `${String(item.json.id)} ${(item.json._invalid as { reasons: Array<{ rule: string }> }).reasons[0].rule}`);
		assert.deepEqual(rules, ['221 doris_uncounted', '222 doris_uncounted']);
		assert.deepEqual(
			db.server.tableRows('d', 'orders').filter((r) => Number(r.id) > 220 && Number(r.id) < 230).map((r) => Number(r.id)).sort((a, b) => a - b),
			[221, 223, 224],
		);
		// The split then finds no refused row in the right half (the refusal was injected): 221 and 222 are sent once.
		assert.equal(db.server.loads.length - before, 4, 'the batch, its left half, then the right half line by line');
	});

	it('On Error "Continue (using error output)": every input row goes out as an error item (n8n moves it to the error output) and the execution succeeds', async () => {
		const input = items([1, 2]);
		const out = await executeStreamLoad(ctx({ table: 'missing' }, input, { mode: 'manual', continueOnFail: true, onError: 'continueErrorOutput' }));
		assert.equal(out[0].length, 2);
		assert.deepEqual(out[0].map((item) => item.pairedItem), [{ item: 0 }, { item: 1 }]);
		assert.match(String(out[0][0].json.error), /not found|unknown table/i);
		// As n8n hands them on: on the error output, each with its own row and the reason.
		const [loaded, rejected, errorOutput] = asN8nErrorOutput(out, input, 3);
		assert.deepEqual([loaded, rejected], [[], []]);
		assert.deepEqual(errorOutput.map((item) => [item.json.id, item.json.v, /not found|unknown table/i.test(String(item.json.error))]), [[1, 'v1', true], [2, 'v2', true]]);
	});

	// Under On Error "Continue" n8n swallows a throw and passes the raw input on as output 0 (the
	// execution succeeds, its offsets commit): the rows go where they stay visible instead.
	it('continue-on-fail whose error output leads nowhere sends the rows to Rejected as not loaded; with Rejected leading nowhere too it throws', async () => {
		for (const onError of ['continueErrorOutput', 'continueRegularOutput'] as const) {
			const [summary, rejected] = await executeStreamLoad(ctx({ table: 'missing' }, items([1, 2]), { mode: 'manual', continueOnFail: true, onError, connected: onError === 'continueErrorOutput' ? [0, 1] : [1] }));
			assert.deepEqual(summary, [], onError);
			assert.deepEqual(rejected.map((r) => [r.json.id, r.pairedItem]), [[1, { item: 0 }], [2, { item: 1 }]], onError);
			const reason = (rejected[0].json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0];
			assert.equal(reason.rule, 'doris_not_loaded');
			assert.match(reason.message, /^Not loaded: .*(not found|unknown table)/i);
		}
		await assert.rejects(
			executeStreamLoad(ctx({ table: 'missing' }, items([1]), { mode: 'manual', continueOnFail: true, onError: 'continueErrorOutput', connected: [0] })),
			/Doris Stream Load node "Doris Stream Load": On Error is "Continue \(using error output\)" but neither its error output nor its Rejected output leads anywhere/,
		);
		const input = items([7]);
		const out = await executeStreamLoad(ctx({ table: 'missing' }, input, { mode: 'manual', continueOnFail: true, onError: 'continueErrorOutput', connected: [2] }));
		assert.deepEqual(asN8nErrorOutput(out, input, 3)[2].map((item) => [item.json.id, item.json.v]), [[7, 'v7']], 'the error item carries its row');
	});

	// n8n's regular output is Loaded, whose items whatever follows it (a summary, a notification, a No
	// Operation node) takes for loaded rows, and n8n moves nothing off it under "Continue (regular
	// output)". Before, a wired Loaded output got the failed rows, each with an `error` field, the
	// execution succeeded and the trigger committed their offsets.
	it('On Error "Continue (regular output)", or Continue On Fail: a failed load puts no row on Loaded; with Rejected wired (Loaded wired or not) they go there as doris_not_loaded, else the node throws', async () => {
		const reasonOf = (item: INodeExecutionData) => (item.json._invalid as { reasons: Array<{ rule: string; message: string }> }).reasons[0];
		for (const onError of ['continueRegularOutput', undefined] as const) {
			for (const connected of [[0, 1], [1], undefined]) {
				const what = `${onError ?? 'Continue On Fail'}, outputs ${JSON.stringify(connected ?? 'unreadable')}`;
				const [loaded, rejected] = await executeStreamLoad(ctx({ table: 'missing' }, items([1, 2]), { mode: 'manual', continueOnFail: true, onError, connected }));
				assert.deepEqual(loaded, [], what);
				assert.deepEqual(rejected.map((r) => [r.json.id, r.json.v, r.pairedItem, r.json.error]), [[1, 'v1', { item: 0 }, undefined], [2, 'v2', { item: 1 }, undefined]], what);
				assert.equal(reasonOf(rejected[0]).rule, 'doris_not_loaded', what);
				assert.match(reasonOf(rejected[0]).message, /^Not loaded: .*(not found|unknown table)/i, what);
			}
			// Loaded leads somewhere, Rejected nowhere: no safe place (the Kafka trigger refuses to activate
			// this; in a workflow it never checked the node fails the execution before loading, despite the setting).
			await assert.rejects(executeStreamLoad(ctx({ table: 'missing' }, items([3]), { mode: 'manual', continueOnFail: true, onError, connected: [0] })), /but its Rejected output leads nowhere; the regular output is Loaded/);
		}
		// Rows that load and rows that cannot, in one execution: the summary alone on Loaded.
		const undecodable = { json: { _parseError: { kind: 'json', message: 'x', raw: '{', rawEncoding: 'utf8' } } };
		const [loaded, rejected] = await executeStreamLoad(ctx({ table: 'orders' }, [...items([60]), undecodable], { mode: 'manual', continueOnFail: true, onError: 'continueRegularOutput', connected: [0, 1] }));
		assert.deepEqual(loaded.map((item) => [item.json.rows, item.json.error, item.error]), [[1, undefined, undefined]]);
		assert.deepEqual(rejected.map((r) => [r.pairedItem, reasonOf(r).rule]), [[{ item: 1 }, 'doris_not_loaded']]);
		assert.match(reasonOf(rejected[0]).message, /^Not loaded: Item could not be decoded/);
	});

	// A workflow the Kafka trigger never checked (a sub-workflow, a run from the editor): n8n would
	// swallow the node's error and pass the raw rows on as Loaded, so the node fails the execution
	// before it loads anything, telling n8n to stop for this run (the IExecuteData's node, which n8n-core
	// reads after a node's error), with the message the activation check gives.
	it('On Error "Continue" with nowhere to put failed rows: fails before any load, this run of the node switched to "Stop Workflow", the workflow\'s node untouched', async () => {
		for (const [onError, connected] of [['continueRegularOutput', [0]], ['continueRegularOutput', []], ['continueErrorOutput', [0]], [undefined, []]] as const) {
			const what = `${onError ?? 'Continue On Fail'}, outputs ${JSON.stringify(connected)}`;
			const base = ctx({ table: 'orders' }, items([70, 71]), { continueOnFail: true, onError, connected });
			const workflowNode = { ...base.getNode(), continueOnFail: onError === undefined ? true : undefined };
			const executeData = { node: workflowNode, data: { main: [items([70, 71])] }, source: null };
			const loadsBefore = db.server.loads.length;
			await assert.rejects(
				executeStreamLoad({ ...base, getExecuteData: () => executeData }),
				(error: Error & { description?: string }) =>
					/^Doris Stream Load node "Doris Stream Load": .* (leads nowhere|leads anywhere).*, so rows it cannot load would be lost while the trigger commits their offsets$/.test(error.message) &&
					/Connect the Rejected output/.test(String(error.description)),
				what,
			);
			assert.equal(db.server.loads.length, loadsBefore, `nothing sent to Doris (${what})`);
			assert.deepEqual([executeData.node.onError, executeData.node.continueOnFail], ['stopWorkflow', false], what);
			assert.notEqual(executeData.node, workflowNode, 'a copy: the workflow keeps its node as saved');
			assert.equal(workflowNode.onError, onError, what);
		}
		// Rejected wired, or the node stops on error: no switch, the rows load.
		for (const over of [{ continueOnFail: true, onError: 'continueRegularOutput', connected: [1] }, { connected: [] }] as const) {
			const executeData = { node: ctx({}, [], over).getNode(), data: { main: [] }, source: null };
			const [loaded] = await executeStreamLoad({ ...ctx({ table: 'orders' }, items([72]), over), getExecuteData: () => executeData });
			assert.equal(loaded[0].json.rows, 1, JSON.stringify(over));
			assert.equal(executeData.node.onError, over.onError, JSON.stringify(over));
		}
	});

	// n8n hands a node with Execute Once the first item only: outside the editor the node fails instead
	// of loading that one row (the Kafka trigger refuses the setting at activation; this is a sub-workflow).
	it('Execute Once on: fails before any load naming the setting, outside a run from the editor', async () => {
		const loadsBefore = db.server.loads.length;
		const base = ctx({ table: 'orders' }, items([80]));
		await assert.rejects(executeStreamLoad({ ...base, getNode: () => ({ ...base.getNode(), executeOnce: true }) }), /^NodeOperationError: Node "Doris Stream Load" has the setting Execute Once on: n8n hands it the first item/);
		assert.equal(db.server.loads.length, loadsBefore, 'nothing sent to Doris');
		const manual = ctx({ table: 'orders' }, items([81]), { mode: 'manual' });
		const [loaded] = await executeStreamLoad({ ...manual, getNode: () => ({ ...manual.getNode(), executeOnce: true }) });
		assert.equal(loaded[0].json.rows, 1, 'in the editor it loads what n8n handed it');
	});

	it("continue-on-fail, error route leading nowhere: an item the Doris Schema node marked invalid goes to Rejected with its own reasons; the others load", async () => {
		const marked = { json: { id: 9, v: 'v9', _invalid: { table: 'd.orders', reasons: [{ column: 'v', value: 'v9', expected: 'VARCHAR(1)', rule: 'too_long', message: 'v: too long' }] } } };
		for (const connected of [[1], [0, 1]]) {
			const [summary, rejected] = await executeStreamLoad(ctx({ table: 'orders' }, [...items([8]), marked], { mode: 'manual', continueOnFail: true, onError: 'continueRegularOutput', connected }));
			assert.deepEqual(summary.map((item) => item.json.rows), [1], JSON.stringify(connected));
			assert.deepEqual(rejected, [{ json: marked.json, pairedItem: { item: 1 } }]);
		}
		await assert.rejects(executeStreamLoad(ctx({ table: 'orders' }, [marked], { mode: 'manual' })), /Item 0: the Doris Schema node found it invalid \(_invalid: v: too long\)/);
	});

	it('continue-on-fail: a failure of the whole execution (a bad setting) is not thrown either: every item goes on failed', async () => {
		const bad = { table: 'orders', batchRows: -5 };
		await assert.rejects(executeStreamLoad(ctx(bad, items([1]), { mode: 'manual' })));
		const input = items([1, 2]);
		const out = await executeStreamLoad(ctx(bad, input, { mode: 'manual', continueOnFail: true, onError: 'continueErrorOutput', connected: [2] }));
		assert.deepEqual(asN8nErrorOutput(out, input, 3)[2].map((item) => [item.json.id, typeof item.json.error]), [[1, 'string'], [2, 'string']]);
		for (const connected of [[1], [0, 1]]) {
			const [loaded, rejected] = await executeStreamLoad(ctx(bad, items([3]), { mode: 'manual', continueOnFail: true, onError: 'continueRegularOutput', connected }));
			assert.deepEqual([loaded, rejected.map((r) => r.json.id)], [[], [3]], JSON.stringify(connected));
		}
	});

	it('undecodable Kafka items fail the execution, or go to the error output with On Error "Continue (using error output)"', async () => {
		const parseError = { kind: 'json', message: 'x', raw: '{', rawEncoding: 'utf8' };
		const bad = [{ json: { _parseError: parseError } }, ...items([50])];
		await assert.rejects(executeStreamLoad(ctx({ table: 'orders' }, bad, { mode: 'manual' })), /Item 0 could not be decoded/);
		const out = await executeStreamLoad(ctx({ table: 'orders' }, bad, { mode: 'manual', continueOnFail: true, onError: 'continueErrorOutput' }));
		assert.equal(out[0].length, 2);
		assert.equal(out[0][0].json.rows, 1);
		const [loaded, , errorOutput] = asN8nErrorOutput(out, bad, 3);
		assert.equal(loaded.length, 1);
		assert.deepEqual(errorOutput.map((item) => [item.json._parseError, item.json.error]), [[parseError, 'Item could not be decoded (_parseError)']]);
	});
});
