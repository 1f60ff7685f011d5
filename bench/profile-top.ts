/**
 * The top entries of V8 CPU profiles (`npm run bench -- --cpu-prof DIR` writes one per process and
 * worker thread), as the benchmark results quote them:
 *
 *   node --import tsx bench/profile-top.ts DIR/<scenario>/*.cpuprofile [--top 25] [--window REGEX]
 *
 * Per profile: the busy time (samples that are not "(idle)"), then the functions with the most self
 * time (where the CPU was when sampled), then the same grouped by where the code lives (a package in
 * node_modules, a file of this package, V8's own "(garbage collector)" and "(program)").
 *
 * A profile covers the process's whole life, startup and shutdown included; `--window REGEX` keeps
 * only the samples from the first to the last one whose stack has a function matching REGEX (e.g.
 * `packSync|eachBatch` for the consuming), so n8n's start does not crowd the list.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** Where a function's code lives: the npm package, a file of this package, or V8's pseudo-entries. */
export function placeOf(url: string, name: string): string {
	if (url === '') return name.startsWith('(') ? name : '(native)';
	const modules = url.lastIndexOf('/node_modules/');
	if (modules >= 0) {
		const rest = url.slice(modules + '/node_modules/'.length).split('/');
		return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
	}
	if (url.startsWith('node:')) return url;
	const own = /\/(src|nodes|bench|dist)\/(.*)$/.exec(url);
	return own === null ? basename(url) : `${own[1]}/${own[2]}`;
}

function add(map: Map<string, number>, key: string, ms: number): void {
	map.set(key, (map.get(key) ?? 0) + ms);
}

export function summarise(profile: CpuProfile, window: RegExp | null): { busyMs: number; totalMs: number; byFunction: Map<string, number>; byPlace: Map<string, number> } {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const matches = new Map<number, boolean>();
	const stackMatches = (id: number): boolean => {
		const known = matches.get(id);
		if (known !== undefined) return known;
		const node = byId.get(id);
		const own = node !== undefined && window !== null && window.test(node.callFrame.functionName);
		const up = parent.get(id);
		const result = own || (up !== undefined && stackMatches(up));
		matches.set(id, result);
		return result;
	};
	let first = 0;
	let last = profile.samples.length - 1;
	if (window !== null) {
		first = profile.samples.findIndex((id) => stackMatches(id));
		for (; last > first && !stackMatches(profile.samples[last]); last--);
		if (first < 0) return { busyMs: 0, totalMs: 0, byFunction: new Map(), byPlace: new Map() };
	}
	const byFunction = new Map<string, number>();
	const byPlace = new Map<string, number>();
	let busyMs = 0;
	let totalMs = 0;
	for (let i = first; i <= last; i++) {
		// A sample's duration is the delta to the next sample (as Chrome DevTools counts it).
		const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
		const node = byId.get(profile.samples[i]);
		if (node === undefined) continue;
		totalMs += ms;
		const { functionName, url, lineNumber } = node.callFrame;
		if (functionName === '(idle)') continue;
		busyMs += ms;
		const place = placeOf(url, functionName);
		add(byFunction, `${functionName || '(anonymous)'} ${place}${url === '' ? '' : `:${lineNumber + 1}`}`, ms);
		add(byPlace, place, ms);
	}
	return { busyMs, totalMs, byFunction, byPlace };
}

function top(map: Map<string, number>, n: number, busyMs: number): string[] {
	return [...map.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, n)
		.map(([key, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / busyMs) * 100).toFixed(1).padStart(5)} %  ${key}`);
}

function main(argv: string[]): void {
	let n = 25;
	let window: RegExp | null = null;
	const files: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--top') n = Number(argv[++i]);
		else if (argv[i] === '--window') window = new RegExp(argv[++i]);
		else files.push(argv[i]);
	}
	for (const file of files) {
		const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, window);
		console.log(`\n## ${basename(file)}: busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s${window === null ? '' : ` (window ${window.source})`}`);
		if (s.busyMs === 0) continue;
		console.log('self time by function:');
		for (const line of top(s.byFunction, n, s.busyMs)) console.log(line);
		console.log('self time by place:');
		for (const line of top(s.byPlace, Math.min(n, 15), s.busyMs)) console.log(line);
	}
}

if (require.main === module) main(process.argv.slice(2));
