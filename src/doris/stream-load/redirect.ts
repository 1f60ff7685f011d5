/**
 * Follows Doris' redirects by hand: the FE answers a load with 307 to a BE (or, with enable_https,
 * to its own https port), and the request must be repeated there with the same body and the same
 * credentials (what curl's `--location-trusted` does). The FE builds the Location as
 * `http://user:password@be:8040/api/db/tbl/_stream_load?` (LoadAction → RestBaseController.redirectTo,
 * `new URI(scheme, "user:password", host, port, path, "", null)`): the userinfo is our own
 * credentials echoed back, so it is dropped and our Authorization header is sent instead. It never
 * reaches a log: every URL in a message goes through `redactUrl`.
 */
import { StreamLoadError, redactUrl } from './errors';
import { sendRequest, type HttpAgents, type HttpAnswer, type HttpRequest } from './request';

export interface FollowedAnswer extends HttpAnswer {
	/** Where the final answer came from (credentials removed). */
	finalUrl: string;
	/** The hosts visited, for messages: FE then BE. */
	hops: string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function sendFollowingRedirects(agents: HttpAgents, request: HttpRequest, maxRedirects = 3): Promise<FollowedAnswer> {
	let url = request.url;
	const hops: string[] = [url.host];
	for (let hop = 0; ; hop++) {
		const answer = await sendRequest(agents, { ...request, url });
		if (!REDIRECTS.has(answer.status)) return { ...answer, finalUrl: redactUrl(url), hops };
		const location = answer.headers.location;
		if (typeof location !== 'string' || location === '') {
			throw new StreamLoadError(`${redactUrl(url)} answered ${answer.status} without a Location`, { kind: 'http', retryable: true });
		}
		if (hop >= maxRedirects) {
			throw new StreamLoadError(`Too many redirects (more than ${maxRedirects}) starting at ${redactUrl(request.url)}`, { kind: 'http', retryable: false });
		}
		let next: URL;
		try {
			next = new URL(location, url);
		} catch {
			throw new StreamLoadError(`${redactUrl(url)} redirected to an invalid Location`, { kind: 'http', retryable: true });
		}
		if (next.protocol !== 'http:' && next.protocol !== 'https:') {
			throw new StreamLoadError(`${redactUrl(url)} redirected to a ${next.protocol} URL`, { kind: 'http', retryable: false });
		}
		next.username = '';
		next.password = '';
		// The FE appends an empty query ("...?"): harmless, but keep the URL tidy for messages.
		if (next.search === '?') next.search = '';
		url = next;
		hops.push(url.host);
	}
}
