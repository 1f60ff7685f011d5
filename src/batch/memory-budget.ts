/**
 * One cap on the bytes buffered by every batch of the process, whatever the number of tables. Each
 * table's batcher has its own cap (twice its batch size by default), which alone would let a
 * 300-table change stream hold 300 × 100 MB; the process budget bounds their sum.
 *
 * - A batcher counts what it buffers (open, waiting and loading batches) here and gives it back when
 *   a load settles; an add() that finds the budget spent waits, like for its own cap, until some
 *   load anywhere settles.
 * - Waiting must end: when the budget is spent, the biggest open batch of the process is sealed at
 *   once (`relieve`), so its load starts instead of waiting out its interval, and frees room.
 *
 * The cap: DORIS_SINKER_MAX_BUFFERED_MB in the environment of the n8n process (each worker in queue
 * mode has its own), default DEFAULT_PROCESS_BUFFER_MB.
 */
import { Waiters } from './abortable-waits';

export const DEFAULT_PROCESS_BUFFER_MB = 512;
const MB = 1024 * 1024;

/** A batcher as the budget sees it: how much its open batch holds, and how to seal it. */
export interface BudgetMember {
	openBytes(): number;
	sealOpen(): void;
}

export class MemoryBudget {
	private usedBytes = 0;
	private readonly waiters = new Waiters();
	private readonly members = new Set<BudgetMember>();

	constructor(private limitBytes: number) {
		if (!(limitBytes > 0)) throw new Error(`The process's batch memory cap must be above 0 bytes, not ${limitBytes}`);
	}

	get limit(): number {
		return this.limitBytes;
	}

	get used(): number {
		return this.usedBytes;
	}

	get full(): boolean {
		return this.usedBytes >= this.limitBytes;
	}

	join(member: BudgetMember): void {
		this.members.add(member);
	}

	leave(member: BudgetMember): void {
		this.members.delete(member);
	}

	take(bytes: number): void {
		this.usedBytes += bytes;
	}

	/** Bytes back (a load settled): every waiter looks again. */
	give(bytes: number): void {
		this.usedBytes -= bytes;
		this.waiters.wakeAll();
	}

	/** Seals the biggest open batch of the process, so its load frees room soon. */
	relieve(): void {
		let biggest: BudgetMember | undefined;
		let bytes = 0;
		for (const member of this.members) {
			const open = member.openBytes();
			if (open > bytes) {
				bytes = open;
				biggest = member;
			}
		}
		biggest?.sealOpen();
	}

	/** Resolves at the next give(), or rejects with AbortError when `signal` aborts. */
	freed(signal?: AbortSignal): Promise<void> {
		return this.waiters.next(signal);
	}
}

/** The cap DORIS_SINKER_MAX_BUFFERED_MB asks for; a value that is not a positive number is refused, naming it. */
export function processBufferBytes(env: NodeJS.ProcessEnv = process.env): number {
	const raw = env.DORIS_SINKER_MAX_BUFFERED_MB?.trim();
	if (raw === undefined || raw === '') return DEFAULT_PROCESS_BUFFER_MB * MB;
	const mb = Number(raw);
	if (!Number.isFinite(mb) || mb <= 0) throw new Error(`DORIS_SINKER_MAX_BUFFERED_MB must be a number of megabytes above 0, not "${raw}"`);
	return Math.round(mb * MB);
}

let shared: MemoryBudget | undefined;

/** The budget every batcher of this process shares (created on first use from the environment). */
export function processBudget(): MemoryBudget {
	shared ??= new MemoryBudget(processBufferBytes());
	return shared;
}
