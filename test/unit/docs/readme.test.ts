// README.md and docs/*.md as a newcomer reads them: links lead somewhere, paths name files, the node
// options they name are the ones the nodes show (on the node they are said to belong to, with the
// defaults the nodes have), and no shorthand of the project's own history leaks into them or into the
// nodes' descriptions.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { INodeProperties } from 'n8n-workflow';

import { registry } from '../../../src/metrics/metrics';
import { exposedSeriesNames } from '../metrics/promql-names';
import { REPO_ROOT, brokenLink, markdownFiles, missingPaths, prose, readMarkdown, relativeLinks } from './markdown';
import { credentials, descriptions, shownNames, strings, withoutQualifier, type NodeKey } from './node-names';

describe('Documentation: links and paths', () => {
	it('every relative link and image of README.md and docs/*.md leads to a file, every #anchor to a heading there', () => {
		const broken = markdownFiles()
			.flatMap(relativeLinks)
			.map(brokenLink)
			.filter((problem) => problem !== undefined);
		assert.deepEqual(broken, []);
	});

	it('every backticked repository path of README.md and docs/*.md names a file or folder', () => {
		assert.deepEqual(markdownFiles().flatMap(missingPaths), []);
	});
});

const names: Record<NodeKey, Set<string>> = {
	trigger: shownNames(descriptions.trigger),
	schema: shownNames(descriptions.schema),
	streamLoad: shownNames(descriptions.streamLoad),
};
const anyNode = new Set([...names.trigger, ...names.schema, ...names.streamLoad]);

/** "Message Format: Schema Registry" names a parameter and one of its options; "Max STRING Size / Max JSON Size (Bytes)" two parameters. */
function isShown(phrase: string, shown: Set<string>): boolean {
	return withoutQualifier(phrase)
		.split(/:\s+|\s+\/\s+/)
		.every((part) => shown.has(part));
}

describe('README: node options', () => {
	it("the Kafka Trigger table names each parameter as the node shows it, with the node's default", () => {
		const readme = readMarkdown('README.md');
		const section = readme.slice(readme.indexOf('### Kafka Trigger (Doris Sinker)'));
		const table = section.slice(section.indexOf('| Parameter | Default |')).split('\n\n')[0];
		const rows = table
			.split('\n')
			.slice(2)
			.map((line) => line.split('|').map((cell) => cell.trim()))
			.map(([, name, shownDefault]) => ({ name, shownDefault }));
		assert.ok(rows.length >= 8, `the parameter table has ${rows.length} rows`);
		const problems: string[] = [];
		for (const { name, shownDefault } of rows) {
			const property = descriptions.trigger.properties.find((p: INodeProperties) => withoutQualifier(p.displayName) === name);
			if (property === undefined) {
				problems.push(`"${name}" is no parameter of the Kafka Trigger`);
				continue;
			}
			if (shownDefault === '' || shownDefault === '—') continue;
			const actual = defaultAsShown(property);
			if (shownDefault.replace(/`/g, '') !== actual) problems.push(`"${name}": README says ${shownDefault}, the node's default is ${actual}`);
		}
		assert.deepEqual(problems, []);
	});

	it('an option said to belong to a node is one that node shows; one written **Name** (option …) is one a node shows', () => {
		const scoped: Array<[RegExp, Set<string>, string]> = [
			[/\b(?:the|The) (?:Kafka )?[tT]rigger's \*{1,2}([^*]+)\*{1,2}/g, names.trigger, 'the Kafka Trigger'],
			[/Doris Schema node's \*{1,2}([^*]+)\*{1,2}/g, names.schema, 'the Doris Schema node'],
			[/Stream Load node's \*{1,2}([^*]+)\*{1,2}/g, names.streamLoad, 'the Doris Stream Load node'],
			[/\*\*([^*]+)\*\* \(options?[,;)]/g, anyNode, 'any node'],
		];
		const problems: string[] = [];
		let checked = 0;
		for (const file of markdownFiles()) {
			const text = prose(readMarkdown(file)).replace(/\s+/g, ' ');
			for (const [pattern, shown, where] of scoped) {
				for (const match of text.matchAll(pattern)) {
					checked++;
					if (!isShown(match[1].trim(), shown)) problems.push(`${file}: "${match[1]}" is not shown by ${where}`);
				}
			}
		}
		assert.ok(checked >= 10, `only ${checked} option mentions found: the patterns no longer match the prose`);
		assert.deepEqual(problems, []);
	});
});

describe('Documentation: commands', () => {
	it('every `npm run <script>` of README.md and docs/*.md (code blocks too) is a script of package.json, every scripts/*.sh a file', () => {
		const { scripts } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
		const problems: string[] = [];
		for (const file of markdownFiles()) {
			const text = readMarkdown(file);
			for (const [, name] of text.matchAll(/npm run (?:--silent )?([a-z][a-z0-9:-]*)/g)) if (!(name in scripts)) problems.push(`${file}: npm run ${name}`);
			for (const [script] of text.matchAll(/scripts\/[a-z0-9-]+\.sh/g)) if (!existsSync(path.join(REPO_ROOT, script))) problems.push(`${file}: ${script}`);
		}
		assert.deepEqual(problems, []);
	});
});

describe('Documentation: metric names', () => {
	it('every backticked metric of README.md and docs/*.md is one the registry exposes, with the labels it names', async () => {
		const exposed = await exposedSeriesNames();
		for (const metric of await registry.getMetricsAsJSON()) exposed.add(metric.name);
		// Ours and prom-client's process metrics, by their prefixes and Prometheus' unit suffixes (rule
		// names such as `doris_rejected` have none).
		const metricLike = /`((?:kafka|batch|doris|sinker|json_parse|process|nodejs)_[a-z0-9_]*_(?:total|seconds|bytes|lag|rows|offset|in_flight|info))(\{[^}`]*\})?`/g;
		const problems: string[] = [];
		let checked = 0;
		for (const file of markdownFiles()) {
			for (const match of prose(readMarkdown(file)).matchAll(metricLike)) {
				const [, name, braces] = match;
				checked++;
				if (!exposed.has(name)) {
					problems.push(`${file}: ${name} is no metric of src/metrics/metrics.ts or prom-client's process metrics`);
					continue;
				}
				if (braces === undefined || braces.includes('…')) continue;
				const labelNames = (registry.getSingleMetric(name) as unknown as { labelNames?: readonly string[] } | undefined)?.labelNames ?? [];
				const named = braces
					.slice(1, -1)
					.split(',')
					.map((label) => label.split('=')[0].trim())
					.filter((label) => label !== '');
				for (const label of named) if (!labelNames.includes(label)) problems.push(`${file}: ${name} has no label ${label} (its labels: ${labelNames.join(', ')})`);
			}
		}
		assert.ok(checked >= 20, `only ${checked} metric names found in the documentation`);
		assert.deepEqual(problems, []);
	});
});

/** Code, script and manifest files under these folders (results and installed packages left out), relative to the repository. */
function sourceFiles(dirs: string[]): string[] {
	const files: string[] = [];
	const walk = (dir: string): void => {
		for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
			const relative = `${dir}/${entry.name}`;
			if (entry.isDirectory()) {
				if (entry.name !== 'node_modules' && relative !== 'bench/results') walk(relative);
			} else if (/\.(?:ts|mjs|js|sh|ya?ml)$/.test(entry.name)) {
				files.push(relative);
			}
		}
	};
	for (const dir of dirs) walk(dir);
	return files;
}

/** The text of every file that may read an environment variable (not the documentation, not results). */
function codeText(): string {
	const files = ['Dockerfile', ...sourceFiles(['src', 'nodes', 'credentials', 'scripts', 'test', 'bench', 'examples', 'deployments', '.github'])];
	return files.map((file) => readFileSync(path.join(REPO_ROOT, file), 'utf8')).join('\n');
}

describe('Documentation: environment variables', () => {
	it("every variable of this package, its scripts and tests that README.md and docs/*.md name is one the code reads (n8n's own are n8n's)", () => {
		const code = codeText();
		const variable = /(?<![A-Za-z0-9_])((?:DORIS|DEMO|KAFKA|QUEUE|REGISTRY|PROMETHEUS|RELIABILITY|SCALE|BENCH|RECORD|CHROMIUM|UPDATE|GROUND|TOKEN_SERVICE|SCHEMA_REGISTRY)_[A-Z0-9_]*[A-Z0-9])(?![A-Za-z0-9_])/g;
		const unread = new Set<string>();
		let checked = 0;
		for (const file of markdownFiles()) {
			for (const [, name] of prose(readMarkdown(file)).matchAll(variable)) {
				checked++;
				if (!new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(code)) unread.add(`${file}: ${name}`);
			}
		}
		assert.ok(checked >= 20, `only ${checked} variables found in the documentation`);
		assert.deepEqual([...unread], []);
	});
});

/** Phrases that mean something only inside this project's history, never to a user. */
const SHORTHAND = [/Go doris-sinker/i, /\bGo sinker\b/i, /max_fetch_(?:records|bytes)/, /\bissue #?\d+/i, /\bthe issue's\b/i, /\bthe guide's\b/i, /\bthird session\b/i, /\/work\//, /notes §/];

describe('No internal shorthand', () => {
	it('README.md, docs/*.md and the texts of the nodes and credentials use none', () => {
		const texts: Array<[string, string]> = [
			...markdownFiles().map((file): [string, string] => [file, prose(readMarkdown(file))]),
			...Object.entries(descriptions).flatMap(([key, description]) => strings(description).map((text): [string, string] => [`node ${key}`, text])),
			...credentials.flatMap((credential) => strings(credential.properties).map((text): [string, string] => [`credential ${credential.name}`, text])),
		];
		const found = texts.flatMap(([where, text]) => SHORTHAND.filter((pattern) => pattern.test(text)).map((pattern) => `${where}: ${pattern}`));
		assert.deepEqual([...new Set(found)], []);
	});

	it('the package\'s code (src/, nodes/, credentials/) explains itself without naming another project as its model', () => {
		const unnamed = [/Go doris-sinker/i, /\bGo sinker\b/i];
		const found = sourceFiles(['src', 'nodes', 'credentials']).filter((file) => unnamed.some((pattern) => pattern.test(readFileSync(path.join(REPO_ROOT, file), 'utf8'))));
		assert.deepEqual(found, []);
	});
});

/** A parameter's default as README's table writes it: on / off, an option's name, the number or text. */
function defaultAsShown(property: INodeProperties): string {
	const value = property.default;
	if (typeof value === 'boolean') return value ? 'on' : 'off';
	if (property.type === 'options') {
		const option = property.options?.find((o) => 'value' in o && o.value === value);
		return option === undefined ? String(value) : withoutQualifier(option.name);
	}
	return String(value);
}
