import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { LineSink } from '../../../../src/doris/schema/line-sink';

/** What a LineSink is asked to write: ranges of its input, quoted ranges, whole strings, single characters. */
type Step = { kind: 'copy'; from: number; to: number } | { kind: 'quoted'; from: number; to: number } | { kind: 'add'; text: string } | { kind: 'byte'; c: number };

/** Whether a text has no lone surrogate (String#isWellFormed, which this TypeScript target does not declare). */
function wellFormed(text: string): boolean {
	return Buffer.from(text, 'utf8').toString('utf8') === text;
}

/** The text the steps stand for, built as strings (the reference). */
function expected(input: string, steps: Step[]): string {
	let out = '';
	for (const s of steps) {
		if (s.kind === 'copy') out += input.slice(s.from, s.to);
		else if (s.kind === 'quoted') out += input.slice(s.from, s.to).replaceAll('"', '\\"');
		else if (s.kind === 'add') out += s.text;
		else if (s.kind === 'byte') out += String.fromCharCode(s.c);
	}
	return out;
}

function run(input: string, steps: Step[]): { text: string; bytes: Buffer; byteLength: number; unchanged: boolean } {
	const sink = new LineSink(input);
	for (const s of steps) {
		if (s.kind === 'copy') sink.copy(s.from, s.to);
		else if (s.kind === 'quoted') sink.copyQuoted(s.from, s.to);
		else if (s.kind === 'add') sink.add(s.text);
		else if (s.kind === 'byte') sink.byte(s.c);
	}
	const byteLength = sink.byteLength;
	return { ...sink.finish(), byteLength };
}

const text = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ maxLength: 300 }).map((s) => s.repeat(3)));
const stepsFor = (input: string) =>
	fc.array(
		fc.oneof(
			fc.tuple(fc.nat(input.length), fc.nat(input.length)).map(([a, b]): Step[] => [{ kind: 'copy', from: Math.min(a, b), to: Math.max(a, b) }]),
			// Ranges that continue one another, as a kept line's end, its "\n" and the next line's start (joined into one copy).
			fc.array(fc.nat(input.length), { minLength: 2, maxLength: 5 }).map((cuts): Step[] => {
				const at = [...cuts].sort((a, b) => a - b);
				return at.slice(1).map((to, k): Step => ({ kind: 'copy', from: at[k], to }));
			}),
			fc.tuple(fc.nat(input.length), fc.nat(input.length)).map(([a, b]): Step[] => [{ kind: 'quoted', from: Math.min(a, b), to: Math.max(a, b) }]),
			fc.string({ unit: 'grapheme', maxLength: 20 }).map((t): Step[] => [{ kind: 'add', text: t }]),
			fc.constantFrom(10, 34, 44, 92, 123, 125).map((c): Step[] => [{ kind: 'byte', c }]),
		),
		{ maxLength: 40 },
	).map((groups) => groups.flat());

describe('LineSink: the output lines as UTF-8 and as text', () => {
	it('property: its bytes are the UTF-8 of the text written, and its text is that text (ASCII input read as bytes, or not)', () => {
		fc.assert(
			fc.property(
				text.chain((input) => fc.tuple(fc.constant(input), stepsFor(input))),
				([input, steps]) => {
					// Cuts inside a surrogate pair would write lone surrogates, which the sink never gets (its header says why).
					const whole = steps.filter((s) => s.kind === 'add' || s.kind === 'byte' || wellFormed(input.slice(s.from, s.to)));
					const want = expected(input, whole);
					const got = run(input, whole);
					assert.equal(got.text, want);
					assert.deepEqual(got.bytes, Buffer.from(want, 'utf8'));
					assert.equal(got.byteLength, got.bytes.length);
				},
			),
			{ numRuns: 500 },
		);
	});

	it('grows past its first guess, and hands over a buffer of its own (transferable, not the shared pool)', () => {
		const input = 'ab"c😀';
		const steps: Step[] = Array.from({ length: 5000 }, (_, i): Step => (i % 3 === 0 ? { kind: 'quoted', from: 0, to: input.length } : i % 3 === 1 ? { kind: 'copy', from: 0, to: 3 } : { kind: 'add', text: 'ü€' }));
		const got = run(input, steps);
		assert.equal(got.text, expected(input, steps));
		assert.deepEqual(got.bytes, Buffer.from(got.text, 'utf8'));
		assert.ok(got.bytes.buffer.byteLength >= got.bytes.length && got.bytes.buffer.byteLength < 2 ** 22);
		const { port1, port2 } = new MessageChannel();
		port1.postMessage(got.bytes, [got.bytes.buffer]);
		assert.equal(got.bytes.length, 0, 'transferred (a pooled buffer could not be)');
		port1.close();
		port2.close();
	});

	it('a lone surrogate is written as U+FFFD, as Buffer.from writes it; the text is then not the input, and not said unchanged', () => {
		const input = 'a\ud800b\udc00c';
		const got = run(input, [{ kind: 'copy', from: 0, to: input.length }]);
		assert.deepEqual(got.bytes, Buffer.from(input, 'utf8'));
		assert.equal(got.unchanged, false);
	});
});

describe('LineSink: an output that is its input as it stands', () => {
	/** Cuts of [0, n) into ranges that continue one another, as kept lines (each with its "\n") are copied. */
	const cutsOf = (input: string) => fc.array(fc.nat(input.length), { maxLength: 6 }).map((cuts) => [0, ...[...cuts].sort((a, b) => a - b), input.length]);

	it('property: unchanged exactly when the copies run from the start to the end one after the other, whatever the input; its text is then the input', () => {
		fc.assert(
			fc.property(
				text.filter(wellFormed).chain((input) => fc.tuple(fc.constant(input), cutsOf(input), fc.nat(3))),
				([input, at, spoil]) => {
					const whole: Step[] = at
						.slice(1)
						.map((to, k) => ({ kind: 'copy' as const, from: at[k], to }))
						.filter((s) => wellFormed(input.slice(s.from, s.to)));
					const steps = [...whole];
					// Spoiled: a character more, a range skipped, or one copied twice.
					if (spoil === 1) steps.push({ kind: 'byte', c: 10 });
					if (spoil === 2 && input.length > 0) steps.splice(0, steps.length, { kind: 'copy', from: 0, to: input.length - 1 });
					if (spoil === 3 && input.length > 0) steps.push({ kind: 'copy', from: 0, to: 1 });
					// Cuts inside a surrogate pair would write lone surrogates, which the sink never gets (its header says why).
					if (steps.some((s) => s.kind === 'copy' && !wellFormed(input.slice(s.from, s.to)))) return;
					const got = run(input, steps);
					const want = expected(input, steps);
					assert.equal(got.text, want);
					assert.deepEqual(got.bytes, Buffer.from(want, 'utf8'));
					const contiguous = whole.length === at.length - 1;
					assert.equal(got.unchanged, contiguous && (spoil === 0 || input.length === 0) && want === input, JSON.stringify({ input, steps }));
				},
			),
			{ numRuns: 500 },
		);
	});

	it('a quoted copy, a string added or a character written is never taken for the input, even when the text comes out the same', () => {
		for (const steps of [
			[{ kind: 'quoted', from: 0, to: 3 }],
			[{ kind: 'copy', from: 0, to: 1 }, { kind: 'add', text: 'b' }, { kind: 'copy', from: 2, to: 3 }],
			[{ kind: 'copy', from: 0, to: 2 }, { kind: 'byte', c: 99 }],
		] satisfies Step[][]) {
			const got = run('abc', steps);
			assert.equal(got.text, 'abc');
			assert.equal(got.unchanged, false);
		}
	});

	it("given the input's ASCII bytes, an unchanged output is those very bytes (a worker hands its request's buffer back, no copy, no buffer of its own)", () => {
		const input = '{"id":1}\n{"id":2}\n';
		const units = new Uint8Array(Buffer.from(input, 'latin1'));
		const sink = new LineSink(input, units);
		sink.copy(0, 9);
		sink.copy(9, input.length);
		const { bytes, ascii, unchanged } = sink.finishBytes();
		assert.ok(unchanged && ascii);
		assert.equal(bytes.buffer, units.buffer);
		assert.equal(bytes.toString('latin1'), input);
		// Changed: the bytes are a buffer of the sink's own, the input's untouched.
		const other = new LineSink(input, units);
		other.copy(0, 9);
		other.add('{"id":3}\n');
		const changed = other.finishBytes();
		assert.equal(changed.unchanged, false);
		assert.notEqual(changed.bytes.buffer, units.buffer);
		assert.equal(changed.bytes.toString('latin1'), '{"id":1}\n{"id":3}\n');
	});
});
