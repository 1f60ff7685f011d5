/**
 * The Doris test server: FE HTTP endpoint(s), one BE HTTP endpoint and the MySQL query port over one
 * in-memory catalog. Start it in-process per test file:
 *
 *   const doris = await startDorisTestServer();
 *   await doris.sql('CREATE DATABASE d');
 *   await doris.sql('CREATE TABLE d.t (id INT, v VARCHAR(10)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1');
 *   // PUT ${doris.feUrl}/api/d/t/_stream_load → 307 → BE → Doris JSON response
 *   doris.tableRows('d', 't'); doris.loads; doris.faults.fail(1, '...');
 *   await doris.close();
 *
 * Types: ./types.ts. Behaviour and sources: the comments in fe.ts, be.ts, load-headers.ts, load-exec.ts, load-apply.ts, convert.ts, sql.ts.
 */
import { connect } from 'node:net';
import { Be } from './be';
import { Catalog, visibleRows } from './catalog';
import { Fe } from './fe';
import { Faults } from './faults';
import { DORIS_LABEL_DEFAULTS } from './labels';
import { MysqlPort } from './mysql';
import { ObjectStore } from './object-store';
import { execute } from './sql';
import type { Session } from './sql-context';
import type { DecoupledMode, DorisTestServer, DorisTestServerOptions, FeRequestRecord, LoadRecord, ObjectStoreRecord } from './types';

export type * from './types';

/**
 * A port where nothing listens, for redirectToDeadBe. It is taken below 1024, outside the range the
 * OS hands out to listeners on port 0 and to client sockets: a port taken free from that range was
 * handed to another listener of the same run once in a while (the FE then redirected to a live
 * server, and the refused connection the fault stands for never happened).
 */
export async function deadPortFor(host: string): Promise<number> {
	for (const port of [1, 9, 13, 17, 19, 37, 79, 113]) {
		if (await refuses(host, port)) return port;
	}
	throw new Error(`Doris test server: no closed port below 1024 on ${host} for a dead BE`);
}

function refuses(host: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host, port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
	});
}

export async function startDorisTestServer(opts: DorisTestServerOptions = {}): Promise<DorisTestServer> {
	const user = opts.user ?? 'root';
	const password = opts.password ?? '';
	const host = opts.host ?? '127.0.0.1';
	const scheme = opts.tls ? 'https' : 'http';
	const feCount = opts.feCount ?? 1;
	if (opts.enableHttps === true && !opts.tls) throw new Error('Doris test server: enableHttps needs tls (key and certificate)');
	const catalog = new Catalog(opts.version ?? '3.0', opts.beConfig, { ...DORIS_LABEL_DEFAULTS, ...opts.labels });
	if (opts.versionComment !== undefined) catalog.versionComment = opts.versionComment;
	// Doris' transaction cleaner (DatabaseTransactionMgr.removeUselessTxns on a timer).
	const cleaner = setInterval(() => catalog.cleanLabels(), catalog.labelSettings.cleanIntervalMs);
	cleaner.unref();
	const faults = new Faults();
	const loads: LoadRecord[] = [];
	const feRequests: FeRequestRecord[] = [];
	const objectStoreReads: ObjectStoreRecord[] = [];
	const deadPort = await deadPortFor(host);
	const objectStore = opts.errorLogs === 'object-store' ? new ObjectStore(objectStoreReads) : undefined;
	await objectStore?.listener.start(0);

	const be: Be = new Be({ catalog, faults, loads, user, password, host, scheme, port: (): number => be.listener.port, errorLogStore: objectStore, emptyJobStatus: decoupledMode(opts.decoupled)?.existingJobStatus === 'empty' }, opts.tls);
	await be.listener.start(opts.bePort ?? 0);
	const fes: Fe[] = [];
	const fePorts: number[] = [];
	const feHttpsPorts: number[] = [];
	const record = (r: FeRequestRecord): void => void feRequests.push(r);
	for (let i = 0; i < feCount; i++) {
		const fe = new Fe({ catalog, faults, user, password, host, scheme, bePort: () => be.listener.port, deadPort: () => deadPort, record, decoupled: decoupledMode(opts.decoupled) }, opts.tls, opts.enableHttps === true);
		fePorts.push(await fe.listener.start(opts.fePort ? opts.fePort + i : 0));
		if (fe.httpsListener) feHttpsPorts.push(await fe.httpsListener.start(0));
		fes.push(fe);
	}
	const mysqlPort = new MysqlPort(catalog, user, password, host, faults);
	await mysqlPort.start(opts.mysqlPort ?? 0);

	let restarting: Promise<void> = Promise.resolve();
	faults.downHook = async (ms: number) => {
		const wereUp = fes.map((fe) => fe.listener.running);
		await Promise.all([be.listener.stop(), ...fes.map((fe) => fe.listener.stop())]);
		restarting = new Promise<void>((resolve) => {
			setTimeout(() => {
				void Promise.all([be.listener.start(be.listener.port), ...fes.map((fe, i) => (wereUp[i] ? fe.listener.start(fePorts[i]) : undefined))]).then(() => resolve(), () => resolve());
			}, ms);
		});
	};

	const session: Session = {};
	const feScheme = opts.enableHttps === true ? 'http' : scheme;
	const feUrls = fePorts.map((p) => `${feScheme}://${host}:${p}`);
	const feHttpsUrls = opts.enableHttps === true ? feHttpsPorts.map((p) => `https://${host}:${p}`) : feUrls;
	return {
		version: catalog.version,
		feUrl: feUrls[0],
		feUrls,
		feHttpsUrls,
		feRequests,
		objectStoreReads,
		beUrl: `${scheme}://${host}:${be.listener.port}`,
		mysqlPort: mysqlPort.port,
		mysqlHost: host,
		user,
		password,
		loads,
		faults,
		async sql(query: string) {
			const r = execute(catalog, session, query);
			if ('affectedRows' in r) return [];
			return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i] ?? null])));
		},
		tableRows(db: string, table: string) {
			const t = catalog.getTable(db, table);
			if (!t) throw new Error(`Doris test server: no table ${db}.${table}`);
			return visibleRows(t).map((row) => Object.fromEntries(t.columns.map((c, i) => [c.name, row[i] ?? null])));
		},
		setVersionComment(text: string) {
			catalog.versionComment = text;
		},
		schemaChangeJob(db: string, table: string) {
			const t = catalog.getTable(db, table);
			if (!t) throw new Error(`Doris test server: no table ${db}.${table}`);
			t.state = 'SCHEMA_CHANGE';
			return { finish: () => void delete t.state };
		},
		async stopFe(index: number) {
			const fe = fes[index];
			if (!fe) throw new Error(`Doris test server: no FE #${index} (feCount ${feCount})`);
			await fe.listener.stop();
		},
		async startFe(index: number) {
			const fe = fes[index];
			if (!fe) throw new Error(`Doris test server: no FE #${index} (feCount ${feCount})`);
			if (!fe.listener.running) await fe.listener.start(fePorts[index]);
		},
		async close() {
			await restarting;
			clearInterval(cleaner);
			await Promise.all([be.listener.stop(), ...fes.map((fe) => fe.listener.stop()), ...fes.map((fe) => fe.httpsListener?.stop()), objectStore?.listener.stop(), mysqlPort.stop()]);
		},
	};
}

/** The decoupled mode of the server options: `true` is the newest cloud behaviour read (types.ts DecoupledMode). */
function decoupledMode(option: DorisTestServerOptions['decoupled']): DecoupledMode | undefined {
	if (option === undefined || option === false) return undefined;
	return option === true ? { loadState: 'meta_service', existingJobStatus: 'set' } : option;
}
