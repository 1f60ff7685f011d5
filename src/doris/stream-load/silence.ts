/**
 * The silence watch: a BE that took the body and does not answer would hold the load until the
 * request timeout (Doris' load timeout, 600 s by default, plus a minute). Instead, `afterMs` after
 * the whole body went out with no answer, the label's state is asked (get_load_state, load-state.ts),
 * then again every `pollMs`:
 * - VISIBLE / COMMITTED: the load landed and only its answer is missing: settled, nothing re-sent;
 * - PREPARE / PRECOMMITTED: still running: keep waiting on the same exchange (its answer, or the
 *   request timeout, ends it);
 * - ABORTED: it failed: the label is free, the retry layer sends it again at once;
 * - UNKNOWN, and Doris never held the label for us (no 100 Continue from a BE): no transaction
 *   began, the BE is stuck before it: the exchange is dropped and the same label goes again after
 *   backoff, to the next FE first;
 * - UNKNOWN for a label Doris did hold: forgotten, cannot tell (label-guard.ts): fails loudly;
 * - no FE answers: keep waiting, as before.
 * The exchange is abandoned only when Doris' answer about the label is final, so a slow load is
 * never cut short while it may still commit.
 */
import { AbortError, StreamLoadError } from './errors';
import { LabelFreeAgain, answerFromState, forgottenLabel } from './label-guard';
import type { LoadSend, StreamLoadLogger } from './load-call';
import { readLabelState, type LabelStateAsker } from './load-state';
import type { SettledVerdict } from './response';

export interface SilenceOptions {
	/** Silence after the body was sent before Doris is asked; 0 = never ask. */
	afterMs: number;
	/** Between two questions while the load runs. Default 5 s. */
	pollMs?: number;
}

export const DEFAULT_SILENCE: Required<SilenceOptions> = { afterMs: 30_000, pollMs: 5000 };

export function watchSilence(
	next: LoadSend<SettledVerdict>,
	options: SilenceOptions,
	labelState: LabelStateAsker,
	hooks: { logger?: StreamLoadLogger; onStuck?: () => void } = {},
): LoadSend<SettledVerdict> {
	if (options.afterMs <= 0) return next;
	const pollMs = Math.max(10, options.pollMs ?? DEFAULT_SILENCE.pollMs);
	return (call) => {
		const { request, history } = call;
		const label = request.label;
		if (label === undefined) return next(call); // group commit: no label to ask about
		const exchange = new AbortController();
		const outer = request.signal;
		const abortExchange = () => exchange.abort();
		outer?.addEventListener('abort', abortExchange, { once: true });
		let timer: NodeJS.Timeout | undefined;
		let done = false;

		return new Promise<SettledVerdict>((resolve, reject) => {
			const settle = (end: () => void) => {
				if (done) return;
				done = true;
				clearTimeout(timer);
				outer?.removeEventListener('abort', abortExchange);
				end();
			};
			const giveUpExchange = (end: () => void) => {
				settle(end);
				exchange.abort();
			};
			const where = `Stream Load into ${request.database}.${request.table}`;
			const look = async (): Promise<void> => {
				if (done) return;
				let state;
				try {
					state = await labelState(request.database, label, outer);
				} catch (error) {
					return settle(() => reject(error));
				}
				if (done) return;
				const reading = readLabelState(state, history.labelHeld);
				switch (reading) {
					case 'loaded':
						hooks.logger?.warn(`${where}: no answer ${options.afterMs} ms after the body was sent, but Doris has the label ${state}: loaded, not sent again`, { label });
						return giveUpExchange(() => resolve({ kind: 'confirmed', response: answerFromState(request, state ?? '') }));
					case 'cannot_tell':
						return giveUpExchange(() => reject(forgottenLabel(request, 'its transaction had begun')));
					case 'free':
						if (state === 'ABORTED') {
							hooks.logger?.warn(`${where}: no answer, and Doris aborted the load (label ${label} ABORTED); sending it again`, { label });
							return giveUpExchange(() => reject(new LabelFreeAgain(`label ${label} is ABORTED`)));
						}
						hooks.onStuck?.();
						history.unsettled = true;
						return giveUpExchange(() =>
							reject(
								new StreamLoadError(
									`Stream Load into Doris table "${request.table}": no answer ${options.afterMs} ms after the body was sent, and Doris has no transaction for label "${label}" (get_load_state UNKNOWN): the load never began; trying again with the same label`,
									{ kind: 'timeout', retryable: true, table: request.table, label },
								),
							),
						);
					case 'running':
						history.labelHeld = true;
						break;
					case 'cannot_ask':
						break;
				}
				timer = setTimeout(() => void look(), pollMs);
			};
			const progress = {
				...call.progress,
				bodySent: () => {
					call.progress?.bodySent?.();
					if (!done) timer = setTimeout(() => void look(), options.afterMs);
				},
			};
			next({ ...call, request: { ...request, signal: exchange.signal }, progress }).then(
				(verdict) => settle(() => resolve(verdict)),
				(error: unknown) => settle(() => reject(error instanceof AbortError || !exchange.signal.aborted ? error : new AbortError())),
			);
		});
	};
}
