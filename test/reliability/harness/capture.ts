/**
 * Everything a reliability run says to a user, kept as text: log lines (kafkajs', the consumer's,
 * the Stream Load client's), execution errors with their causes and Doris answers, items on both
 * outputs, and the metrics text. The security case greps all of it for the passwords.
 */
import { inspect } from 'node:util';

import type { SinkerLogger } from '../../../src/kafka/client';
import type { StreamLoadLogger } from '../../../src/doris/stream-load/client';

export class Capture {
	readonly lines: string[] = [];
	private readonly echo = process.env.RELIABILITY_LOG === '1';

	readonly logger: SinkerLogger & StreamLoadLogger = {
		debug: (message: string, meta?: object) => this.log('debug', message, meta),
		info: (message: string, meta?: object) => this.log('info', message, meta),
		warn: (message: string, meta?: object) => this.log('warn', message, meta),
		error: (message: string, meta?: object) => this.log('error', message, meta),
	};

	log(level: string, message: string, meta?: object): void {
		const line = `${level} ${message}${meta === undefined ? '' : ` ${render(meta)}`}`;
		this.lines.push(line);
		if (this.echo) console.log(line);
	}

	/** An error with everything hanging off it: cause chain, Doris answer, rejected rows. */
	error(where: string, error: unknown): void {
		this.lines.push(`error ${where}: ${render(error)}`);
		if (this.echo) console.log(`error ${where}:`, error);
	}

	/** Any JSON-like value a user could see (items, results, metrics text). */
	record(what: string, value: unknown): void {
		this.lines.push(`${what}: ${typeof value === 'string' ? value : render(value)}`);
	}

	text(): string {
		return this.lines.join('\n');
	}
}

/** Deep, cycle-safe rendering that includes non-enumerable error fields (message, stack, cause). */
export function render(value: unknown): string {
	return inspect(value, { depth: 8, breakLength: Infinity, maxStringLength: 20_000, maxArrayLength: 200, showHidden: false, getters: false });
}
