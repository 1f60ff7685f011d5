/**
 * The redirect layer: follows Doris' redirects by hand around one HTTP exchange, re-sending the
 * same body and the same credentials (what curl's `--location-trusted` does).
 *
 * Two redirects reach a load, told apart here because only a BE's "100 Continue" says a load's
 * transaction began (request.ts):
 * - FE → BE: LoadAction → RestBaseController.redirectTo (fe/fe-core/src/main/java/org/apache/doris/
 *   httpv2/rest/RestBaseController.java, `getRedirectUrL`) builds the Location as
 *   `new URI(scheme, "user:password", host, port, path, "", null)` plus the request's query string,
 *   i.e. `http://user:password@be:8040/api/db/tbl/_stream_load?`; the userinfo is there only when the
 *   request carried Authorization. It is our own credentials echoed back: it is dropped and our
 *   Authorization header sent instead; it never reaches a log (every URL in a message goes through
 *   `redactUrl`).
 * - FE → the same FE's https port, when the FE has `enable_https` and was asked over http
 *   (same file, `needRedirect` / `redirectToHttps`, 2.1 and 3.x): `https://{server name}:{https_port}
 *   {uri}?{query}`, no userinfo. LoadAction.streamLoad does it before the password and Expect checks.
 * A hop is an FE hop when its address is a configured FE, or when an FE sent us to its own host
 * without userinfo; every other target is a BE. Every PUT hop carries `Expect` (request.ts).
 */
import { StreamLoadError, redactUrl } from './errors';
import type { HopKind, HttpAnswer, HttpRequest, HttpSend } from './http-types';

export interface Hop {
	/** The hop's origin (credentials removed). */
	origin: string;
	hostname: string;
	kind: HopKind;
}

export interface FollowedAnswer extends HttpAnswer {
	/** Where the final answer came from (credentials removed). */
	finalUrl: string;
	/** The hops visited, first to last: FE(s) then BE. */
	hops: Hop[];
}

/** An exchange with its redirects followed. */
export type FollowingSend = (request: HttpRequest) => Promise<FollowedAnswer>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface RedirectOptions {
	/** `host:port` of every configured FE. */
	feHosts: ReadonlySet<string>;
	maxRedirects?: number;
}

function hop(url: URL, kind: HopKind): Hop {
	return { origin: redactUrl(url.origin), hostname: url.hostname.toLowerCase(), kind };
}

export function followRedirects(send: HttpSend, options: RedirectOptions): FollowingSend {
	const maxRedirects = options.maxRedirects ?? 3;
	return async (request) => {
		let url = request.url;
		const hops: Hop[] = [hop(url, options.feHosts.has(url.host) ? 'fe' : 'be')];
		for (let count = 0; ; count++) {
			const current = hops[hops.length - 1];
			const progress = request.progress;
			const answer = await send({ ...request, url, progress: progress && { ...progress, continued: () => progress.continued?.(current.kind) } });
			if (!REDIRECTS.has(answer.status)) return { ...answer, finalUrl: redactUrl(url), hops };
			const location = answer.headers.location;
			if (typeof location !== 'string' || location === '') {
				throw new StreamLoadError(`${redactUrl(url)} answered ${answer.status} without a Location`, { kind: 'http', retryable: true });
			}
			if (count >= maxRedirects) {
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
			const toOwnHost = current.kind === 'fe' && next.username === '' && next.hostname.toLowerCase() === current.hostname;
			next.username = '';
			next.password = '';
			// The FE appends an empty query ("...?"): harmless, but keep the URL tidy for messages.
			if (next.search === '?') next.search = '';
			url = next;
			hops.push(hop(url, options.feHosts.has(url.host) || toOwnHost ? 'fe' : 'be'));
		}
	};
}
