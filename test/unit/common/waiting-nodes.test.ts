// Nodes that put an execution to wait (status "waiting"): the Kafka trigger takes it for a failure and
// redelivers, and every parked copy resumes later and loads again (review session 19, F2). The rules
// follow n8n-nodes-base 2.40.7: Wait.node.js (in-process below 65 s), Form.node.js, the sendAndWait
// operations, GitHub's dispatchAndWait.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_TRIGGER_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { waitingNodeProblem, waitingNodeProblems } from '../../../src/common/waiting-nodes';
import { graphOf, type GraphNode } from '../../../src/common/workflow-graph';

const wait = (parameters: Record<string, unknown>, typeVersion = 1.1): GraphNode => ({ name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion, parameters });

describe('waitingNodeProblem', () => {
	it('passes a Wait node sleeping a literal interval under 65 s (n8n waits in-process), its version 1.1 default (5 s), and a disabled one', () => {
		assert.equal(waitingNodeProblem(wait({ resume: 'timeInterval', amount: 64, unit: 'seconds' })), undefined);
		assert.equal(waitingNodeProblem(wait({ amount: 1, unit: 'minutes' })), undefined);
		assert.equal(waitingNodeProblem(wait({})), undefined);
		assert.equal(waitingNodeProblem({ ...wait({ resume: 'webhook' }), disabled: true }), undefined);
	});

	it('refuses a Wait node of 65 s or more, naming it and why', () => {
		assert.match(waitingNodeProblem(wait({ amount: 65, unit: 'seconds' })) ?? '', /Wait node "Wait": a wait of 65 seconds: n8n waits in-process only below 65 s/);
		assert.match(waitingNodeProblem(wait({ amount: 70, unit: 'seconds' })) ?? '', /never commit.*loading the same rows once per copy/);
		// Version 1's default is 1 hour.
		assert.match(waitingNodeProblem(wait({}, 1)) ?? '', /a wait of 1 hours/);
	});

	it('refuses an amount or unit given by an expression, and every other Resume', () => {
		assert.match(waitingNodeProblem(wait({ amount: '={{ $json.delay }}', unit: 'seconds' })) ?? '', /given by an expression/);
		assert.match(waitingNodeProblem(wait({ resume: 'webhook' })) ?? '', /On Webhook Call/);
		assert.match(waitingNodeProblem(wait({ resume: 'form' })) ?? '', /On Form Submitted/);
		assert.match(waitingNodeProblem(wait({ resume: 'specificTime', dateTime: '2030-01-01' })) ?? '', /At Specified Time/);
	});

	it('refuses a Form node and any operation that sends and waits, naming the node', () => {
		assert.match(waitingNodeProblem({ name: 'Page', type: 'n8n-nodes-base.form', parameters: {} }) ?? '', /Form node "Page"/);
		assert.match(waitingNodeProblem({ name: 'Approve', type: 'n8n-nodes-base.slack', parameters: { operation: 'sendAndWait' } }) ?? '', /Node "Approve": its operation "sendAndWait" puts the execution to wait/);
		assert.match(waitingNodeProblem({ name: 'CI', type: 'n8n-nodes-base.github', parameters: { operation: 'dispatchAndWait' } }) ?? '', /"dispatchAndWait"/);
		assert.equal(waitingNodeProblem({ name: 'Post', type: 'n8n-nodes-base.slack', parameters: { operation: 'post' } }), undefined);
	});
});

describe('waitingNodeProblems', () => {
	const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));
	const nodes: GraphNode[] = [
		{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
		{ name: 'Load', type: STREAM_LOAD_NODE_TYPE },
		wait({ resume: 'webhook' }),
		{ name: 'Elsewhere', type: 'n8n-nodes-base.form' },
	];

	it('finds the waiting nodes the trigger\'s rows reach, before or after the Doris Stream Load node; not those they never reach', () => {
		const after = graphOf(nodes, { 'Kafka Trigger': { main: [to('Load')] }, Load: { main: [to('Wait')] } });
		assert.deepEqual(waitingNodeProblems(after, ['Kafka Trigger']).length, 1);
		const before = graphOf(nodes, { 'Kafka Trigger': { main: [to('Wait')] }, Wait: { main: [to('Load')] } });
		assert.match(waitingNodeProblems(before, ['Kafka Trigger']).join(), /Wait node "Wait"/);
		assert.deepEqual(waitingNodeProblems(graphOf(nodes, { 'Kafka Trigger': { main: [to('Load')] } }), ['Kafka Trigger']), []);
	});
});
