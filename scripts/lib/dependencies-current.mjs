// Exit 0 when node_modules holds every package package-lock.json pins, at its version; else prints
// the first mismatches and exits 1. scripts/test.sh runs `npm ci` then: a checkout pulled after a
// dependency changed must not run its tests against the old versions.
// Optional packages are skipped (npm installs only the ones for this platform).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const problems = [];
for (const [where, entry] of Object.entries(lock.packages ?? {})) {
	if (!where.startsWith('node_modules/') || entry.optional || entry.link) continue;
	const manifest = join(root, where, 'package.json');
	if (!existsSync(manifest)) {
		problems.push(`${where} is missing`);
		continue;
	}
	const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
	if (version !== entry.version) problems.push(`${where} is ${version}, package-lock.json pins ${entry.version}`);
}
if (problems.length > 0) {
	console.error(`node_modules differs from package-lock.json (${problems.length}): ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`);
	process.exit(1);
}
