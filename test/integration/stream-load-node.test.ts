/**
 * The Doris Stream Load node's execute, with a narrow context (what the node reads of n8n) against
 * the Doris test server: one summary item per execution, manual runs flushed at once, failures as
 * NodeApiError or, with continue-on-fail, as error items carrying every input row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { NodeApiError, type INode, type INodeExecutionData } from 'n8n-workflow';

import { startDorisTestServer, type DorisTestServer } from '../ground/doris/server';
import { executeStreamLoad } from '../../nodes/DorisStreamLoad/execute';
import { closeDorisClients } from '../../src/batch/doris-target';
import { flushAll } from '../../src/batch/registry';

let doris: DorisTestServer;
const node = { name: 'Doris Stream Load', type: 'n8n-nodes-doris-sinker.dorisStreamLoad', typeVersion: 1, position: [0, 0], parameters: {}, id: '1' } as INode;
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };

function ctx(params: Record<string, unknown>, items: INodeExecutionData[], over: { mode?: string; continueOnFail?: boolean } = {}) {
	return {
		getInputData: () => items,
		getNode: () => node,
		getNodeParameter: ((name: string, _i: number, fallback?: unknown) => (name in params ? params[name] : fallback)) as never,
		getCredentials: (async () => ({ feUrls: doris.feUrls.join(','), queryPort: doris.mysqlPort, user: doris.user, password: doris.password, database: 'd' })) as never,
		getMode: (() => over.mode ?? 'trigger') as never,
		continueOnFail: () => over.continueOnFail ?? false,
		getExecutionCancelSignal: () => undefined,
		logger: quiet as never,
	};
}

const items = (ids: number[]) => ids.map((id) => ({ json: { id, v: `v${id}` } }));

describe('Doris Stream Load node', () => {
	before(async () => {
		doris = await startDorisTestServer();
		await doris.sql('CREATE DATABASE d');
		await doris.sql('CREATE TABLE d.orders (id INT, v VARCHAR(8)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
		await doris.sql('CREATE TABLE d.cdc (id INT, v VARCHAR(8)) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
	});
	after(async () => {
		await flushAll();
		closeDorisClients();
		await doris.close();
	});

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
		assert.equal(doris.tableRows('d', 'orders').length, 6);
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
		assert.deepEqual(doris.tableRows('d', 'cdc'), [{ id: 2, v: 'new' }]);
	});

	it('a failed load throws NodeApiError with Doris message and the rejected rows', async () => {
		const error = await executeStreamLoad(ctx({ table: 'orders', options: { strictMode: true } }, items([1]).concat([{ json: { id: 2, v: 'way too long' } }]), { mode: 'manual' })).catch((e: unknown) => e);
		assert.ok(error instanceof NodeApiError, String(error));
		assert.match(error.message, /Doris table "orders"/);
		assert.match(String(error.description), /First rejected rows/);
	});

	it('with continue-on-fail every input row goes out as an error item and the execution succeeds', async () => {
		const out = await executeStreamLoad(ctx({ table: 'missing' }, items([1, 2]), { mode: 'manual', continueOnFail: true }));
		assert.equal(out[0].length, 2);
		assert.ok(out[0].every((item) => item.error instanceof NodeApiError));
		assert.deepEqual(out[0].map((item) => item.pairedItem), [{ item: 0 }, { item: 1 }]);
		assert.match(String(out[0][0].json.error), /not found|unknown table/i);
	});

	it('undecodable Kafka items fail the execution, or go to the error output with continue-on-fail', async () => {
		const bad = [{ json: { _parseError: { kind: 'json', message: 'x', raw: '{', rawEncoding: 'utf8' } } }, ...items([50])];
		await assert.rejects(executeStreamLoad(ctx({ table: 'orders' }, bad, { mode: 'manual' })), /Item 0 could not be decoded/);
		const out = await executeStreamLoad(ctx({ table: 'orders' }, bad, { mode: 'manual', continueOnFail: true }));
		assert.equal(out[0].length, 2);
		assert.equal(out[0][0].json.rows, 1);
		assert.ok(out[0][1].error);
	});
});
