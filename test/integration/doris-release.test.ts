/**
 * The cluster's Doris release as the Stream Load node reads it (src/doris/version.ts): `SELECT
 * @@version_comment` over the MySQL port of the Doris test server in each release line, kept ten minutes
 * per cluster and user, a failed read not kept.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { DorisConnection } from '../../src/doris/connection';
import { closeDorisPools } from '../../src/doris/mysql';
import { dorisRelease, forgetDorisReleases, RELEASE_TTL_MS } from '../../src/doris/version';
import { startDorisTestServer, type DorisTestServer } from '../ground/doris/server';
import type { DorisVersion } from '../ground/doris/types';

const connectionTo = (doris: DorisTestServer): DorisConnection => ({
	feUrls: doris.feUrls,
	queryHost: doris.mysqlHost,
	queryPort: doris.mysqlPort,
	user: doris.user,
	password: doris.password,
	database: '',
});

after(() => closeDorisPools());

describe('Doris release over the MySQL port', () => {
	for (const version of ['2.1', '3.0', '3.1'] as DorisVersion[]) {
		it(`reads ${version}`, async () => {
			const doris = await startDorisTestServer({ version });
			try {
				const { release } = await dorisRelease(connectionTo(doris));
				assert.equal(`${release?.major}.${release?.minor}`, version);
			} finally {
				await doris.close();
			}
		});
	}

	it('is kept RELEASE_TTL_MS, then read again (an upgrade shows within that time); concurrent reads share one', async () => {
		forgetDorisReleases();
		const doris = await startDorisTestServer({ version: '3.0' });
		try {
			const conn = connectionTo(doris);
			const t0 = Date.now();
			const [a, b] = await Promise.all([dorisRelease(conn, t0), dorisRelease(conn, t0)]);
			assert.equal(a, b);
			doris.setVersionComment('Doris version doris-3.1.1-rc01-0000000000');
			assert.equal((await dorisRelease(conn, t0 + RELEASE_TTL_MS - 1)).release?.minor, 0, 'still the one read');
			assert.equal((await dorisRelease(conn, t0 + RELEASE_TTL_MS)).release?.minor, 1, 'read again');
		} finally {
			await doris.close();
		}
	});

	it('a failed read is not kept', async () => {
		forgetDorisReleases();
		const doris = await startDorisTestServer({ version: '3.1' });
		const conn = connectionTo(doris);
		await doris.close();
		const failed = dorisRelease(conn);
		await assert.rejects(failed, /Doris MySQL port .*SELECT @@version_comment/);
		const next = dorisRelease(conn);
		assert.notEqual(next, failed, 'read again');
		await assert.rejects(next);
	});

	it('one read per cluster and user: the same promise until it is due', async () => {
		forgetDorisReleases();
		const doris = await startDorisTestServer({ version: '3.1' });
		try {
			const conn = connectionTo(doris);
			const first = dorisRelease(conn);
			await first;
			assert.equal(dorisRelease(conn), first);
		} finally {
			await doris.close();
		}
	});
});
