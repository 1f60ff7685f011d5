/**
 * Notices a consumer that has lost its brokers for good and says so once. When the brokers (or the
 * group's coordinator) stop answering after activation, kafkajs crashes the consumer with a retriable
 * error and restarts it, again and again, without limit: nothing is fetched, nothing committed, nothing
 * lost, and nothing visible but log lines and a growing consumer lag. This watch turns that into one
 * report per stall, which the trigger hands to n8n (a failed execution and the Error Workflow).
 *
 * Contact is an answer of the group coordinator (a heartbeat, a group join, an offset commit): a live
 * member sends a heartbeat every Heartbeat Interval whether it is fetching, idle or paused, so only a
 * member cut off from its group goes silent for minutes. A stall is a silence of at least the threshold
 * with at least one crash in it: a process that merely slept (a laptop suspended, a frozen event loop)
 * has not failed to reach anyone, and is not reported. The report comes once; the next contact ends the
 * stall (onRecover), and a later silence is a new stall.
 *
 * No timers of its own are trusted for the time: `now` is read at every event and check, so a late
 * check reports late, never early. The consumer's own watch (which settings make one, which of kafkajs'
 * events count as contact) is consumer-stall-watch.ts.
 */
export interface StallReport {
	groupId: string;
	brokers: readonly string[];
	/** Since the last answer of the group coordinator (or the watch's start). */
	silentMs: number;
	/** Crashes (each followed by kafkajs' restart) since that answer. */
	crashes: number;
	/** The last crash's error, as the trigger explains it. */
	lastError: string;
	/** One line for n8n's execution list and the Error Workflow: the brokers, how long, the last error. */
	message: string;
}

export interface StallRecovery {
	groupId: string;
	/** How long the coordinator had been silent when it answered again. */
	silentMs: number;
}

export interface StallWatchOptions {
	/** A silence this long (with a crash in it) is a stall; above 0. */
	thresholdMs: number;
	groupId: string;
	brokers: readonly string[];
	onStall(report: StallReport): void;
	onRecover?(recovery: StallRecovery): void;
	/** The clock (tests pass a fake one); Date.now by default. */
	now?: () => number;
}

/** How often the watch looks while it runs: a tenth of the threshold, between 250 ms and 10 s. */
export function stallCheckIntervalMs(thresholdMs: number): number {
	return Math.min(Math.max(Math.floor(thresholdMs / 10), 250), 10_000);
}

export class StallWatch {
	private readonly now: () => number;
	private lastContact: number;
	private crashes = 0;
	private lastError = '';
	private reported = false;
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly options: StallWatchOptions) {
		if (!Number.isFinite(options.thresholdMs) || options.thresholdMs <= 0) {
			throw new Error(`Report Stalled Consumer After must be above 0 to watch, got ${options.thresholdMs} ms`);
		}
		this.now = options.now ?? Date.now;
		this.lastContact = this.now();
	}

	/** Checks every stallCheckIntervalMs until stop(); the timer keeps no process alive. */
	start(): void {
		if (this.timer) return;
		this.lastContact = this.now();
		this.timer = setInterval(() => this.check(), stallCheckIntervalMs(this.options.thresholdMs));
		this.timer.unref();
	}

	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
	}

	/** The group coordinator answered: a stall, if one was reported, is over. */
	contact(): void {
		const at = this.now();
		if (this.reported) this.options.onRecover?.({ groupId: this.options.groupId, silentMs: at - this.lastContact });
		this.lastContact = at;
		this.crashes = 0;
		this.lastError = '';
		this.reported = false;
	}

	/** The consumer crashed and kafkajs restarts it. */
	crash(error: Error): void {
		this.crashes += 1;
		this.lastError = error.message;
		// A silence that already lasted past the threshold (a hung connection fails late) is reported now.
		this.check();
	}

	/** Reports the stall under way, once, when it has lasted the threshold. */
	check(): void {
		if (this.reported || this.crashes === 0) return;
		const silentMs = this.now() - this.lastContact;
		if (silentMs < this.options.thresholdMs) return;
		this.reported = true;
		const { groupId, brokers } = this.options;
		const report = { groupId, brokers, silentMs, crashes: this.crashes, lastError: this.lastError };
		this.options.onStall({ ...report, message: stallMessage(report) });
	}

	/** True between a report and the next contact. */
	get stalled(): boolean {
		return this.reported;
	}
}

function stallMessage(report: Omit<StallReport, 'message'>): string {
	const restarts = report.crashes === 1 ? '1 restart' : `${report.crashes} restarts`;
	return (
		`Kafka consumer of group "${report.groupId}" has had no answer from its group coordinator at ${report.brokers.join(', ')} ` +
		`for ${formatSilence(report.silentMs)} (${restarts} since; last error: ${report.lastError}). ` +
		'Consumption is stalled: nothing is fetched or committed, nothing is lost, and the trigger goes on from the committed offsets when Kafka answers again.'
	);
}

/** `4 min 05 s`, `45 s`, `1 h 02 min`: whole seconds, as an operator reads them. */
export function formatSilence(ms: number): string {
	const seconds = Math.floor(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
	return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
