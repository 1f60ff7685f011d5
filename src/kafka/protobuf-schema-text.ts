/**
 * Protobuf schema text as protobufjs 7 can parse it.
 *
 * Schemas written by Confluent's tools carry custom options in the aggregate (text format) form with
 * lists of messages: Kafka Connect's ProtobufConverter marks an INT16 column
 * `int32 qty = 1 [(confluent.field_meta) = { params: [ { key: "connect.type", value: "int16" } ] }];`
 * and a decimal's precision and scale the same way, Flink and data contracts add `params` / `rules`
 * lists. protobufjs 7.6.6's parser refuses a message inside such a list ("illegal value '{'",
 * protobufjs issue #1878, fixed in its 8.x line only), so every value of such a schema went to the
 * invalid output.
 *
 * Custom options never change how a value is encoded or decoded (they are annotations a program
 * reads from the descriptor), and nothing here reads them: the value of each custom option written
 * as an aggregate, `(name) = { … }` or `(name).field = { … }`, is replaced by `true`, keeping its line
 * breaks so protobufjs' error lines still point at the registry's text. Strings and comments are
 * skipped as protobuf's tokenizer skips them; built-in options (`packed`, `deprecated`, `default`,
 * `json_name`) never take an aggregate and are left alone.
 */

/** The text before a `{` ends with a custom option's name and `=`: `(confluent.field_meta) =` or `(validate.rules).string =`. */
const CUSTOM_OPTION_BEFORE = /\)\s*(?:\.\s*[A-Za-z_][\w.]*\s*)?=\s*$/;

/** Index just past the string literal that starts at `start` (protobuf strings never span lines). */
function stringEnd(text: string, start: number): number {
	const quote = text[start];
	for (let i = start + 1; i < text.length; i++) {
		if (text[i] === '\\') i++;
		else if (text[i] === quote || text[i] === '\n') return i + 1;
	}
	return text.length;
}

/** Index just past the comment at `start`, or `start` when none starts there. */
function commentEnd(text: string, start: number): number {
	if (text[start] !== '/') return start;
	if (text[start + 1] === '/') {
		const end = text.indexOf('\n', start);
		return end === -1 ? text.length : end;
	}
	if (text[start + 1] === '*') {
		const end = text.indexOf('*/', start + 2);
		return end === -1 ? text.length : end + 2;
	}
	return start;
}

/** Index just past the string literal or comment at `start`, or `start` when neither starts there. */
function skipStringOrComment(text: string, start: number): number {
	const c = text[start];
	return c === '"' || c === "'" ? stringEnd(text, start) : commentEnd(text, start);
}

/** Index just past the `}` that closes the aggregate opened at `start`; -1 when it never closes. */
function aggregateEnd(text: string, start: number): number {
	let depth = 0;
	let i = start;
	while (i < text.length) {
		const skipped = skipStringOrComment(text, i);
		if (skipped !== i) {
			i = skipped;
			continue;
		}
		const c = text[i];
		if (c === '{') depth++;
		else if (c === '}' && --depth === 0) return i + 1;
		i++;
	}
	return -1;
}

/** `text` with every custom option's aggregate value replaced by `true` (module header); unchanged when it has none. */
export function withoutCustomOptionValues(text: string): string {
	if (!text.includes('{')) return text;
	let out = '';
	let copied = 0;
	let i = 0;
	while (i < text.length) {
		const skipped = skipStringOrComment(text, i);
		if (skipped !== i) {
			i = skipped;
			continue;
		}
		const c = text[i];
		if (c === '{' && CUSTOM_OPTION_BEFORE.test(text.slice(Math.max(0, i - 200), i))) {
			const end = aggregateEnd(text, i);
			if (end !== -1) {
				out += `${text.slice(copied, i)}true${'\n'.repeat(text.slice(i, end).split('\n').length - 1)}`;
				copied = i = end;
				continue;
			}
		}
		i++;
	}
	return copied === 0 ? text : out + text.slice(copied);
}
