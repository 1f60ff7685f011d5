// Where n8n lives for the tests, and how this package is put into an n8n user folder the way the
// community-nodes installer leaves it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const N8N_VERSION = '2.40.7';
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const N8N_DIR = path.join(REPO_ROOT, '.cache', 'n8n');
export const N8N_BIN = path.join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
export const PACKAGE_NAME = 'n8n-nodes-doris-sinker';

interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	n8n?: { nodes?: string[]; credentials?: string[] };
}

function readJson<T>(file: string): T {
	return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function installedN8nVersion(): string | undefined {
	const file = path.join(N8N_DIR, 'node_modules', 'n8n', 'package.json');
	return existsSync(file) ? readJson<PackageJson>(file).version : undefined;
}

/**
 * Makes sure the pinned n8n is in .cache/n8n. When it is already there this costs one file read;
 * otherwise it runs scripts/n8n.sh install (minutes, on a fresh machine only).
 */
export function ensureN8nInstalled(): void {
	const major = Number(process.versions.node.split('.')[0]);
	if (major < 24) {
		throw new Error(`n8n ${N8N_VERSION} needs Node >= 24, this is ${process.version}: source scripts/env.sh first`);
	}
	if (installedN8nVersion() === N8N_VERSION && existsSync(N8N_BIN)) return;
	execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'n8n.sh'), 'install'], { stdio: ['ignore', 'inherit', 'inherit'] });
	if (installedN8nVersion() !== N8N_VERSION) {
		throw new Error(`scripts/n8n.sh install did not leave n8n ${N8N_VERSION} in ${N8N_DIR}`);
	}
}

/** The built package must exist: the tests load dist/, never the TypeScript sources. */
function assertBuilt(pkg: PackageJson): void {
	const entries = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = entries.filter((entry) => !existsSync(path.join(REPO_ROOT, entry)));
	if (entries.length === 0 || missing.length > 0) {
		throw new Error(`the package is not built (missing ${missing.join(', ') || 'n8n entries'}): run npm run build`);
	}
}

/**
 * Puts the built package at <userFolder>/.n8n/nodes/node_modules/n8n-nodes-doris-sinker, listed in
 * <userFolder>/.n8n/nodes/package.json, which is where n8n's community-package loader scans
 * (nodesDownloadDir); node types are then named `n8n-nodes-doris-sinker.<node>`.
 *
 * Like n8n's installer (CommunityPackagesService.downloadPackage) the package.json loses its dev,
 * peer and optional dependencies and only the runtime dependencies sit next to it. n8n-workflow is
 * deliberately NOT reachable from the package folder: a `require('n8n-workflow')` from our nodes
 * then falls through to NODE_PATH, which n8n points at its own node_modules at start
 * (LoadNodesAndCredentials.init). One copy matters: n8n tests `instanceof NodeApiError`,
 * `NodeOperationError`, `TriggerCloseError` and `VersionedNodeType` against its own classes.
 * That is why dist/ is copied and not linked: through a symlink Node would resolve from the real
 * path in the repo and find the repo's devDependency copy of n8n-workflow.
 * The runtime dependencies are symlinks into the repo's node_modules (their own dependencies
 * resolve there; none of them requires n8n-workflow).
 */
export function installPackage(userFolder: string): string {
	const pkg = readJson<PackageJson>(path.join(REPO_ROOT, 'package.json'));
	assertBuilt(pkg);
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(path.join(target, 'node_modules'), { recursive: true });

	const { devDependencies: _dev, peerDependencies: _peer, optionalDependencies: _optional, ...installed } = pkg;
	writeFileSync(path.join(target, 'package.json'), JSON.stringify(installed, null, 2));
	// dist/test and dist/bench are compiled test code, not part of the published package ("files").
	const distRoot = path.join(REPO_ROOT, 'dist');
	const skipped = [path.join(distRoot, 'test'), path.join(distRoot, 'bench')];
	cpSync(distRoot, path.join(target, 'dist'), {
		recursive: true,
		filter: (source) => !skipped.some((dir) => source === dir || source.startsWith(dir + path.sep)),
	});
	for (const dependency of Object.keys(pkg.dependencies ?? {})) {
		const link = path.join(target, 'node_modules', dependency);
		mkdirSync(path.dirname(link), { recursive: true });
		symlinkSync(path.join(REPO_ROOT, 'node_modules', dependency), link, 'dir');
	}
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: pkg.version } }, null, 2),
	);
	return target;
}
