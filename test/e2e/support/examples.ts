// The example workflows of examples/, as the tests and the demo use them: read from disk (so the
// tests always run what users import) and pointed at a test's topics, tables and credentials.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const EXAMPLES_DIR = path.resolve(__dirname, '../../../examples');

export type ExampleName = 'logs-high-frequency' | 'orders-low-frequency' | 'cdc-debezium' | 'cdc-database';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
	[key: string]: unknown;
}

export const NODE_TYPES = {
	trigger: 'n8n-nodes-doris-sinker.kafkaTrigger',
	schema: 'n8n-nodes-doris-sinker.dorisSchema',
	streamLoad: 'n8n-nodes-doris-sinker.dorisStreamLoad',
	deadLetters: 'n8n-nodes-base.kafka',
} as const;

/** Credential ids and names the examples reference; importing credentials with these ids links them. */
export const EXAMPLE_CREDENTIALS = {
	kafka: { type: 'kafkaDorisSinkApi', id: 'dsKafkaCredDemo1', name: 'Kafka (Doris Sinker demo)' },
	doris: { type: 'dorisApi', id: 'dsDorisCredDemo1', name: 'Doris (demo)' },
	deadLetters: { type: 'kafka', id: 'dsDlqKafkaDemo01', name: 'Kafka dead letters (demo)' },
} as const;

export function readExample(name: ExampleName): ExampleWorkflow {
	return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, `${name}.json`), 'utf8')) as ExampleWorkflow;
}

/** The DDL of examples/ddl/<name>.sql split into statements (comments dropped). */
export function readDdl(name: 'logs' | 'orders' | 'cdc' | 'cdc-database'): string[] {
	const text = readFileSync(path.join(EXAMPLES_DIR, 'ddl', `${name}.sql`), 'utf8').replace(/--[^\n]*/g, '');
	return text
		.split(';')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

export function nodeOfType(workflow: ExampleWorkflow, type: string): WorkflowNode {
	const node = workflow.nodes.find((n) => n.type === type);
	if (!node) throw new Error(`example "${workflow.name}" has no ${type} node`);
	return node;
}

export interface WorkflowTarget {
	/** Replaces the example's id (n8n ids: 16 letters/digits) and name. */
	id?: string;
	name?: string;
	topic: string;
	groupId: string;
	deadLetterTopic: string;
	database: string;
	table: string;
	/** Credential ids and names as created in this n8n. */
	credentials?: Partial<Record<keyof typeof EXAMPLE_CREDENTIALS, { id: string; name: string }>>;
	/** Merged into the nodes' parameters (options collections are merged one level deep). */
	trigger?: Record<string, unknown>;
	streamLoad?: Record<string, unknown>;
	schema?: Record<string, unknown>;
}

function merge(target: Record<string, unknown>, patch: Record<string, unknown> | undefined): void {
	for (const [key, value] of Object.entries(patch ?? {})) {
		const current = target[key];
		if (key === 'options' && typeof current === 'object' && current !== null && typeof value === 'object' && value !== null) {
			target[key] = { ...(current as Record<string, unknown>), ...(value as Record<string, unknown>) };
		} else {
			target[key] = value;
		}
	}
}

/** Doris Schema and Doris Stream Load hold database and table in resource locators from this version on. */
export const LOCATOR_VERSION = 1.1;
const DORIS_NODES: string[] = [NODE_TYPES.schema, NODE_TYPES.streamLoad];

/** A database or table name in the form the node's version stores: a resource locator from 1.1, else the name. */
function located(node: WorkflowNode, value: unknown): unknown {
	if (node.typeVersion < LOCATOR_VERSION || typeof value !== 'string') return value;
	return { __rl: true, mode: 'list', value };
}

function locateNames(node: WorkflowNode): void {
	for (const key of ['database', 'table']) node.parameters[key] = located(node, node.parameters[key]);
}

/**
 * The workflow as version 1 of the Doris nodes saved it (before resource locators): typeVersion 1 and
 * plain database and table names. Workflows saved then must keep working.
 */
export function asVersion1(workflow: ExampleWorkflow): ExampleWorkflow {
	const copy = structuredClone(workflow);
	for (const node of copy.nodes) {
		if (!DORIS_NODES.includes(node.type)) continue;
		node.typeVersion = 1;
		for (const key of ['database', 'table']) {
			const value = node.parameters[key];
			if (typeof value === 'object' && value !== null && '__rl' in value && 'value' in value) node.parameters[key] = value.value;
		}
	}
	return copy;
}

/**
 * A copy of the example pointed at `target`; the example's structure (nodes, wiring, settings) is kept.
 * Database and table (the target's, or an override's) take the form the node's version stores.
 */
export function exampleFor(name: ExampleName, target: WorkflowTarget): ExampleWorkflow {
	const workflow = readExample(name);
	if (target.id) workflow.id = target.id;
	if (target.name) workflow.name = target.name;
	const trigger = nodeOfType(workflow, NODE_TYPES.trigger);
	merge(trigger.parameters, { topicSelection: 'list', topics: target.topic, groupId: target.groupId, ...target.trigger });
	const schema = nodeOfType(workflow, NODE_TYPES.schema);
	merge(schema.parameters, { database: target.database, table: target.table, ...target.schema });
	locateNames(schema);
	const load = nodeOfType(workflow, NODE_TYPES.streamLoad);
	merge(load.parameters, { database: target.database, table: target.table, ...target.streamLoad });
	locateNames(load);
	nodeOfType(workflow, NODE_TYPES.deadLetters).parameters.topic = target.deadLetterTopic;
	for (const node of workflow.nodes) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const key = (Object.keys(EXAMPLE_CREDENTIALS) as Array<keyof typeof EXAMPLE_CREDENTIALS>).find((k) => EXAMPLE_CREDENTIALS[k].type === type);
			const replacement = key ? target.credentials?.[key] : undefined;
			if (replacement) node.credentials = { ...node.credentials, [type]: { ...ref, ...replacement } };
		}
	}
	return workflow;
}

/**
 * Makes `workflow` Trigger → Execute Workflow node "Hand Off" (with `parameters` besides its
 * sub-workflow, and `settings`), whose sub-workflow, given inline (source "parameter"), holds every
 * other node of the workflow, started by an Execute Workflow Trigger "Start" in place of the trigger.
 * Wait For Sub-Workflow Completion stays n8n's default (on) unless `parameters` says otherwise.
 */
export function handOffToSubWorkflow(workflow: ExampleWorkflow, parameters: Record<string, unknown> = {}, settings: { disabled?: boolean } = {}): void {
	const trigger = nodeOfType(workflow, NODE_TYPES.trigger);
	const connections = { ...workflow.connections };
	const first = connections[trigger.name];
	delete connections[trigger.name];
	const subWorkflow = {
		nodes: [
			{ id: 'start', name: 'Start', type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1.1, position: [0, 0], parameters: { inputSource: 'passthrough' } },
			...workflow.nodes.filter((node) => node !== trigger),
		],
		connections: { ...connections, Start: first },
	};
	workflow.nodes = [
		trigger,
		{
			id: 'hand-off',
			name: 'Hand Off',
			type: 'n8n-nodes-base.executeWorkflow',
			typeVersion: 1.3,
			position: [trigger.position[0] + 200, trigger.position[1]],
			parameters: { source: 'parameter', workflowJson: JSON.stringify(subWorkflow), mode: 'once', ...parameters },
			...settings,
		} as WorkflowNode,
	];
	workflow.connections = { [trigger.name]: { main: [[{ node: 'Hand Off', type: 'main', index: 0 }]] } };
}

/**
 * Puts `node` between the trigger and the nodes its output led to, beside Doris Schema in the editor:
 * its first output takes the trigger's targets, its other `outputs` lead nowhere.
 */
export function insertAfterTrigger(workflow: ExampleWorkflow, node: Omit<WorkflowNode, 'position'> & Record<string, unknown>, outputs = 1): void {
	const schema = nodeOfType(workflow, NODE_TYPES.schema);
	workflow.nodes.push({ ...node, position: [schema.position[0] - 100, schema.position[1] + 200] } as WorkflowNode);
	const connections = workflow.connections as Record<string, { main: unknown[][] }>;
	const trigger = nodeOfType(workflow, NODE_TYPES.trigger).name;
	connections[node.name] = { main: [connections[trigger].main[0], ...Array.from({ length: outputs - 1 }, () => [])] };
	connections[trigger].main[0] = [{ node: node.name, type: 'main', index: 0 }];
}

/** An IF node "Only Orders" between the trigger and Doris Schema: true to Doris Schema, false to nothing. */
export function gateBeforeSchema(workflow: ExampleWorkflow): void {
	insertAfterTrigger(workflow, {
		id: 'only-orders',
		name: 'Only Orders',
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
				conditions: [{ id: 'has-order', leftValue: '={{ $json.order_id }}', rightValue: 0, operator: { type: 'number', operation: 'gt' } }],
				combinator: 'and',
			},
			options: {},
		},
	});
}
