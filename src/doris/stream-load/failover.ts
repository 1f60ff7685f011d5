/**
 * The failover layer: turns a load into a PUT and sends it to the FEs (or, in direct mode, the
 * BEs) until one is reached. Connection refused / unreachable before anything was sent means the
 * load never began there, so the next address is tried at once, inside the same attempt; any
 * other failure goes up to the retry layer. An FE that answered becomes the preferred one (later
 * loads and get_load_state go there first); BEs given directly are used round-robin. A "100
 * Continue" from a BE is noted in the load's history: Doris then held the label for us (the BE's
 * on_header begins the transaction, and be/src/http/ev_http_server.cpp removes Expect, so libevent
 * sends no 100, whenever on_header refused).
 */
import { redactUrl } from './errors';
import type { HopKind } from './http-types';
import type { LoadCall, LoadSend, StreamLoadLogger } from './load-call';
import type { FollowedAnswer, FollowingSend } from './redirect';
import { isConnectFailure, type TransportError } from './request';

export interface LoadAddresses {
	feUrls: string[];
	/** Load straight to these BEs (round-robin) instead of through an FE redirect. */
	beUrls?: string[];
}

export interface FailoverOptions {
	authorization: string;
	timeoutMs: number;
	continueTimeoutMs?: number;
	logger?: StreamLoadLogger;
}

export interface Failover {
	send: LoadSend<FollowedAnswer>;
	/** The FE that answered last (the first one before any did); undefined without FEs. */
	currentFe(): string | undefined;
	/** The current FE (or the BE behind it) got stuck: start the next load at the next FE. */
	skipFe(): void;
}

export function failover(next: FollowingSend, addresses: LoadAddresses, options: FailoverOptions): Failover {
	const direct = addresses.beUrls ?? [];
	const bases = direct.length > 0 ? direct : addresses.feUrls;
	const kind = direct.length > 0 ? 'BE' : 'FE';
	let preferredFe = 0;
	let nextBe = 0;

	const send = async ({ request, history, progress }: LoadCall): Promise<FollowedAnswer> => {
		const reports = {
			...progress,
			continued: (hop?: HopKind) => {
				if (hop === 'be') history.labelHeld = true;
				progress?.continued?.(hop);
			},
		};
		const path = `/api/${encodeURIComponent(request.database)}/${encodeURIComponent(request.table)}/_stream_load`;
		const start = direct.length > 0 ? nextBe++ % direct.length : preferredFe % bases.length;
		let lastError: unknown;
		for (let i = 0; i < bases.length; i++) {
			const index = (start + i) % bases.length;
			const url = new URL(path, bases[index]);
			try {
				const answer = await next({
					method: 'PUT',
					url,
					headers: { ...request.headers, Authorization: options.authorization },
					body: request.body,
					continueTimeoutMs: options.continueTimeoutMs,
					progress: reports,
					timeoutMs: options.timeoutMs,
					signal: request.signal,
				});
				if (direct.length === 0) preferredFe = index;
				return answer;
			} catch (error) {
				lastError = error;
				if (!isConnectFailure(error) || i === bases.length - 1) throw error;
				options.logger?.warn(`Doris ${kind} ${redactUrl(url.origin)} unreachable (${(error as TransportError).code}); trying the next one`);
			}
		}
		throw lastError;
	};

	return {
		send,
		currentFe: () => (addresses.feUrls.length === 0 ? undefined : addresses.feUrls[preferredFe % addresses.feUrls.length]),
		skipFe: () => {
			preferredFe++;
		},
	};
}
