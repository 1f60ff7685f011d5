// README.md and docs/*.md as a newcomer reads them: links lead somewhere, paths name files, the node
// options they name are the ones the nodes show (on the node they are said to belong to, with the
// defaults the nodes have), and no shorthand of the project's own history leaks into them or into the
// nodes' descriptions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { INodeProperties } from 'n8n-workflow';

import { brokenLink, markdownFiles, missingPaths, prose, readMarkdown, relativeLinks } from './markdown';
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
