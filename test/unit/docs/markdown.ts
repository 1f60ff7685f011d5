/**
 * What the documentation tests read from the Markdown files: their prose without code blocks, their
 * relative links, their headings' anchors as GitHub makes them, and backticked repository paths.
 */
import { existsSync, globSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** README.md and every docs/*.md, as paths relative to the repository. */
export function markdownFiles(): string[] {
	const docs = readdirSync(path.join(REPO_ROOT, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`);
	return ['README.md', ...docs];
}

export function readMarkdown(file: string): string {
	return readFileSync(path.join(REPO_ROOT, file), 'utf8');
}

/** The text outside fenced code blocks (a link or `#` there is code, not Markdown). */
export function prose(markdown: string): string {
	return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

/**
 * A heading's anchor as github-slugger makes it: inline markup dropped (link text and code kept),
 * lower case, every character that is not a letter, digit, space, `-` or `_` removed, each space a `-`
 * (runs are not collapsed: "20 × 5000" gives "20--5000").
 */
export function githubSlug(heading: string): string {
	const text = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/[*`]/g, '');
	return text
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** Every anchor a file's headings give, duplicates numbered as GitHub numbers them (-1, -2, …). */
export function anchors(markdown: string): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	for (const match of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
		const slug = githubSlug(match[1]);
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		result.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return result;
}

export interface Link {
	file: string;
	target: string;
}

/** Inline links and images whose target is not a URL (`[text](target)`). */
export function relativeLinks(file: string): Link[] {
	const links: Link[] = [];
	for (const match of prose(readMarkdown(file)).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
		const target = match[1];
		if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ file, target });
	}
	return links;
}

/** Where a link leads, or why it leads nowhere. */
export function brokenLink({ file, target }: Link): string | undefined {
	const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
	const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(pathPart)));
	if (resolved.startsWith('..')) return `${file}: ${target} leads outside the repository`;
	if (!existsSync(path.join(REPO_ROOT, resolved))) return `${file}: ${target} (${resolved} does not exist)`;
	if (anchor !== undefined && resolved.endsWith('.md') && !anchors(readMarkdown(resolved)).has(anchor)) {
		return `${file}: ${target} (no heading of ${resolved} has the anchor #${anchor})`;
	}
	return undefined;
}

/** Folders the tools write (`npm run bench -- --cpu-prof`'s default), absent from a fresh clone. */
const GENERATED = ['bench/results/profiles'];

/** The repository's top-level entries a backticked path can start with. */
const TOP_LEVEL = /^(?:\.github|\.ci|src|nodes|credentials|test|scripts|bench|examples|deployments|docs)\//;

/**
 * Backticked paths into the repository (`src/batch/registry.ts`, `bench/results/…-{eager,lazy}-x.md`)
 * that name no file: a placeholder (`<Node>`, `…`) is skipped, a `*` or `{a,b}` must match something.
 */
export function missingPaths(file: string): string[] {
	const missing: string[] = [];
	for (const match of prose(readMarkdown(file)).matchAll(/`([^`\s]+)`/g)) {
		const candidate = match[1].replace(/[.,:;]$/, '');
		if (!TOP_LEVEL.test(candidate) || /[<>…]/.test(candidate) || GENERATED.includes(candidate)) continue;
		const found = /[*{]/.test(candidate) ? globSync(candidate, { cwd: REPO_ROOT }).length > 0 : existsSync(path.join(REPO_ROOT, candidate));
		if (!found) missing.push(`${file}: \`${candidate}\``);
	}
	return missing;
}
