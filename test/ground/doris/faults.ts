/** Test-armed faults: each kind fires for the next N loads, then behaviour is normal again. */
import type { AnswerRowEdit, FaultInjector, FaultKind } from './types';

export interface ArmedFault {
	kind: FaultKind;
	message?: string;
	ms?: number;
	/** Only loads into this table take it (any table when unset). */
	table?: string;
}

export class Faults implements FaultInjector {
	private readonly queue: { fault: ArmedFault; left: number }[] = [];
	/** Set by the server: closes and reopens FE/BE listeners. */
	downHook: (ms: number) => Promise<void> = async () => {};

	private arm(n: number, fault: ArmedFault): void {
		if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`);
		this.queue.push({ fault, left: n });
	}

	fail(n: number, message: string): void {
		this.arm(n, { kind: 'fail', message });
	}
	publishTimeout(n: number): void {
		this.arm(n, { kind: 'publishTimeout' });
	}
	http500(n: number): void {
		this.arm(n, { kind: 'http500' });
	}
	hang(n: number, ms: number): void {
		this.arm(n, { kind: 'hang', ms });
	}
	hangAfterCommit(n: number, ms: number): void {
		this.arm(n, { kind: 'hangAfterCommit', ms });
	}
	hangBeforeBegin(n: number, ms: number): void {
		this.arm(n, { kind: 'hangBeforeBegin', ms });
	}
	resetAfterCommit(n: number): void {
		this.arm(n, { kind: 'resetAfterCommit' });
	}
	resetMidBody(n: number): void {
		this.arm(n, { kind: 'resetMidBody' });
	}
	redirectToDeadBe(n: number): void {
		this.arm(n, { kind: 'redirectToDeadBe' });
	}
	labelRunning(n: number, ms: number): void {
		this.arm(n, { kind: 'labelRunning', ms });
	}
	runningTxnLimit(n: number): void {
		this.arm(n, { kind: 'runningTxnLimit' });
	}
	uncountedLine(n: number, table?: string): void {
		this.arm(n, { kind: 'uncountedLine', table });
	}
	private readonly bodyFailures: { holds: (body: string, table: string) => boolean; message: string }[] = [];
	failLoadWhere(holds: (body: string, table: string) => boolean, message: string): void {
		this.bodyFailures.push({ holds, message });
	}
	/** Takes the first armed body failure this load (its body, into `table`) holds: its message, or undefined. */
	takeBodyFailure(body: string, table: string): string | undefined {
		const i = this.bodyFailures.findIndex((f) => f.holds(body, table));
		if (i < 0) return undefined;
		return this.bodyFailures.splice(i, 1)[0].message;
	}
	down(ms: number): Promise<void> {
		return this.downHook(ms);
	}
	private readonly stalls: { left: number; ms: number }[] = [];
	queryStall(n: number, ms: number): void {
		if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`);
		this.stalls.push({ left: n, ms });
	}
	/** Takes one use of an armed MySQL stall: how long the statement waits, or undefined. */
	takeQueryStall(): number | undefined {
		const first = this.stalls[0];
		if (first === undefined) return undefined;
		if (--first.left === 0) this.stalls.shift();
		return first.ms;
	}
	private readonly queryFailures: { holds: RegExp; left: number; message: string }[] = [];
	/** The next `n` statements matching `holds` answer a MySQL error with `message` (errno 1105). */
	queryFail(holds: RegExp, n: number, message: string): void {
		if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`);
		this.queryFailures.push({ holds, left: n, message });
	}
	/** Takes one use of the first armed query failure `sql` matches: its message, or undefined. */
	takeQueryFailure(sql: string): string | undefined {
		const i = this.queryFailures.findIndex((f) => f.holds.test(sql));
		if (i < 0) return undefined;
		const failure = this.queryFailures[i];
		if (--failure.left === 0) this.queryFailures.splice(i, 1);
		return failure.message;
	}
	private readonly answerEdits: { holds: RegExp; left: number; edit: AnswerRowEdit }[] = [];
	/**
	 * The next `n` statements matching `holds` answer with each row passed through `edit` (by column
	 * name; undefined leaves the row out): an answer that lacks what the client needs, as a Doris whose
	 * metadata another FE has not caught up with, or a scanner that leaves a field NULL, gives it.
	 */
	queryAnswerEdit(holds: RegExp, n: number, edit: AnswerRowEdit): void {
		if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`);
		this.answerEdits.push({ holds, left: n, edit });
	}
	/** Takes one use of the first armed answer edit `sql` matches, or undefined. */
	takeAnswerEdit(sql: string): AnswerRowEdit | undefined {
		const i = this.answerEdits.findIndex((f) => f.holds.test(sql));
		if (i < 0) return undefined;
		const armed = this.answerEdits[i];
		if (--armed.left === 0) this.answerEdits.splice(i, 1);
		return armed.edit;
	}
	clear(): void {
		this.queue.length = 0;
		this.stalls.length = 0;
		this.queryFailures.length = 0;
		this.answerEdits.length = 0;
		this.bodyFailures.length = 0;
	}

	/** Takes one use of the first armed fault of the given stage (FE: redirectToDeadBe; BE: the rest) for a load into `table`. */
	take(stage: 'fe' | 'be', table?: string): ArmedFault | undefined {
		const i = this.queue.findIndex((q) => (q.fault.kind === 'redirectToDeadBe') === (stage === 'fe') && (q.fault.table === undefined || q.fault.table === table));
		if (i < 0) return undefined;
		const q = this.queue[i];
		if (--q.left === 0) this.queue.splice(i, 1);
		return q.fault;
	}
}
