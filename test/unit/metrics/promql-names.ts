/**
 * Test helper: the metric names a PromQL expression reads, and the series names our registry
 * exposes, so the dashboard and the alerts cannot drift from src/metrics/metrics.ts.
 */
import { registerProcessMetrics, registry } from '../../../src/metrics/metrics';

const KEYWORDS = new Set([
	'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool',
	'and', 'or', 'unless', 'offset', 'inf', 'nan', 'le',
]);

/** Names of the series an expression selects (functions, labels, keywords and literals removed). */
export function metricNamesIn(expr: string): string[] {
	let s = expr
		.replace(/"(?:[^"\\]|\\.)*"/g, ' ')
		.replace(/'(?:[^'\\]|\\.)*'/g, ' ')
		.replace(/\{[^}]*\}/g, ' ')
		.replace(/\[[^\]]*\]/g, ' ');
	// Grouping clauses list label names, not metrics.
	s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
	s = s.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' ');
	const names = new Set<string>();
	const re = /[A-Za-z_:][A-Za-z0-9_:]*/g;
	for (let m = re.exec(s); m !== null; m = re.exec(s)) {
		const after = s.slice(m.index + m[0].length).trimStart();
		if (after.startsWith('(')) continue; // a function or an aggregation
		const before = s[m.index - 1];
		if (before !== undefined && /[0-9.]/.test(before)) continue; // exponent or unit of a number
		if (KEYWORDS.has(m[0].toLowerCase())) continue;
		names.add(m[0]);
	}
	return [...names].sort();
}

/** Every series name a scrape of our registry can contain (histograms as _bucket/_sum/_count). */
export async function exposedSeriesNames(): Promise<Set<string>> {
	registerProcessMetrics();
	const names = new Set<string>();
	for (const metric of await registry.getMetricsAsJSON()) {
		// prom-client's typings declare a numeric enum; at run time `type` is the string Prometheus uses.
		const type = String(metric.type);
		if (type === 'histogram' || type === 'summary') {
			if (type === 'histogram') names.add(`${metric.name}_bucket`);
			else names.add(metric.name);
			names.add(`${metric.name}_sum`);
			names.add(`${metric.name}_count`);
		} else {
			names.add(metric.name);
		}
	}
	return names;
}

/** The expressions of a Prometheus rule file (`expr:` inline or as a block scalar). */
export function ruleExpressions(yamlText: string): string[] {
	const lines = yamlText.split('\n');
	const out: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i]);
		if (m === null) continue;
		const inline = m[2].trim();
		if (inline !== '|' && inline !== '>' && inline !== '|-' && inline !== '>-') {
			out.push(inline);
			continue;
		}
		const indent = m[1].length;
		const body: string[] = [];
		for (let j = i + 1; j < lines.length; j++) {
			const line = lines[j];
			if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
			body.push(line.trim());
			i = j;
		}
		out.push(body.join(' ').trim());
	}
	return out;
}
