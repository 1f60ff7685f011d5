/**
 * Figures for docs/reliability.md: each case records what it measured (rows, retries, time to
 * settle) and the file prints them as one JSON line per case at the end, tagged RELIABILITY-FIGURES,
 * so the matrix can be refreshed from a run's output.
 */
import type { Counter } from 'prom-client';

const figures: Array<Record<string, unknown>> = [];

export function recordFigures(name: string, values: Record<string, unknown>): void {
	figures.push({ case: name, ...values });
}

export function printFigures(): void {
	for (const f of figures) console.log(`RELIABILITY-FIGURES ${JSON.stringify(f)}`);
}

/** Sum of a counter's series whose labels include `match`. */
export async function counterSum<T extends string>(counter: Counter<T>, match: Partial<Record<T, string>>): Promise<number> {
	const { values } = await counter.get();
	let sum = 0;
	for (const v of values) {
		const labels = v.labels as Record<string, string | number | undefined>;
		if (Object.entries(match).every(([k, want]) => String(labels[k]) === want)) sum += v.value;
	}
	return sum;
}
