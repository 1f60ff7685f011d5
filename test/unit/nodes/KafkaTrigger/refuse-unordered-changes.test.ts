// Activation refuses settings under which an older change of a key can land over a newer one
// (src/common/change-order.ts): Keep Order per Partition off before a Doris Schema node reading
// Debezium Envelopes or a Doris Stream Load node with Deletes "Always", and Max Loads in Flight above
// 1 on a node loading such changes. Through the trigger's own activation (KafkaTrigger.trigger), on
// n8n's Workflow built with the three nodes' real descriptions, so the parameters carry n8n's defaults
// as in an activation; the credential lookup after the checks fails, which is where a refusal must come first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Workflow, type IConnections, type INode, type INodeParameters, type INodeType, type INodeTypes } from 'n8n-workflow';

import { DorisSchema } from '../../../../nodes/DorisSchema/DorisSchema.node.js';
import { DorisStreamLoad } from '../../../../nodes/DorisStreamLoad/DorisStreamLoad.node.js';
import { KafkaTrigger } from '../../../../nodes/KafkaTrigger/KafkaTrigger.node.js';

const TYPES: Record<string, INodeType> = {
	'n8n-nodes-doris-sinker.kafkaTrigger': new KafkaTrigger(),
	'n8n-nodes-doris-sinker.dorisSchema': new DorisSchema(),
	'n8n-nodes-doris-sinker.dorisStreamLoad': new DorisStreamLoad(),
};
const nodeTypes = { getByName: (type: string) => TYPES[type], getByNameAndVersion: (type: string) => TYPES[type], getKnownTypes: () => ({}) } as unknown as INodeTypes;
const node = (name: string, type: string, typeVersion: number, parameters: INodeParameters): INode => ({ id: name, name, type, typeVersion, position: [0, 0], parameters });
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];

const NO_CREDENTIAL = 'test: no credential here';

interface Settings {
	trigger?: INodeParameters;
	schema?: INodeParameters;
	load?: INodeParameters;
	/** The Stream Load node's Rejected output wired to a dead-letter node (else it leads nowhere). */
	rejectedWired?: boolean;
	/** The workflow's settings (n8n's Timeout: executionTimeout). */
	workflowSettings?: Record<string, unknown>;
}

/** Trigger → Doris Schema (Map Rows) → Doris Stream Load, activated; resolves or rejects as activation does. */
async function activate(settings: Settings): Promise<unknown> {
	const nodes = [
		node('Kafka Trigger', 'n8n-nodes-doris-sinker.kafkaTrigger', 1.1, { topics: 'customers', groupId: 'g', format: 'json', ...settings.trigger }),
		node('Schema', 'n8n-nodes-doris-sinker.dorisSchema', 1, { operation: 'mapRows', database: 'demo', table: 'customers', ...settings.schema }),
		node('Load', 'n8n-nodes-doris-sinker.dorisStreamLoad', 1, { database: 'demo', table: 'customers', ...settings.load }),
	];
	const connections: IConnections = { 'Kafka Trigger': { main: [to('Schema')] }, Schema: { main: [to('Load')] } };
	if (settings.rejectedWired === true) {
		nodes.push(node('Dead Letters', 'n8n-nodes-doris-sinker.dorisStreamLoad', 1, { database: 'demo', table: 'dead_letters', options: { deletes: 'never' } }));
		connections.Load = { main: [[], to('Dead Letters')] };
	}
	const workflow = new Workflow({ id: 'wf', nodes, connections, active: true, nodeTypes });
	const trigger = workflow.nodes['Kafka Trigger'];
	const ctx = {
		workflow,
		getNode: () => trigger,
		getNodeParameter: (name: string, fallback?: unknown) => (name in trigger.parameters ? trigger.parameters[name] : fallback),
		getWorkflowSettings: () => settings.workflowSettings ?? {},
		getMode: () => 'trigger',
		getWorkflow: () => ({ id: 'wf', name: 'w', active: true }),
		getCredentials: async () => {
			throw new Error(NO_CREDENTIAL);
		},
		logger: { info() {}, warn() {}, error() {}, debug() {} },
	};
	return new KafkaTrigger().trigger.call(ctx as never);
}

/** The activation's error: the refusal, or the credential lookup when nothing was refused. */
async function activationError(settings: Settings): Promise<Error & { description?: string }> {
	try {
		await activate(settings);
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('activation went through');
}

const CDC = { options: { cdc: true } };
const KEEP_ORDER = { options: { keepPartitionOrder: true, executionTimeoutSeconds: 120 } };

describe('activation refuses settings that let an older change land over a newer one', () => {
	it('Debezium Envelopes on without Keep Order per Partition (the trigger default): refused, naming both settings and the fix', async () => {
		const error = await activationError({ schema: CDC });
		assert.match(error.message, /Keep Order per Partition \(trigger options\) is off, but Doris Schema node "Schema" has Debezium Envelopes \(CDC\) on/);
		assert.match(error.message, /an update can bring back a row a later delete removed/);
		assert.match(error.description ?? '', /Turn Keep Order per Partition on .*Execution Timeout short/);
	});

	it('Deletes (CDC) "Always" without Keep Order: refused; Debezium Envelopes as an expression: refused as "may turn it on"', async () => {
		assert.match((await activationError({ load: { options: { deletes: 'always' } } })).message, /Doris Stream Load node "Load" has Deletes \(CDC\) "Always"/);
		assert.match((await activationError({ schema: { options: { cdc: '={{ true }}' } } })).message, /Debezium Envelopes \(CDC\) an expression, which may turn it on/);
	});

	it('Max Loads in Flight above 1 behind Debezium Envelopes: refused even with Keep Order on (one execution straddles two batches)', async () => {
		const error = await activationError({ trigger: KEEP_ORDER, schema: CDC, load: { options: { maxInFlight: 3 } } });
		assert.match(error.message, /Doris Stream Load node "Load" has Max Loads in Flight 3 with Debezium Envelopes \(CDC\) on in Doris Schema node "Schema"/);
		assert.match(error.description ?? '', /Max Loads in Flight to 1/);
	});

	it('activates the CDC recipe (Keep Order on, one load in flight), and plain rows (Deletes Auto, the default) without Keep Order when Rejected leads somewhere', async () => {
		assert.equal((await activationError({ trigger: KEEP_ORDER, schema: CDC })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ trigger: KEEP_ORDER, schema: CDC, load: { options: { deletes: 'auto', maxInFlight: 1 } } })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ rejectedWired: true })).message, NO_CREDENTIAL);
		// Without Keep Order the node takes each delete out onto Rejected (delete_unordered), whatever the loads in flight.
		assert.equal((await activationError({ rejectedWired: true, load: { options: { maxInFlight: 4 } } })).message, NO_CREDENTIAL);
	});

	// Session 16: with Keep Order on nothing takes a flattened delete out, so with two loads in flight the
	// batch holding it could commit before the batch holding the update before it. Activated before.
	it('Max Loads in Flight above 1 with Deletes Auto (the default) behind Keep Order: refused, naming both settings; Deletes Never or one load in flight activate', async () => {
		const error = await activationError({ trigger: KEEP_ORDER, load: { options: { maxInFlight: 2 } } });
		assert.match(error.message, /Doris Stream Load node "Load" has Max Loads in Flight 2 with Deletes \(CDC\) Auto \(the default\), which deletes the rows flagged as deletes \(a flattened Debezium record's __deleted "true"/);
		assert.match(error.description ?? '', /Max Loads in Flight to 1 .*for rows that never delete, Never/);
		assert.match((await activationError({ trigger: KEEP_ORDER, load: { options: { deletes: '={{ "auto" }}', maxInFlight: 2 } } })).message, /Max Loads in Flight 2 with its Deletes \(CDC\) an expression/);
		assert.equal((await activationError({ trigger: KEEP_ORDER, load: { options: { deletes: 'never', maxInFlight: 2 } } })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ trigger: KEEP_ORDER, load: { options: { maxInFlight: 1 } } })).message, NO_CREDENTIAL);
	});

	it('Tombstones "Delete the Row of Its Key" with Max Loads in Flight above 1: refused (the Keep Order half was refused already)', async () => {
		const error = await activationError({ trigger: { options: { ...KEEP_ORDER.options, tombstones: 'delete' } }, load: { options: { maxInFlight: 2 } } });
		assert.match(error.message, /Max Loads in Flight 2 with the trigger's Tombstones "Delete the Row of Its Key"/);
	});
});

// Session 16: settings under which one valid row fails every delivery and holds its partition for good
// (src/common/stalling-settings.ts). Each activated before.
describe('activation refuses settings under which one row would stall its partition', () => {
	it('Keep Order off, Deletes Auto (both defaults), Rejected leading nowhere: refused, naming the settings and the three ways out', async () => {
		const error = await activationError({});
		assert.match(error.message, /Keep Order per Partition \(trigger options\) is off and Doris Stream Load node "Load" has Deletes \(CDC\) Auto \(the default\), but its Rejected output leads nowhere/);
		assert.match(error.message, /flattened Debezium record's __deleted "true".*would fail every delivery of its execution and hold its partition for good/);
		assert.match(error.message, /turn Keep Order per Partition on, or connect its Rejected output .*, or set Deletes \(CDC\) to Never/);
		assert.match(error.description ?? '', /Connect the Doris Stream Load node's Rejected output to the dead-letter branch/);
		assert.match((await activationError({ rejectedWired: false, trigger: KEEP_ORDER, load: { options: { deletes: '={{ $json.x }}', jsonpaths: '["$.id"]', columns: 'id' } } })).message, /loads JSON with Columns id/);
	});

	it('each way out activates: Keep Order on, Rejected wired, Deletes Never; and a node on On Error "Continue (using error output)" with that output wired is left to its own check', async () => {
		assert.equal((await activationError({ trigger: KEEP_ORDER })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ rejectedWired: true })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ load: { options: { deletes: 'never' } } })).message, NO_CREDENTIAL);
	});

	it('JSON Paths, a json_root header or a Columns list with Rejected leading nowhere: refused, naming the setting (a row with an optional field would stall); Rejected wired, a partial update or CSV activate', async () => {
		const jsonPaths = await activationError({ trigger: KEEP_ORDER, load: { options: { jsonpaths: '["$.id", "$.name"]', columns: 'id, name' } } });
		assert.match(jsonPaths.message, /Doris Stream Load node "Load" loads JSON with Columns id, name and JSON Paths \["\$\.id", "\$\.name"\], but its Rejected output leads nowhere: a row with a field none of them reads/);
		assert.match(jsonPaths.message, /connect its Rejected output .*, or read every field the rows can carry/);
		const root = await activationError({ trigger: KEEP_ORDER, load: { options: { headers: { header: [{ name: 'json_root', value: '$.data' }] } } } });
		assert.match(root.message, /loads JSON with a json_root header \$\.data, but its Rejected output leads nowhere/);
		assert.match((await activationError({ trigger: KEEP_ORDER, load: { options: { columns: 'id, name' } } })).message, /loads JSON with Columns id, name, but/);
		assert.equal((await activationError({ trigger: KEEP_ORDER, rejectedWired: true, load: { options: { jsonpaths: '["$.id"]', columns: 'id' } } })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ trigger: KEEP_ORDER, load: { options: { columns: 'id, name', partialUpdate: 'fixed' } } })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ trigger: KEEP_ORDER, load: { format: 'csv', csvColumns: 'id, name' } })).message, NO_CREDENTIAL);
	});

});

describe('activation refuses timeouts that give an execution up while its rows wait in a batch', () => {
	it("n8n's workflow Timeout not above the Stream Load node's Batch Max Interval: refused, naming both (before: 200 messages made 800 rows)", async () => {
		const error = await activationError({ rejectedWired: true, load: { batchIntervalSeconds: 8 }, workflowSettings: { executionTimeout: 3 } });
		assert.match(error.message, /n8n cancels each execution after 3 s \(the workflow's Timeout setting\), but Doris Stream Load node "Load" may hold rows for 8 s/);
		assert.match(String(error.description), /raise the workflow's Timeout/);
	});

	it('a Timeout above the interval goes through to the credential lookup', async () => {
		assert.equal((await activationError({ rejectedWired: true, load: { batchIntervalSeconds: 8 }, workflowSettings: { executionTimeout: 60 } })).message, NO_CREDENTIAL);
	});
});

// Review session 20, F7: a tombstone's key row has no Debezium source block, so a Doris Schema node taking
// the table (or database) from "Debezium Source" sent every such delete to Invalid; the combination
// activated without a word, where README and the compacted-topic refusal advise the setting.
describe('activation refuses Tombstones "Delete the Row of Its Key" before a Doris Schema node naming tables by the Debezium source block', () => {
	const tombstonesDelete = { options: { ...KEEP_ORDER.options, tombstones: 'delete' } };
	const toTables = (tableFrom: string, databaseFrom = 'parameter') => ({ operation: 'mapRowsToTables', tableFrom, databaseFrom, options: { cdc: true } });

	it('Table From or Database From "Debezium Source" (or an expression): refused, naming the node, the setting and the fix', async () => {
		const error = await activationError({ trigger: tombstonesDelete, schema: toTables('debezium'), rejectedWired: true });
		assert.match(error.message, /Tombstones is "Delete the Row of Its Key", but Doris Schema node "Schema" has Table From "Debezium Source": a tombstone has no value/);
		assert.match(String(error.description), /Table From to "Kafka Topic \(Last Segment\)" or a "Topic → Table Map"/);
		assert.match((await activationError({ trigger: tombstonesDelete, schema: toTables('topic', 'debezium'), rejectedWired: true })).message, /has Database From "Debezium Source"/);
		assert.match((await activationError({ trigger: tombstonesDelete, schema: toTables('={{ "debezium" }}'), rejectedWired: true })).message, /Table From an expression, which may be "Debezium Source"/);
	});

	it('the topic naming the table, or tombstones skipped, goes through to the credential lookup', async () => {
		assert.equal((await activationError({ trigger: tombstonesDelete, schema: toTables('topic', 'topic'), rejectedWired: true })).message, NO_CREDENTIAL);
		assert.equal((await activationError({ trigger: KEEP_ORDER, schema: toTables('debezium', 'debezium'), rejectedWired: true })).message, NO_CREDENTIAL);
	});
});
