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

function run(input: string, steps: Step[]): { text: string; bytes: Buffer; byteLength: number } {
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

	it('a lone surrogate is written as U+FFFD, as Buffer.from writes it', () => {
		const input = 'a\ud800b\udc00c';
		const got = run(input, [{ kind: 'copy', from: 0, to: input.length }]);
		assert.deepEqual(got.bytes, Buffer.from(input, 'utf8'));
	});
});
