// A node:test reporter that prints how long each test file took, slowest first, once the run ends:
// the figure to look at when the suite gets slow (`node --test` reports tests, not files).
export default async function* fileDurations(source) {
	const files = [];
	for await (const event of source) {
		// The runner reports each file as a top-level test named by its path (process isolation).
		if (event.type === 'test:complete' && event.data.nesting === 0 && event.data.file && event.data.name.endsWith('.ts')) {
			files.push({ name: event.data.name, ms: event.data.details.duration_ms, failed: !event.data.details.passed });
		}
	}
	yield formatFileDurations(files);
}

/** The table itself, for scripts/lib/run-files.mjs too: `files` as { name, ms, failed }. */
export function formatFileDurations(files) {
	if (files.length === 0) return '';
	const total = files.reduce((sum, f) => sum + f.ms, 0);
	const lines = [`\nTime per test file (${files.length} files, ${(total / 1000).toFixed(1)} s):\n`];
	for (const f of [...files].sort((a, b) => b.ms - a.ms)) lines.push(`${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name}${f.failed ? '  (failed)' : ''}\n`);
	return lines.join('');
}
