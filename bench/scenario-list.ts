/** The scenarios, by the id the --scenarios flag uses (3 comes in two forms: n8n and packed). */
import type { ScenarioId } from './config';
import { n8nBuiltin, n8nBuiltinBatch } from './n8n-builtin';
import { n8nPacked, n8nPipeline } from './n8n-pipeline';
import { forkWorker, type Scenario } from './scenarios';

/** The scenarios measured for throughput (pitfalls counts what a broken workflow loads and commits instead). */
export type MeasuredScenarioId = Exclude<ScenarioId, 'pitfalls'>;

export function scenarioById(id: MeasuredScenarioId): Scenario {
	switch (id) {
		case 'raw':
			return { id, title: 'raw floor (kafkajs + undici, no n8n)', launch: (cfg) => forkWorker('raw-floor.ts', cfg) };
		case 'core':
			return { id, title: 'core pipeline (src/, no n8n)', launch: (cfg) => forkWorker('core-pipeline.ts', cfg) };
		case 'n8n':
			return n8nPipeline;
		case 'packed':
			return n8nPacked;
		case 'builtin':
			return n8nBuiltin;
		case 'builtin-batch':
			return n8nBuiltinBatch;
	}
}
