/** `{"id":"x"<tail>,"nested":[[…]]}`: `depth` levels in all (the root object is one), ~2 bytes a level. */
export function nestedJson(depth: number, tail = ''): string {
	return `{"id":"x"${tail},"nested":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}
