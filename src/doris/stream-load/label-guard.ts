/**
 * The label layer: a batch keeps one label for all its attempts, and this layer makes sure a label
 * Doris already holds is never loaded a second time.
 * - On a first attempt the label can only belong to another load (labels are fresh per batch):
 *   counting "Label Already Exists" as loaded would drop this batch without a trace, so it fails.
 * - FINISHED / VISIBLE / COMMITTED: an earlier attempt landed; done.
 * - RUNNING / PREPARE / PRECOMMITTED: an earlier attempt still holds the label. Its state is polled
 *   with get_load_state until it is VISIBLE / COMMITTED (done), ABORTED / UNKNOWN (free again: the
 *   retry layer re-sends at once, same label), or the wait is over. An FE without that endpoint is
 *   asked by re-sending the batch: Doris answers "Label Already Exists" until the earlier attempt ends.
 */
import { backoffDelay } from '../../common/backoff';
import { StreamLoadError } from './errors';
import type { LoadCall, LoadSend, StreamLoadLogger } from './load-call';
import type { LabelState } from './load-state';
import type { DorisLoadResponse, SettledVerdict } from './response';
import { sleep } from './retry';

export interface LabelWait {
	/** First pause between two looks at the label; doubles up to 5 s. */
	pollIntervalMs: number;
	/** Give up (the batch was not loaded again) after this long. */
	maxWaitMs: number;
}

export interface LabelGuardOptions {
	/** get_load_state of a label; undefined when the FE cannot say (no endpoint, unreachable). */
	labelState: (database: string, label: string, signal?: AbortSignal) => Promise<LabelState | undefined>;
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

export function guardLabels(next: LoadSend<SettledVerdict>, options: LabelGuardOptions): LoadSend<LoadOutcome> {
	const log = options.logger;

	const waitForLabel = async (call: LoadCall, response: DorisLoadResponse, state: string): Promise<LoadOutcome> => {
		const { request } = call;
		const label = request.label ?? '';
		const started = Date.now();
		const steps = { initialMs: Math.max(50, options.wait.pollIntervalMs), maxMs: MAX_POLL_MS };
		let current = state;
		log?.info(`Stream Load into ${request.database}.${request.table}: label held by a running earlier attempt (${state}); waiting for it`, { label });
		for (let look = 1; ; look++) {
			if (Date.now() - started > options.wait.maxWaitMs) {
				throw new StreamLoadError(
					`Stream Load into Doris table "${request.table}": label "${label}" is still ${current} after ${Math.round(options.wait.maxWaitMs / 1000)} s. ` +
						(current === 'PRECOMMITTED'
							? 'A two-phase-commit transaction holds it; commit or abort it (PUT /api/{db}/_stream_load_2pc) or use another label prefix.'
							: 'Doris has not finished the earlier attempt; the batch was not loaded again.'),
					{ kind: 'label', retryable: false, table: request.table, label, response },
				);
			}
			await sleep(backoffDelay(steps, look), request.signal);
			const next_ = await options.labelState(request.database, label, request.signal);
			if (next_ === undefined) {
				// No get_load_state here (older Doris): ask by re-sending the batch with the same label.
				const verdict = await next(call);
				if (verdict.kind === 'label_busy') {
					current = verdict.state;
					continue;
				}
				call.history.record(verdict.kind === 'loaded' ? 'success' : 'label_exists');
				return { response: verdict.response, labelExisted: verdict.kind === 'already_loaded' };
			}
			current = next_;
			if (next_ === 'VISIBLE' || next_ === 'COMMITTED') {
				log?.info(`Stream Load into ${request.database}.${request.table}: earlier attempt of the label finished (${next_}); not loading again`, { label });
				return { response: { ...response, Status: 'Label Already Exists', ExistingJobStatus: next_ }, labelExisted: true };
			}
			if (next_ === 'ABORTED' || next_ === 'UNKNOWN') throw new LabelFreeAgain(`label ${label} is ${next_}`);
		}
	};

	return async (call) => {
		const { request } = call;
		const verdict = await next(call);
		if (call.attempt === 1 && verdict.kind !== 'loaded') {
			throw new StreamLoadError(
				`Stream Load into Doris table "${request.table}": label "${request.label ?? ''}" is already used by another load (${verdict.response.ExistingJobStatus ?? 'unknown state'}); this batch was NOT loaded. Use a label prefix of its own for each workflow writing to this database.`,
				{ kind: 'label', retryable: false, table: request.table, label: request.label, response: verdict.response },
			);
		}
		switch (verdict.kind) {
			case 'loaded':
				call.history.record('success');
				return { response: verdict.response, labelExisted: false };
			case 'already_loaded':
				call.history.record('label_exists');
				log?.info(
					`Stream Load into ${request.database}.${request.table}: label already loaded by an earlier attempt (${verdict.response.ExistingJobStatus}); not loading again`,
					{ label: request.label, attempt: call.attempt },
				);
				return { response: verdict.response, labelExisted: true };
			case 'label_busy':
				call.history.record('label_exists');
				return await waitForLabel(call, verdict.response, verdict.state);
		}
	};
}
