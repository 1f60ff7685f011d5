/**
 * The redirect layer: follows Doris' redirects by hand around one HTTP exchange. The FE answers a
 * load with 307 to a BE (or, with enable_https, to its own https port), and the request must be
 * repeated there with the same body and the same credentials (what curl's `--location-trusted`
 * does). The FE builds the Location as `http://user:password@be:8040/api/db/tbl/_stream_load?`
 * (LoadAction → RestBaseController.redirectTo, `new URI(scheme, "user:password", host, port, path,
 * "", null)`): the userinfo is our own credentials echoed back, so it is dropped and our
 * Authorization header is sent instead. It never reaches a log: every URL in a message goes through
 * `redactUrl`.
 *
 * Only the first hop of a load through an FE is the FE leg (node:http, `Expect`); a redirect target
 * is taken for a BE and gets the body through the pool, without `Expect` (request.ts). Should the
 * target be an FE after all (an FE sending a load on to another FE port), it says "There is no
 * 100-continue header", and that hop is repeated as an FE leg.
 */
import { StreamLoadError, redactUrl } from './errors';
import type { HttpAnswer, HttpRequest, HttpSend } from './http-types';

export interface FollowedAnswer extends HttpAnswer {
	/** Where the final answer came from (credentials removed). */
	finalUrl: string;
	/** The hosts visited, for messages: FE then BE. */
	hops: string[];
}

/** An exchange with its redirects followed. */
export type FollowingSend = (request: HttpRequest) => Promise<FollowedAnswer>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const NO_EXPECT = /There is no 100-continue header/;

export function followRedirects(send: HttpSend, maxRedirects = 3): FollowingSend {
	return async (request) => {
		let url = request.url;
		let feLeg = request.expectContinue === true;
		const hops: string[] = [url.host];
		for (let hop = 0; ; hop++) {
			let answer = await send({ ...request, url, expectContinue: feLeg });
			if (!feLeg && request.method === 'PUT' && answer.status === 200 && NO_EXPECT.test(answer.body)) {
				answer = await send({ ...request, url, expectContinue: true });
			}
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
			feLeg = false;
			hops.push(url.host);
		}
	};
}
