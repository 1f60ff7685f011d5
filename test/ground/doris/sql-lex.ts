/** A small SQL tokenizer and cursor: enough for the statements the test server answers. */

export type Tok =
	| { k: 'id'; v: string; quoted: boolean }
	| { k: 'str'; v: string }
	| { k: 'num'; v: string }
	| { k: 'op'; v: string };

export class SqlError extends Error {
	constructor(
		message: string,
		readonly errno = 1105,
	) {
		super(message);
	}
}

/** Doris wraps analysis errors as "errCode = 2, detailMessage = ..." (AnalysisException / ErrorReport). */
export const analysisError = (detail: string, errno = 1105): SqlError => new SqlError(`errCode = 2, detailMessage = ${detail}`, errno);

export function tokenize(sql: string): Tok[] {
	const out: Tok[] = [];
	let i = 0;
	const n = sql.length;
	while (i < n) {
		const c = sql[i];
		if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
			i++;
			continue;
		}
		if (c === '-' && sql[i + 1] === '-') {
			while (i < n && sql[i] !== '\n') i++;
			continue;
		}
		if (c === '/' && sql[i + 1] === '*') {
			const e = sql.indexOf('*/', i + 2);
			i = e < 0 ? n : e + 2;
			continue;
		}
		if (c === "'" || c === '"') {
			let j = i + 1;
			let v = '';
			while (j < n) {
				const d = sql[j];
				if (d === '\\' && j + 1 < n) {
					const e = sql[j + 1];
					v += e === 'n' ? '\n' : e === 't' ? '\t' : e === '0' ? '\0' : e;
					j += 2;
					continue;
				}
				if (d === c) {
					if (sql[j + 1] === c) {
						v += c;
						j += 2;
						continue;
					}
					break;
				}
				v += d;
				j++;
			}
			if (j >= n) throw new SqlError(`Unterminated string in: ${sql.slice(i, i + 40)}`);
			out.push({ k: 'str', v });
			i = j + 1;
			continue;
		}
		if (c === '`') {
			const e = sql.indexOf('`', i + 1);
			if (e < 0) throw new SqlError('Unterminated identifier');
			out.push({ k: 'id', v: sql.slice(i + 1, e), quoted: true });
			i = e + 1;
			continue;
		}
		if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
			let j = i;
			while (j < n && /[0-9.eE]/.test(sql[j])) j++;
			out.push({ k: 'num', v: sql.slice(i, j) });
			i = j;
			continue;
		}
		if (/[A-Za-z_@$]/.test(c) || c.charCodeAt(0) > 127) {
			let j = i;
			while (j < n && (/[A-Za-z0-9_@$.]/.test(sql[j]) || sql.charCodeAt(j) > 127)) {
				if (sql[j] === '.' && !(c === '@')) break;
				j++;
			}
			out.push({ k: 'id', v: sql.slice(i, j), quoted: false });
			i = j;
			continue;
		}
		const two = sql.slice(i, i + 2);
		if (['<=', '>=', '!=', '<>'].includes(two)) {
			out.push({ k: 'op', v: two });
			i += 2;
			continue;
		}
		out.push({ k: 'op', v: c });
		i++;
	}
	while (out.length && out[out.length - 1].k === 'op' && out[out.length - 1].v === ';') out.pop();
	return out;
}

export class Cursor {
	i = 0;
	constructor(
		readonly toks: Tok[],
		readonly sql: string,
	) {}

	peek(o = 0): Tok | undefined {
		return this.toks[this.i + o];
	}
	done(): boolean {
		return this.i >= this.toks.length;
	}
	/** Is the next token the keyword `w` (unquoted identifier, case-insensitive)? */
	isKw(w: string, o = 0): boolean {
		const t = this.toks[this.i + o];
		return t !== undefined && t.k === 'id' && !t.quoted && t.v.toUpperCase() === w;
	}
	acceptKw(...ws: string[]): boolean {
		for (let o = 0; o < ws.length; o++) if (!this.isKw(ws[o], o)) return false;
		this.i += ws.length;
		return true;
	}
	expectKw(...ws: string[]): void {
		if (!this.acceptKw(...ws)) throw this.syntax(`expected ${ws.join(' ')}`);
	}
	isOp(v: string, o = 0): boolean {
		const t = this.toks[this.i + o];
		return t !== undefined && t.k === 'op' && t.v === v;
	}
	acceptOp(v: string): boolean {
		if (!this.isOp(v)) return false;
		this.i++;
		return true;
	}
	expectOp(v: string): void {
		if (!this.acceptOp(v)) throw this.syntax(`expected '${v}'`);
	}
	ident(): string {
		const t = this.toks[this.i];
		if (!t || t.k !== 'id') throw this.syntax('expected a name');
		this.i++;
		return t.v;
	}
	/** `name` or `db.name` → [db | undefined, name]. */
	qualified(): [string | undefined, string] {
		const a = this.ident();
		if (this.acceptOp('.')) return [a, this.ident()];
		return [undefined, a];
	}
	str(): string {
		const t = this.toks[this.i];
		if (!t || (t.k !== 'str' && t.k !== 'num' && t.k !== 'id')) throw this.syntax('expected a value');
		this.i++;
		return t.v;
	}
	/** Skips a balanced ( ... ) group starting at the current '('. */
	skipGroup(): void {
		this.expectOp('(');
		let depth = 1;
		while (depth > 0) {
			const t = this.toks[this.i++];
			if (!t) throw this.syntax("unbalanced '('");
			if (t.k === 'op' && t.v === '(') depth++;
			if (t.k === 'op' && t.v === ')') depth--;
		}
	}
	syntax(what: string): SqlError {
		const t = this.toks[this.i];
		return new SqlError(`errCode = 2, detailMessage = Syntax error near '${t ? t.v : 'end of input'}': ${what}`, 1064);
	}
}
