/**
 * scripts/install-system.sh decides what apt-get installs. `npm run demo` asks it for the Kafka
 * broker's needs only (Java and Maven): on a fresh machine the demo stopped at 'mvn not found'.
 * Run here with a PATH that lacks the programs and an apt-get that records what it was asked for.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const script = join(__dirname, '..', '..', '..', 'scripts', 'install-system.sh');
const temps: string[] = [];
after(() => {
	for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** Runs the script with only bash, id and a recording apt-get (and sudo) on PATH; returns the packages asked for. */
function packagesAskedFor(...args: string[]): string[] {
	const bin = mkdtempSync(join(tmpdir(), 'install-system-'));
	temps.push(bin);
	const log = join(bin, 'apt.log');
	for (const tool of ['bash', 'id']) {
		const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
		if (found !== '') symlinkSync(found, join(bin, tool));
	}
	writeFileSync(join(bin, 'apt-get'), `#!/bin/bash\necho "$@" >> '${log}'\n`);
	writeFileSync(join(bin, 'sudo'), `#!/bin/bash\nexec "$@"\n`);
	chmodSync(join(bin, 'apt-get'), 0o755);
	chmodSync(join(bin, 'sudo'), 0o755);
	const r = spawnSync(join(bin, 'bash'), [script, ...args], { encoding: 'utf8', env: { PATH: bin } });
	assert.equal(r.status, 0, r.stderr);
	const lines = readFileSync(log, 'utf8').trim().split('\n');
	const install = lines.find((l) => / install /.test(` ${l} `)) ?? '';
	return install.split(/\s+/).filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w) && !['install'].includes(w));
}

describe('scripts/install-system.sh', () => {
	it('kafka: asks apt-get for Java and Maven only', () => {
		assert.deepEqual(packagesAskedFor('kafka').sort(), ['default-jre-headless', 'maven']);
	});

	it('without an argument: everything the suite needs', () => {
		const asked = packagesAskedFor();
		for (const p of ['default-jre-headless', 'maven', 'prometheus', 'chromium', 'redis-server', 'postgresql']) assert.ok(asked.includes(p), `${p} in ${asked.join(' ')}`);
	});
});
