/**
 * Names that reach a Stream Load request: the database and table go into the URL path
 * (`/api/{db}/{table}/_stream_load`), column names into the `columns` header (the label prefix is
 * checked by stream-load/labels.ts, every header value for CR/LF by stream-load/headers.ts). The client
 * percent-encodes the path segments, but a segment of "." or ".." is still a dot-segment that URL
 * resolution removes (WHATWG URL: `/api/db/../_stream_load` becomes `/api/_stream_load`), and a
 * control character in a header value would end the header line. Doris' own names cannot hold any
 * of these (fe-core common/FeNameFormat.java: databases `^[a-zA-Z][a-zA-Z0-9-_]{0,63}$`, tables
 * `^[a-zA-Z][a-zA-Z0-9-_]*$`, plus letters of any script with enable_unicode_name_support), so refusing
 * them early costs nothing and gives a clear error instead of a request that reaches another endpoint
 * or a mangled header. Column names may hold much more there (spaces, "/", "?", "#", ","), so only
 * control characters are refused for them.
 */

export type DorisNameKind = 'Database' | 'Table' | 'Column';

// C0 controls (CR, LF, NUL, TAB...) and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are refused.
const CONTROL = /[\x00-\x1f\x7f]/;
// Characters that carry meaning in a URL path or query.
const PATH_CHARACTERS = /[/\\?#]/;

/** Returns `name` when it is safe in a URL path segment or header; throws naming the kind and the value otherwise. */
export function checkDorisName(kind: DorisNameKind, name: string): string {
	const shown = JSON.stringify(name);
	if (name.trim() === '') throw new Error(`${kind} name is empty`);
	if (CONTROL.test(name)) {
		throw new Error(`${kind} name ${shown} contains a control character (CR, LF, tab or similar); Doris names cannot, and it would break the Stream Load request`);
	}
	// A column only travels in the `columns` header, where path characters mean nothing (and "/" may be
	// part of a column expression such as `v=a/2`).
	if (kind === 'Column') return name;
	const path = PATH_CHARACTERS.exec(name);
	if (path !== null) {
		throw new Error(`${kind} name ${shown} contains "${path[0]}"; Doris names cannot, and it would change the Stream Load URL`);
	}
	if (name.includes('..') || name === '.') {
		throw new Error(`${kind} name ${shown} contains a dot segment ("." or ".."); Doris names cannot, and it would change the Stream Load URL`);
	}
	return name;
}
