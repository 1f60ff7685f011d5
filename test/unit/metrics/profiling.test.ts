import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureMetricsServer, stopMetricsServer, type MetricsServerHandle } from '../../../src/metrics/server';

let server: MetricsServerHandle;

before(async () => {
	server = await ensureMetricsServer({ port: 0, profiling: true, maxProfileSeconds: 5 });
});
after(() => stopMetricsServer());

interface CpuProfile {
	nodes: Array<{ id: number; callFrame: { functionName: string } }>;
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

function busyLoop(ms: number): void {
	const end = Date.now() + ms;
	let x = 0;
	while (Date.now() < end) x += Math.sqrt(x + 1);
}

describe('/debug/pprof', () => {
	it('returns a .cpuprofile for ?seconds=N and refuses a second profile meanwhile', async () => {
		const first = fetch(`${server.url}/debug/pprof/profile?seconds=1`);
		// Give the first request time to take the profiler before asking again.
		await new Promise((r) => setTimeout(r, 200));
		const second = await fetch(`${server.url}/debug/pprof/profile?seconds=1`);
		assert.equal(second.status, 409);
		assert.match(((await second.json()) as { error: string }).error, /CPU profile is already being captured/);
		busyLoop(200);
		const res = await first;
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-disposition') ?? '', /filename="cpu-\d+-\d+\.cpuprofile"/);
		const profile = (await res.json()) as CpuProfile;
		assert.ok(profile.nodes.length > 1);
		assert.ok(profile.samples.length > 0);
		assert.equal(profile.samples.length, profile.timeDeltas.length);
		assert.ok(profile.endTime - profile.startTime >= 900_000, 'covers about a second (µs)');
		assert.ok(profile.nodes.some((n) => n.callFrame.functionName === 'busyLoop'), 'the busy loop was sampled');
	});

	it('rejects seconds outside 1..max with the value', async () => {
		for (const bad of ['0', '6', 'abc', '1.5']) {
			const res = await fetch(`${server.url}/debug/pprof/profile?seconds=${bad}`);
			assert.equal(res.status, 400, bad);
			assert.equal(((await res.json()) as { error: string }).error, `seconds must be an integer from 1 to 5, got "${bad}"`);
		}
	});

	it('returns a heap snapshot', async () => {
		const res = await fetch(`${server.url}/debug/pprof/heap`);
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-disposition') ?? '', /\.heapsnapshot"/);
		const snapshot = (await res.json()) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[] };
		assert.ok(snapshot.snapshot.meta.node_fields.includes('name'));
		assert.equal(snapshot.nodes.length, snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length);
	});
});
