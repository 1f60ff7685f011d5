// The Doris test server's table property group_commit_mode (Doris 4.1 / master, apache/doris PR #61242):
// a load without a group_commit header into such a table is group-committed, label or not, and
// group_commit: off_mode keeps it an ordinary labelled load; older lines refuse the property.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDorisTestServer, type DorisTestServer } from './doris/server';
import { jsonLines, streamLoad } from './doris/testing';

let n = 0;
const label = (): string => `gc_${process.pid}_${++n}`;
const TABLE = (mode: string) => `CREATE TABLE d.gc (id INT, v VARCHAR(8)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("group_commit_mode" = "${mode}")`;

describe('Doris 4.1: table property group_commit_mode', () => {
	let doris: DorisTestServer;
	before(async () => {
		doris = await startDorisTestServer({ version: '4.1', password: 'pw' });
		await doris.sql('CREATE DATABASE d');
		await doris.sql(TABLE('async_mode'));
	});
	after(() => doris.close());
	const load = (body: string, headers: Record<string, string>) => streamLoad(doris.feUrl, 'd', 'gc', body, { format: 'json', read_json_by_line: 'true', ...headers }, ['root', 'pw']);

	it('a labelled load without a group_commit header is group-committed: Doris picks the label, GroupCommit true', async () => {
		const { json } = await load(jsonLines([{ id: 1 }]), { label: label() });
		assert.equal(json.Status, 'Success');
		assert.equal(json.GroupCommit, true);
		assert.match(json.Label, /^group_commit_/);
	});

	it('group_commit: off_mode keeps the load labelled, with its own label', async () => {
		const mine = label();
		const { json } = await load(jsonLines([{ id: 2 }]), { label: mine, group_commit: 'off_mode' });
		assert.equal(json.Status, 'Success');
		assert.equal(json.GroupCommit, undefined);
		assert.equal(json.TwoPhaseCommit, 'false');
		assert.equal(json.Label, mine);
	});

	it('a partial update is never group-committed', async () => {
		const { json } = await load(jsonLines([{ id: 3 }]), { label: label(), partial_columns: 'true', columns: 'id' });
		assert.notEqual(json.GroupCommit, true);
	});
});

describe('Doris 2.1 to 3.1: no such property', () => {
	for (const version of ['2.1', '3.0', '3.1'] as const) {
		it(`${version}: CREATE TABLE refuses it (Unknown properties)`, async () => {
			const doris = await startDorisTestServer({ version });
			try {
				await doris.sql('CREATE DATABASE d');
				await assert.rejects(doris.sql(TABLE('async_mode')), /Unknown properties: \{group_commit_mode=async_mode\}/);
			} finally {
				await doris.close();
			}
		});
	}
});
