/**
 * SASL/OAUTHBEARER tokens for kafkajs. kafkajs asks its `oauthBearerProvider` for a token at every
 * (re)authentication of every broker connection and leaves reuse and refresh to it, so this keeps one
 * token per credential and fetches a new one once 80 % of its lifetime has passed (Kafka's Java client
 * default, `sasl.login.refresh.window.factor`), or when it cannot tell the lifetime, at every login.
 *
 * Tokens come from an OAuth 2.0 token endpoint with the client credentials grant, sent as Kafka's Java
 * client sends it (KIP-768 HttpAccessTokenRetriever: HTTP Basic with the URL-encoded client id and
 * secret, `grant_type=client_credentials` and the optional `scope` form-encoded), or a fixed token.
 * The lifetime is the answer's `expires_in`, else the token's JWT `exp` claim. Errors name the token
 * URL and the HTTP status, never the secret or the token.
 */
export type OAuthTokenSource =
	| { kind: 'clientCredentials'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string }
	| { kind: 'static'; token: string };

export interface OAuthBearerToken {
	value: string;
	/** SASL extensions (KIP-342), e.g. Confluent Cloud's logicalCluster and identityPoolId. */
	extensions?: Record<string, string>;
}

const REFRESH_WINDOW = 0.8;

interface CachedToken {
	value: string;
	/** Epoch ms after which a new token is fetched; 0 = fetch at every login. */
	refreshAt: number;
}

export function createOAuthBearerProvider(
	source: OAuthTokenSource,
	extensions: Record<string, string> = {},
	now: () => number = Date.now,
): () => Promise<OAuthBearerToken> {
	const withExtensions = (value: string): OAuthBearerToken => (Object.keys(extensions).length > 0 ? { value, extensions } : { value });
	if (source.kind === 'static') {
		if (source.token.trim() === '') throw new Error('Kafka OAUTHBEARER: the token is empty');
		return async () => withExtensions(source.token.trim());
	}
	let cached: CachedToken | undefined;
	let fetching: Promise<CachedToken> | undefined;
	return async () => {
		if (cached && now() < cached.refreshAt) return withExtensions(cached.value);
		// Connections to several brokers log in at once: one request serves them all.
		fetching ??= fetchToken(source, now).finally(() => (fetching = undefined));
		cached = await fetching;
		return withExtensions(cached.value);
	};
}

async function fetchToken(source: Extract<OAuthTokenSource, { kind: 'clientCredentials' }>, now: () => number): Promise<CachedToken> {
	const started = now();
	const body = new URLSearchParams({ grant_type: 'client_credentials' });
	if (source.scope) body.set('scope', source.scope);
	const basic = Buffer.from(`${encodeURIComponent(source.clientId)}:${encodeURIComponent(source.clientSecret)}`).toString('base64');
	let response: Response;
	try {
		response = await fetch(source.tokenUrl, {
			method: 'POST',
			headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
			body,
			signal: AbortSignal.timeout(10_000),
		});
	} catch (error) {
		const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
		throw new Error(`Kafka OAUTHBEARER: cannot reach the token endpoint ${source.tokenUrl}: ${cause}`);
	}
	const text = await response.text().catch(() => '');
	if (!response.ok) {
		throw new Error(`Kafka OAUTHBEARER: the token endpoint ${source.tokenUrl} refused client "${source.clientId}" (HTTP ${response.status}): ${oauthError(text)}`);
	}
	let answer: { access_token?: unknown; expires_in?: unknown };
	try {
		answer = JSON.parse(text) as typeof answer;
	} catch {
		throw new Error(`Kafka OAUTHBEARER: the token endpoint ${source.tokenUrl} did not answer with JSON`);
	}
	if (typeof answer.access_token !== 'string' || answer.access_token === '') {
		throw new Error(`Kafka OAUTHBEARER: the token endpoint ${source.tokenUrl} answered without an access_token`);
	}
	const lifetimeMs = lifetimeOf(answer.access_token, answer.expires_in, started);
	return { value: answer.access_token, refreshAt: lifetimeMs === undefined ? 0 : started + lifetimeMs * REFRESH_WINDOW };
}

/** The token's lifetime in ms: `expires_in` (seconds), else the JWT `exp` claim; undefined when neither says. */
function lifetimeOf(token: string, expiresIn: unknown, issuedAt: number): number | undefined {
	const seconds = Number(expiresIn);
	if (expiresIn !== undefined && Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
	const payload = token.split('.')[1];
	if (payload === undefined) return undefined;
	try {
		const exp = Number((JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp);
		return Number.isFinite(exp) && exp * 1000 > issuedAt ? exp * 1000 - issuedAt : undefined;
	} catch {
		return undefined;
	}
}

/** RFC 6749 §5.2 error fields when present (never the request's secret: the server's own words). */
function oauthError(text: string): string {
	try {
		const { error, error_description: description } = JSON.parse(text) as { error?: unknown; error_description?: unknown };
		if (typeof error === 'string') return typeof description === 'string' ? `${error}: ${description}` : error;
	} catch {
		// Not JSON: a short excerpt says more than nothing.
	}
	return text.slice(0, 200);
}

/** `key=value` pairs separated by commas (SASL extensions); throws naming a malformed entry. */
export function parseSaslExtensions(raw: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
		const equals = entry.indexOf('=');
		const key = equals === -1 ? '' : entry.slice(0, equals).trim();
		// RFC 7628 §3.1: key = 1*(ALPHA); Kafka also refuses the reserved key "auth".
		if (!/^[A-Za-z]+$/.test(key) || key === 'auth') throw new Error(`SASL extension "${entry}" is not key=value with a key of letters (and not "auth")`);
		out[key] = entry.slice(equals + 1).trim();
	}
	return out;
}
