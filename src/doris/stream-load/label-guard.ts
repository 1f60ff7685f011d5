/**
 * The label layer: a batch keeps one label for all its attempts, and this layer makes sure a label
 * Doris already holds is never loaded a second time.
 * - On a first attempt the label can only belong to another load (labels are fresh per batch):
 *   counting "Label Already Exists" as loaded would drop this batch without a trace, so it fails.
 * - FINISHED / VISIBLE / COMMITTED: an earlier attempt landed; done.
 * - RUNNING / PREPARE / PRECOMMITTED: an earlier attempt still holds the label. Its state is polled
 *   with get_load_state until it is VISIBLE / COMMITTED (done), ABORTED (free again: the retry layer
 *   re-sends at once, same label), or the wait is over. An FE without that endpoint is asked by
 *   re-sending the batch: Doris answers "Label Already Exists" until the earlier attempt ends. Still
 *   PREPARE when the wait is over (its `timeout` long past; the txn cleaner should have aborted it), it
 *   is cancelled by its label (cancel-label.ts): aborted, the label is free again; else the load fails
 *   flagged mayBeInDoris, as it may still commit.
 * - An attempt that ended without a verdict after its body may have reached a BE (a lost answer, a
 *   timeout, silence) is looked up with get_load_state before the label is sent again.
 * - UNKNOWN for a label Doris held for us (a BE's 100 Continue, a RUNNING state) means Doris forgot
 *   it after it finished (label_num_threshold, streaming_label_keep_max_second): loaded or not,
 *   nobody can tell, and re-sending would load it twice if it had landed. The load fails saying so.
 *   (DatabaseTransactionMgr `removeUselessTxns` drops expired finished transactions, then the oldest
 *   while more than label_num_threshold > 0 remain; getLabelState then answers UNKNOWN. 2.1 / 3.x.)
 */
import { backoffDelay } from '../../common/backoff';
import { AbortError, StreamLoadError } from './errors';
import type { LoadCall, LoadRequest, LoadSend, StreamLoadLogger } from './load-call';
import type { LabelCanceller } from './cancel-label';
import { readLabelState, type LabelState, type LabelStateAsker } from './load-state';
import { TransportError } from './request';
import type { DorisLoadResponse, SettledVerdict } from './response';
import { sleep } from './retry';

export interface LabelWait {
	/** First pause between two looks at the label; doubles up to 5 s. */
	pollIntervalMs: number;
	/** Give up (the batch was not loaded again) after this long. */
	maxWaitMs: number;
}

export interface LabelGuardOptions {
	labelState: LabelStateAsker;
	/** Aborts a label's PREPARE transaction; without it a load still PREPARE at the end of the wait is left running. */
	cancel?: LabelCanceller;
	wait: LabelWait;
	logger?: StreamLoadLogger;
}

/** What the load came to: Doris' answer, and whether an earlier attempt had already loaded it. */
export interface LoadOutcome {
	response: DorisLoadResponse;
	labelExisted: boolean;
}

/** The label turned out free again (its earlier attempt failed): the retry layer re-sends at once. */
export class LabelFreeAgain extends Error {}

const MAX_POLL_MS = 5000;

/** The answer Doris would have given for a label found finished by get_load_state. */
export function answerFromState(request: LoadRequest, state: LabelState): DorisLoadResponse {
	return { Label: request.label, Status: 'Label Already Exists', ExistingJobStatus: state };
}

/** "Doris forgot the label": loud, not retryable, never a reason to send it again, and maybe in Doris. */
export function forgottenLabel(request: LoadRequest, seen: string): StreamLoadError {
	const label = request.label ?? '';
	return new StreamLoadError(
		`Stream Load into Doris table "${request.table}": Doris held label "${label}" for an earlier attempt (${seen}) and now reports it UNKNOWN: ` +
			'it finished and was forgotten, and whether it loaded the batch Doris cannot tell any more: the rows may be in Doris. They are not sent again under that label, which would load the batch twice if it had landed; ' +
			'an execution that takes rejected rows back gets them as doris_uncounted, another fails and its redelivery loads them again (a duplicate on a DUPLICATE KEY table if the first load landed). ' +
			'Doris forgets finished labels past label_num_threshold (2000) finished loads per database or streaming_label_keep_max_second (12 h) (FE settings): raise label_num_threshold for the load rate of this database, or load into fewer, bigger batches.',
		{ kind: 'label', retryable: false, table: request.table, label, mayBeInDoris: true },
	);
}

/**
 * The last allowed attempt ended without an answer after its body may have reached a BE, and no FE
 * answers get_load_state: the load may be in Doris (a BE commits before it answers).
 */
export function unsettledLoad(request: LoadRequest, failure: unknown): StreamLoadError {
	const label = request.label ?? '';
	const why = failure instanceof Error ? failure.message : String(failure);
	return new StreamLoadError(
		`Stream Load into Doris table "${request.table}": the last attempt of label "${label}" ended without an answer after its body was sent (${why}), and no FE answers get_load_state for the label: ` +
			'the rows may be in Doris (a BE commits a load before it answers). They are not sent again; an execution that takes rejected rows back gets them as doris_uncounted, another fails and is redelivered.',
		{ kind: 'label', retryable: false, table: request.table, label, cause: failure, mayBeInDoris: true },
	);
}

/** The label layer's send, and the last look at a label whose last attempt ended unsettled. */
export interface LabelGuard {
	send: LoadSend<LoadOutcome>;
	/**
	 * Called when the retries are spent and the last attempt ended unsettled (`history.unsettled`):
	 * asks get_load_state once more (not a re-send). VISIBLE / COMMITTED: loaded; PREPARE: waited for;
	 * ABORTED or UNKNOWN never held: rejects with `failure` (not loaded); cannot ask / cannot tell /
	 * still running at the end of the wait: rejects flagged mayBeInDoris.
	 */
	settleLast(call: LoadCall, failure: unknown): Promise<LoadOutcome>;
}

export function guardLabels(next: LoadSend<SettledVerdict>, options: LabelGuardOptions): LabelGuard {
	const log = options.logger;

	/**
	 * A label still running at the end of the wait: cancelled, then looked up once more whatever the cancel
	 * answered (decoupled mode answers success to every cancel, give-up.ts; a refusal most often means it
	 * committed meanwhile: late review session 20, C1 / C2). What get_load_state says then, or undefined
	 * without a cancel or an answer.
	 */
	const cancelAndLook = async (request: LoadRequest): Promise<LabelState | undefined> => {
		if (options.cancel === undefined) return undefined;
		const label = request.label ?? '';
		const answer = await options.cancel(request.database, label, request.signal).catch(() => undefined);
		const state = await options.labelState(request.database, label, request.signal).catch(() => undefined);
		if (answer?.kind === 'aborted' && state === 'ABORTED') {
			log?.warn(`Stream Load into ${request.database}.${request.table}: label "${label}" was still running in Doris after the wait for it; cancelled in Doris (not loaded), so the batch can be sent again under it`, { label });
		}
		return state;
	};

	/** `resend`: with no get_load_state, ask by sending the batch again (same label); else keep polling. */
	const waitForLabel = async (call: LoadCall, response: DorisLoadResponse, state: string, resend = true): Promise<LoadOutcome> => {
		const { request, history } = call;
		const label = request.label ?? '';
		const started = Date.now();
		const steps = { initialMs: Math.max(50, options.wait.pollIntervalMs), maxMs: MAX_POLL_MS };
		let current = state;
		history.labelHeld = true;
		log?.info(`Stream Load into ${request.database}.${request.table}: label held by a running earlier attempt (${state}); waiting for it`, { label });
		for (let look = 1; ; look++) {
			if (Date.now() - started > options.wait.maxWaitMs) {
				const after = current === 'PRECOMMITTED' ? undefined : await cancelAndLook(request);
				if (after === 'VISIBLE' || after === 'COMMITTED') {
					log?.info(`Stream Load into ${request.database}.${request.table}: earlier attempt of the label finished (${after}); not loading again`, { label });
					return { response: { ...response, Status: 'Label Already Exists', ExistingJobStatus: after }, labelExisted: true };
				}
				if (after === 'ABORTED') throw new LabelFreeAgain(`label ${label} was cancelled in Doris after ${Math.round(options.wait.maxWaitMs / 1000)} s ${current}`);
				if (after === 'UNKNOWN') throw forgottenLabel(request, current);
				if (after !== undefined) current = after;
				throw new StreamLoadError(
					`Stream Load into Doris table "${request.table}": label "${label}" is still ${current} after ${Math.round(options.wait.maxWaitMs / 1000)} s. ` +
						(current === 'PRECOMMITTED'
							? 'A two-phase-commit transaction holds it; commit or abort it (PUT /api/{db}/_stream_load_2pc) or use another label prefix.'
							: 'Doris has not finished the earlier attempt, which may still commit: the rows may be in Doris. The batch was not loaded again.'),
					// A PREPARE transaction commits whenever its BE gets there; the txn cleaner aborts it only
					// after its timeout (fe DatabaseTransactionMgr: commitTransaction refuses only ABORTED).
					{ kind: 'label', retryable: false, table: request.table, label, response, mayBeInDoris: true },
				);
			}
			await sleep(backoffDelay(steps, look), request.signal);
			const now = await options.labelState(request.database, label, request.signal);
			switch (readLabelState(now, true)) {
				case 'cannot_ask': {
					if (!resend) continue;
					// No get_load_state here (older Doris, cloud mode): ask by re-sending the batch.
					const verdict = await next(call);
					if (verdict.kind === 'label_busy') {
						current = verdict.state;
						continue;
					}
					call.history.record(verdict.kind === 'loaded' ? 'success' : 'label_exists');
					return { response: verdict.response, labelExisted: verdict.kind !== 'loaded' };
				}
				case 'loaded':
					log?.info(`Stream Load into ${request.database}.${request.table}: earlier attempt of the label finished (${now}); not loading again`, { label });
					return { response: { ...response, Status: 'Label Already Exists', ExistingJobStatus: now }, labelExisted: true };
				case 'free':
					throw new LabelFreeAgain(`label ${label} is ${now}`);
				case 'cannot_tell':
					throw forgottenLabel(request, current);
				case 'running':
					current = now ?? current;
			}
		}
	};

	/** Before re-sending a label whose last attempt may have reached a BE: what does Doris say? */
	const lookFirst = async (call: LoadCall): Promise<LoadOutcome | undefined> => {
		const { request, history } = call;
		const label = request.label ?? '';
		const state = await options.labelState(request.database, label, request.signal);
		switch (readLabelState(state, history.labelHeld)) {
			case 'loaded':
				history.record('label_exists');
				log?.info(`Stream Load into ${request.database}.${request.table}: the earlier attempt loaded the batch (${state}); not loading again`, { label });
				return { response: answerFromState(request, state ?? ''), labelExisted: true };
			case 'running':
				history.record('label_exists');
				return await waitForLabel(call, answerFromState(request, state ?? ''), state ?? '');
			case 'cannot_tell':
				throw forgottenLabel(request, 'its transaction had begun');
			default:
				return undefined;
		}
	};

	const settleLast = async (call: LoadCall, failure: unknown): Promise<LoadOutcome> => {
		const { request, history } = call;
		const label = request.label ?? '';
		history.unsettled = false;
		const state = await options.labelState(request.database, label, request.signal);
		switch (readLabelState(state, history.labelHeld)) {
			case 'loaded':
				history.record('label_exists');
				log?.info(`Stream Load into ${request.database}.${request.table}: no answer to the last attempt, but Doris has the label ${state}: loaded, not sent again`, { label });
				return { response: answerFromState(request, state ?? ''), labelExisted: true };
			case 'running':
				history.record('label_exists');
				try {
					return await waitForLabel(call, answerFromState(request, state ?? ''), state ?? '', false);
				} catch (error) {
					// ABORTED meanwhile: not loaded, the last attempt's failure stands.
					throw error instanceof LabelFreeAgain ? failure : error;
				}
			case 'free':
				throw failure;
			case 'cannot_tell':
				throw forgottenLabel(request, 'its transaction had begun');
			case 'cannot_ask':
				throw unsettledLoad(request, failure);
		}
	};

	const send: LoadSend<LoadOutcome> = async (call) => {
		const { request, history } = call;
		if (history.unsettled && request.label !== undefined) {
			history.unsettled = false;
			const known = await lookFirst(call);
			if (known !== undefined) return known;
		}
		let verdict: SettledVerdict;
		try {
			verdict = await next(call);
		} catch (error) {
			// No verdict, and a server was reached: the body may have landed.
			if (error instanceof TransportError ? error.connected : !(error instanceof StreamLoadError || error instanceof AbortError || error instanceof LabelFreeAgain)) {
				history.unsettled = true;
			}
			throw error;
		}
		if (call.attempt === 1 && verdict.kind !== 'loaded' && verdict.kind !== 'confirmed') {
			throw new StreamLoadError(
				`Stream Load into Doris table "${request.table}": label "${request.label ?? ''}" is already used by another load (${verdict.response.ExistingJobStatus ?? 'unknown state'}); this batch was NOT loaded. Use a label prefix of its own for each workflow writing to this database.`,
				{ kind: 'label', retryable: false, table: request.table, label: request.label, response: verdict.response },
			);
		}
		switch (verdict.kind) {
			case 'loaded':
				history.record('success');
				return { response: verdict.response, labelExisted: false };
			case 'confirmed':
				history.record('success');
				return { response: verdict.response, labelExisted: true };
			case 'already_loaded':
				history.record('label_exists');
				log?.info(
					`Stream Load into ${request.database}.${request.table}: label already loaded by an earlier attempt (${verdict.response.ExistingJobStatus}); not loading again`,
					{ label: request.label, attempt: call.attempt },
				);
				return { response: verdict.response, labelExisted: true };
			case 'label_busy':
				history.record('label_exists');
				return await waitForLabel(call, verdict.response, verdict.state);
		}
	};
	return { send, settleLast };
}
