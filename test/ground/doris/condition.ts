/**
 * The small condition language of the `where` and `delete` headers: `col op literal` joined by AND / OR
 * (no parentheses). Doris accepts any boolean expression there; the test server keeps to comparisons.
 */
export interface Cmp {
	col: string;
	op: '=' | '!=' | '<' | '<=' | '>' | '>=';
	value: string | number | null;
}
export type Condition = { or: Cmp[][] };

const CMP_RE = /^\s*`?([A-Za-z_][A-Za-z0-9_]*)`?\s*(=|!=|<>|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?|'[^']*'|"[^"]*"|null)\s*$/i;

export function parseCondition(text: string): Condition {
	const or = text.split(/\s+or\s+/i).map((part) =>
		part.split(/\s+and\s+/i).map((c) => {
			const m = CMP_RE.exec(c);
			if (!m) throw new Error(`test server: unsupported condition '${c.trim()}' (use col = literal, joined by AND/OR)`);
			const raw = m[3];
			const value = /^null$/i.test(raw) ? null : /^['"]/.test(raw) ? raw.slice(1, -1) : Number(raw);
			return { col: m[1], op: (m[2] === '<>' ? '!=' : m[2]) as Cmp['op'], value };
		}),
	);
	return { or };
}

export function evalCondition(c: Condition, get: (col: string) => unknown): boolean {
	return c.or.some((all) => all.every((cmp) => test(cmp, get(cmp.col))));
}

function test(c: Cmp, v: unknown): boolean {
	if (v === null || v === undefined || c.value === null) return false;
	let a: number | string;
	let b: number | string;
	if (typeof c.value === 'number') {
		a = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
		b = c.value;
		if (Number.isNaN(a)) return false;
	} else {
		a = String(v);
		b = c.value;
	}
	switch (c.op) {
		case '=':
			return a === b;
		case '!=':
			return a !== b;
		case '<':
			return a < b;
		case '<=':
			return a <= b;
		case '>':
			return a > b;
		case '>=':
			return a >= b;
	}
}
