/**
 * The benchmark's builtin-batch workflow (n8n's own nodes) says what the README says it does, its
 * status check fails an execution for every Stream Load Status but Success and Publish Timeout, and
 * each pitfall variant differs from it in exactly the fix it undoes, its node chain still connected.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VARIANTS } from '../../../bench/builtin-pitfalls';
import { PARTITIONS } from '../../../bench/dataset';
import { builtinBatchWorkflow, nodeNamed } from '../../../bench/n8n-builtin';
import { fillTemplate } from '../../../bench/n8n';
import type { LaunchConfig } from '../../../bench/scenarios';
import type { WorkflowJson } from '../../../test/ground/n8n/host';

const cfg: LaunchConfig = {
	topic: 'events',
	groupId: 'g',
	brokers: ['127.0.0.1:9092'],
	doris: { feUrl: 'http://127.0.0.1:8030', beUrl: 'http://127.0.0.1:8040', user: 'root', password: '', db: 'bench', table: 't', queryPort: 9030 },
	batchRows: 50_000,
	flushMs: 1000,
	inFlight: 20,
	execRows: 5000,
};

function filled(): WorkflowJson {
	return fillTemplate(builtinBatchWorkflow.file, {
		TOPIC: cfg.topic,
		GROUP_ID: cfg.groupId,
		DB: cfg.doris.db,
		TABLE: cfg.doris.table,
		FE_URL: cfg.doris.feUrl,
		KAFKA_CREDENTIAL_ID: 'k',
		DORIS_CREDENTIAL_ID: 'd',
		...builtinBatchWorkflow.values?.(cfg),
	});
}

type Params = Record<string, unknown> & { options: Record<string, unknown> };
const params = (workflow: WorkflowJson, node: string): Params => nodeNamed(workflow, node).parameters as Params;

/** The node names from the trigger on, following the first connection of each node's first output. */
function chain(workflow: WorkflowJson): string[] {
	const connections = workflow.connections as Record<string, { main: { node: string }[][] }>;
	const out = ['Kafka Trigger'];
	for (let next = connections['Kafka Trigger']?.main[0]?.[0]; next !== undefined; next = connections[next.node]?.main[0]?.[0]) out.push(next.node);
	return out;
}

/** Runs the Fail Unless Loaded node's code on one Stream Load answer, as n8n's Code node would. */
function statusCheck(workflow: WorkflowJson, answer: Record<string, unknown>): unknown {
	const code = params(workflow, 'Fail Unless Loaded').jsCode as string;
	const items = [{ json: answer }];
	const $input = { first: () => items[0], all: () => items };
	return new Function('$input', code)($input);
}

describe('bench builtin-batch workflow', () => {
	it('is Kafka Trigger (batches, offsets on success, partitions in parallel) → JSON Lines → Stream Load through the FE → Fail Unless Loaded', () => {
		const workflow = filled();
		assert.deepEqual(chain(workflow), ['Kafka Trigger', 'JSON Lines', 'Stream Load', 'Fail Unless Loaded']);
		const trigger = params(workflow, 'Kafka Trigger');
		assert.equal(trigger.resolveOffset, 'onSuccess');
		assert.equal(trigger.options.batchSize, cfg.execRows);
		assert.equal(trigger.options.partitionsConsumedConcurrently, PARTITIONS);
		// kafkajs' default 1 MB per partition would cut a batch at ~3,000 of the bench's events.
		assert.ok((trigger.options.fetchMaxBytes as number) >= cfg.execRows * 400);
		const load = params(workflow, 'Stream Load');
		assert.equal(load.url, 'http://127.0.0.1:8030/api/bench/t/_stream_load');
		assert.equal(load.rawContentType, 'text/plain');
		assert.equal(load.options.sendCredentialsOnCrossOriginRedirect, true);
		const headers = (load.headerParameters as { parameters: { name: string; value: string }[] }).parameters;
		assert.deepEqual(
			headers.find((h) => h.name === 'Expect'),
			{ name: 'Expect', value: '100-continue' },
		);
	});

	it('fails the execution unless Doris answered Success or Publish Timeout', () => {
		const workflow = filled();
		for (const Status of ['Success', 'Publish Timeout']) assert.deepEqual(statusCheck(workflow, { Status }), [{ json: { Status } }]);
		for (const Status of ['Fail', 'Label Already Exists', undefined]) {
			assert.throws(() => statusCheck(workflow, { Status, Message: 'too many filtered rows' }), /Stream Load .*too many filtered rows/);
		}
	});

	it('reads the answer also when the HTTP Request node hands it over as text (an answer not typed application/json)', () => {
		const workflow = filled();
		const text = (answer: object): Record<string, unknown> => ({ data: `${JSON.stringify(answer)}\n` });
		assert.deepEqual(statusCheck(workflow, text({ Status: 'Success', NumberLoadedRows: 5000 })), [{ json: text({ Status: 'Success', NumberLoadedRows: 5000 }) }]);
		assert.throws(() => statusCheck(workflow, text({ Status: 'Fail', Message: '[INTERNAL_ERROR]no valid Basic authorization' })), /Stream Load Fail: \[INTERNAL_ERROR\]no valid Basic authorization/);
	});

	it('leaves the Stream Load answer to n8n\'s format detection (with a raw body, Response Format "JSON" handed the next node no Status)', () => {
		const options = params(filled(), 'Stream Load').options as { response?: { response?: { responseFormat?: string } } };
		assert.equal(options.response?.response?.responseFormat ?? 'autodetect', 'autodetect');
	});

	it('each pitfall variant undoes only its fix and keeps the nodes connected', () => {
		const base = filled();
		const byId = new Map(VARIANTS.map((v) => [v.id, v]));
		const variant = (id: string): WorkflowJson => {
			const workflow = filled();
			byId.get(id)!.edit(workflow);
			return workflow;
		};

		const jsonBody = variant('json-body');
		assert.deepEqual(chain(jsonBody), ['Kafka Trigger', 'JSON Lines', 'Stream Load']);
		assert.equal(params(jsonBody, 'Stream Load').rawContentType, 'application/json');
		assert.deepEqual(params(jsonBody, 'Kafka Trigger'), params(base, 'Kafka Trigger'));

		const checked = variant('json-body-checked');
		assert.deepEqual(chain(checked), chain(base));
		assert.equal(params(checked, 'Stream Load').rawContentType, 'application/json');

		const noCredentials = variant('no-redirect-credentials');
		assert.deepEqual(chain(noCredentials), ['Kafka Trigger', 'JSON Lines', 'Stream Load']);
		assert.equal(params(noCredentials, 'Stream Load').rawContentType, 'text/plain');
		assert.equal(params(noCredentials, 'Stream Load').options.sendCredentialsOnCrossOriginRedirect, undefined);
		assert.deepEqual(Object.keys(noCredentials.connections).sort(), ['JSON Lines', 'Kafka Trigger', 'Stream Load']);
		assert.equal(VARIANTS.length, 3);
	});

	it('refuses to fill a template when a placeholder has no value', () => {
		assert.throws(() => fillTemplate(builtinBatchWorkflow.file, { TOPIC: 't' }), /no value for __GROUP_ID__/);
	});
});
