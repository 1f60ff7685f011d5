// A prepared n8n database reused by every fresh user folder: migrated, with the owner set up.
// A new n8n folder otherwise spends seconds on ~300 migrations before it can import anything.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { N8N_DIR, N8N_VERSION } from './install';

/** Per n8n version: a newer n8n would migrate the copy again, or refuse an older schema. */
export const TEMPLATE_DIR = path.join(N8N_DIR, `template-${N8N_VERSION}`);

// `config` holds the encryption key the database's secrets are encrypted with; the database is in
// WAL mode and a clean stop can leave committed pages in the -wal file, so that travels with it.
const FILES = ['config', 'database.sqlite', 'database.sqlite-wal'];

export function hasTemplate(): boolean {
	return existsSync(path.join(TEMPLATE_DIR, 'database.sqlite')) && existsSync(path.join(TEMPLATE_DIR, 'config'));
}

/** Copies the template into <userFolder>/.n8n; returns false when there is none. */
export function seedFromTemplate(userFolder: string): boolean {
	if (!hasTemplate()) return false;
	const target = path.join(userFolder, '.n8n');
	mkdirSync(target, { recursive: true });
	for (const file of FILES) {
		const source = path.join(TEMPLATE_DIR, file);
		if (existsSync(source)) copyFileSync(source, path.join(target, file));
	}
	return true;
}

/** Saves a stopped instance's database as the template (atomically: concurrent builders may race). */
export function saveTemplate(userFolder: string): void {
	const staging = `${TEMPLATE_DIR}.${process.pid}.tmp`;
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	for (const file of FILES) {
		const source = path.join(userFolder, '.n8n', file);
		if (existsSync(source)) copyFileSync(source, path.join(staging, file));
	}
	try {
		renameSync(staging, TEMPLATE_DIR);
	} catch (error) {
		// Another test process saved its template first; theirs is as good as ours.
		rmSync(staging, { recursive: true, force: true });
		if (!hasTemplate()) throw error;
	}
}
