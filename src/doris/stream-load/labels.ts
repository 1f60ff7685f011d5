/**
 * Stream Load labels. Doris deduplicates loads by label per database (fe-core common/FeNameFormat.java:
 * `^[-_A-Za-z0-9:]{1,label_regex_length}$`, 128 by default; with enable_unicode_name_support also
 * letters of any script; dots are never allowed), so a batch keeps ONE label for all its attempts: a
 * retry after a lost answer then meets "Label Already Exists" instead of loading twice. That protection
 * lasts only while the FE remembers the finished label: `streaming_label_keep_max_second` (12 h), and
 * oldest first once the database holds more than `label_num_threshold` (2000) finished transactions
 * (transaction/DatabaseTransactionMgr.java `removeUselessTxns`, Doris 2.0 on; label-guard.ts).
 */
import { randomBytes } from 'node:crypto';

export const LABEL_PATTERN = /^[-_A-Za-z0-9:]{1,128}$/;
export const LABEL_MAX_LENGTH = 128;
/** Room left for the table and the batch id: a prefix longer than this would crowd them out. */
export const LABEL_PREFIX_MAX_LENGTH = 48;

const PREFIX_PATTERN = /^[-_A-Za-z0-9:]*$/;

/** Checks a user's label prefix; the error names the value and the allowed characters. */
export function validateLabelPrefix(prefix: string): string {
	if (!PREFIX_PATTERN.test(prefix)) {
		const bad = [...new Set(prefix.replace(/[-_A-Za-z0-9:]/g, ''))].map((c) => JSON.stringify(c)).join(', ');
		throw new Error(
			`Label prefix ${JSON.stringify(prefix)} contains ${bad}: Doris labels allow only letters, digits, "-", "_" and ":" (no dots or spaces)`,
		);
	}
	if (prefix.length > LABEL_PREFIX_MAX_LENGTH) {
		throw new Error(`Label prefix ${JSON.stringify(prefix)} is ${prefix.length} characters long; at most ${LABEL_PREFIX_MAX_LENGTH} are allowed`);
	}
	return prefix;
}

/** Throws unless `label` is a label Doris accepts. */
export function assertValidLabel(label: string): string {
	if (!LABEL_PATTERN.test(label)) {
		throw new Error(`Stream Load label "${label}" does not match ${LABEL_PATTERN.source}`);
	}
	return label;
}

/** Table names may hold characters labels may not (unicode names): those become "_". */
function labelSafe(text: string): string {
	return text.replace(/[^-_A-Za-z0-9:]/g, '_');
}

/**
 * One counter for the whole process, not one per factory: two targets on the same table (say, with
 * and without the delete sign) would otherwise both issue `..._1`, and the second batch would meet
 * the first one's label, be told "Label Already Exists: FINISHED" and be counted as loaded when it
 * never was.
 */
let processSequence = 0;

/**
 * Makes the labels of one target: `{prefix}_{table}_{process id}_{sequence}`. The process id is
 * random per process (so two n8n processes, or a restart, never collide), the sequence counts
 * batches in the process; together they make each batch's label unique and fixed for all its retries.
 */
export class LabelFactory {
	private readonly head: string;

	constructor(prefix: string, table: string, processId: string = PROCESS_ID) {
		validateLabelPrefix(prefix);
		const tail = `_${processId}_`;
		// The sequence needs up to 16 digits; the table part is cut to what is left.
		const room = LABEL_MAX_LENGTH - prefix.length - tail.length - 16 - (prefix === '' ? 0 : 1);
		const tablePart = labelSafe(table).slice(0, Math.max(1, room));
		this.head = `${prefix === '' ? '' : `${prefix}_`}${tablePart}${tail}`;
	}

	next(): string {
		processSequence += 1;
		return assertValidLabel(`${this.head}${processSequence}`);
	}
}

/** 12 hex characters: 48 random bits, so two processes practically never share one. */
export const PROCESS_ID = randomBytes(6).toString('hex');
