/**
 * Scenario 3, the full pipeline in n8n 2.x: this package's three nodes in an active workflow
 * (bench/workflows/doris-sinker.json): Kafka Trigger (Doris Sinker) → Doris Schema (auto schema,
 * read over the test server's MySQL port) → Doris Stream Load (through the FE's 307), with the same
 * batch and window settings as scenario 2. Two forms: the trigger's default "One Item per Message"
 * output (n8n), and "One Item per Batch" (packed: one item of JSON lines per execution, the fast form
 * for a plain Kafka → Doris Schema → Stream Load workflow, see src/common/item-contract.ts).
 */
import { launchInN8n } from './n8n';
import type { Scenario } from './scenarios';

export const n8nPipeline: Scenario = {
	id: 'n8n',
	title: 'this package in n8n (trigger → schema → stream load)',
	launch: (cfg) => launchInN8n({ file: 'doris-sinker.json', nodes: 'sinker' }, cfg),
};

export const n8nPacked: Scenario = {
	id: 'packed',
	title: 'this package in n8n, one item per batch (packed rows)',
	launch: (cfg) => launchInN8n({ file: 'doris-sinker-packed.json', nodes: 'sinker' }, cfg),
};
