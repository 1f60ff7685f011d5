/**
 * Writes `value` under `key` as an own property of `target`, whatever the key. `JSON.parse` makes a
 * `"__proto__"` key an own property, but assigning `out["__proto__"] = v` to a plain object sets its
 * prototype instead: the entry vanished from the row without a word (a JSON column's map lost that key).
 * Every loop that rebuilds a decoded value key by key writes through this.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
	if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
	else target[key] = value;
}
