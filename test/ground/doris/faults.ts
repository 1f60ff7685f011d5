/** Test-armed faults: each kind fires for the next N loads (or statements), then behaviour is normal again. */
import type { AnswerRowEdit, FaultInjector, FaultKind } from './types';

export interface ArmedFault {
	kind: FaultKind;
	message?: string;
	ms?: number;
	/** Only loads into this table take it (any table when unset). */
	table?: string;
}

/** Faults armed for `n` uses each: a use takes the first one that matches, in the order they were armed. */
class ArmedList<T> {
	private readonly armed: { value: T; left: number }[] = [];

	arm(n: number, value: T): void {
		if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`);
		this.armed.push({ value, left: n });
	}

	/** Takes one use of the first armed value `matches` accepts (any when omitted), or undefined. */
	take(matches: (value: T) => boolean = () => true): T | undefined {
		const i = this.armed.findIndex((a) => matches(a.value));
		if (i < 0) return undefined;
		const a = this.armed[i];
		if (--a.left === 0) this.armed.splice(i, 1);
		return a.value;
	}

	clear(): void {
		this.armed.length = 0;
	}
}

export class Faults implements FaultInjector {
	private readonly loads = new ArmedList<ArmedFault>();
	private readonly bodyFailures = new ArmedList<{ holds: (body: string, table: string) => boolean; message: string }>();
	private readonly stalls = new ArmedList<number>();
	private readonly queryFailures = new ArmedList<{ holds: RegExp; message: string; errno: number }>();
	private readonly answerEdits = new ArmedList<{ holds: RegExp; edit: AnswerRowEdit }>();
	/** Set by the server: closes and reopens FE/BE listeners. */
	downHook: (ms: number) => Promise<void> = async () => {};

	fail(n: number, message: string): void {
		this.loads.arm(n, { kind: 'fail', message });
	}
	publishTimeout(n: number): void {
		this.loads.arm(n, { kind: 'publishTimeout' });
	}
	http500(n: number): void {
		this.loads.arm(n, { kind: 'http500' });
	}
	hang(n: number, ms: number): void {
		this.loads.arm(n, { kind: 'hang', ms });
	}
	hangAfterCommit(n: number, ms: number, table?: string): void {
		this.loads.arm(n, { kind: 'hangAfterCommit', ms, table });
	}
	/**
	 * The BE has the whole body, stalls `ms`, then commits, whether or not the client is still there
	 * (free_handler_ctx only cancels the body pipe) — unless the FE's txn cleaner aborted the
	 * transaction meanwhile (its `timeout` expired before a sweep), when the commit is refused.
	 */
	hangThenCommit(n: number, ms: number): void {
		this.loads.arm(n, { kind: 'hangThenCommit', ms });
	}
	hangBeforeBegin(n: number, ms: number): void {
		this.loads.arm(n, { kind: 'hangBeforeBegin', ms });
	}
	resetAfterCommit(n: number, table?: string): void {
		this.loads.arm(n, { kind: 'resetAfterCommit', table });
	}
	commitRpcTimeout(n: number): void {
		this.loads.arm(n, { kind: 'commitRpcTimeout' });
	}
	resetMidBody(n: number): void {
		this.loads.arm(n, { kind: 'resetMidBody' });
	}
	redirectToDeadBe(n: number): void {
		this.loads.arm(n, { kind: 'redirectToDeadBe' });
	}
	labelRunning(n: number, ms: number): void {
		this.loads.arm(n, { kind: 'labelRunning', ms });
	}
	runningTxnLimit(n: number): void {
		this.loads.arm(n, { kind: 'runningTxnLimit' });
	}
	uncountedLine(n: number, table?: string): void {
		this.loads.arm(n, { kind: 'uncountedLine', table });
	}
	failLoadWhere(holds: (body: string, table: string) => boolean, message: string): void {
		this.bodyFailures.arm(1, { holds, message });
	}
	/** Takes the first armed body failure this load (its body, into `table`) holds: its message, or undefined. */
	takeBodyFailure(body: string, table: string): string | undefined {
		return this.bodyFailures.take((f) => f.holds(body, table))?.message;
	}
	down(ms: number): Promise<void> {
		return this.downHook(ms);
	}
	queryStall(n: number, ms: number): void {
		this.stalls.arm(n, ms);
	}
	/** Takes one use of an armed MySQL stall: how long the statement waits, or undefined. */
	takeQueryStall(): number | undefined {
		return this.stalls.take();
	}
	/** The next `n` statements matching `holds` answer a MySQL error with `message` (errno 1105 unless given, e.g. 1142 for a privilege Doris refuses). */
	queryFail(holds: RegExp, n: number, message: string, errno = 1105): void {
		this.queryFailures.arm(n, { holds, message, errno });
	}
	/** Takes one use of the first armed query failure `sql` matches: its message and errno, or undefined. */
	takeQueryFailure(sql: string): { message: string; errno: number } | undefined {
		const failure = this.queryFailures.take((f) => f.holds.test(sql));
		return failure === undefined ? undefined : { message: failure.message, errno: failure.errno };
	}
	/**
	 * The next `n` statements matching `holds` answer with each row passed through `edit` (by column
	 * name; undefined leaves the row out): an answer that lacks what the client needs, as a Doris whose
	 * metadata another FE has not caught up with, or a scanner that leaves a field NULL, gives it.
	 */
	queryAnswerEdit(holds: RegExp, n: number, edit: AnswerRowEdit): void {
		this.answerEdits.arm(n, { holds, edit });
	}
	/** Takes one use of the first armed answer edit `sql` matches, or undefined. */
	takeAnswerEdit(sql: string): AnswerRowEdit | undefined {
		return this.answerEdits.take((f) => f.holds.test(sql))?.edit;
	}
	clear(): void {
		for (const list of [this.loads, this.bodyFailures, this.stalls, this.queryFailures, this.answerEdits]) list.clear();
	}

	/** Takes one use of the first armed fault of the given stage (FE: redirectToDeadBe; BE: the rest) for a load into `table`. */
	take(stage: 'fe' | 'be', table?: string): ArmedFault | undefined {
		return this.loads.take((fault) => (fault.kind === 'redirectToDeadBe') === (stage === 'fe') && (fault.table === undefined || fault.table === table));
	}
}
