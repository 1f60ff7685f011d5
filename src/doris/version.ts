/**
 * Which Doris release a cluster runs, read over the FE's MySQL port, for the load options that differ
 * between release lines (the Stream Load node's strict mode under Partial Update, ./stream-load/strict-mode.ts).
 *
 * Read from `SELECT @@version_comment`: the FE's read-only global variable `version_comment` is
 * "Doris version " + Version.DORIS_BUILD_VERSION + "-" + DORIS_BUILD_SHORT_HASH
 * (fe/fe-core/.../qe/GlobalVariable.java, 2.1, 3.0, 3.1), and DORIS_BUILD_VERSION is
 * `doris-<major>.<minor>.<patch>-<rc>` (gensrc/script/gen_build_version.sh), e.g.
 * "Doris version doris-3.0.5-rc01-e277cfb83f". Not `SELECT version()` nor `@@version`: both answer the
 * MySQL version the FE pretends to be (Config.mysql_server_version, "5.7.99";
 * FoldConstantRuleOnFE.visitVersion returns GlobalVariable.version). `SHOW FRONTENDS` has a Version
 * column too, but needs the ADMIN / NODE privilege a load user usually lacks.
 *
 * The FE's version stands for the cluster's: Doris' upgrade order is BEs first, then FEs (the
 * cluster upgrade manual), so BEs run at least the FE's release during a rolling upgrade.
 */
import type { DorisConnection } from './connection';
import { dorisQuery, queryHostOf } from './mysql';

export interface DorisRelease {
	major: number;
	minor: number;
	patch: number;
	/** What the FE said (`version_comment`), for messages. */
	text: string;
}

/** `doris-3.0.5-rc01-…` (any prefix before it: vendor builds rename the product, not the number). */
const RELEASE = /doris-(\d+)\.(\d+)\.(\d+)/i;

/** The release in a `version_comment`, or undefined when it names none (a vendor build, a trunk build). */
export function parseDorisRelease(versionComment: string): DorisRelease | undefined {
	const m = RELEASE.exec(versionComment);
	if (m === null) return undefined;
	return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: versionComment };
}

/** Whether `release` is `major.minor` or later. */
export function releaseAtLeast(release: DorisRelease | undefined, major: number, minor: number): boolean {
	if (release === undefined) return false;
	return release.major > major || (release.major === major && release.minor >= minor);
}

/** `3.0.5`, or what the FE said when it named no release. */
export function releaseName(release: DorisRelease | undefined, said: string): string {
	return release === undefined ? `an unknown release (version_comment "${said}")` : `${release.major}.${release.minor}.${release.patch}`;
}

export interface ReadRelease {
	release: DorisRelease | undefined;
	/** The version_comment as read. */
	said: string;
}

/**
 * Kept this long per cluster and user: a release changes only with an upgrade, and one read per ten
 * minutes per process costs nothing; after an upgrade the node sees the new release within that time.
 */
export const RELEASE_TTL_MS = 10 * 60_000;

const releases = new Map<string, { readAt: number; pending: Promise<ReadRelease> }>();

function keyOf(connection: DorisConnection): string {
	return `${connection.user}@${queryHostOf(connection)}:${connection.queryPort}`.toLowerCase();
}

/**
 * The cluster's release, read once per RELEASE_TTL_MS per process (concurrent callers share one read).
 * A failed read is not kept: the next call reads again. Rejects with the query's error (DorisQueryError).
 */
export function dorisRelease(connection: DorisConnection, now = Date.now()): Promise<ReadRelease> {
	const key = keyOf(connection);
	const known = releases.get(key);
	if (known !== undefined && now - known.readAt < RELEASE_TTL_MS) return known.pending;
	const pending = dorisQuery(connection, 'SELECT @@version_comment').then((rows) => {
		const said = String(Object.values(rows[0] ?? {})[0] ?? '');
		return { release: parseDorisRelease(said), said };
	});
	releases.set(key, { readAt: now, pending });
	pending.catch(() => {
		if (releases.get(key)?.pending === pending) releases.delete(key);
	});
	return pending;
}

/** Forgets every release read (tests; a cluster known to have been upgraded). */
export function forgetDorisReleases(): void {
	releases.clear();
}
