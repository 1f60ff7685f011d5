// Which tables and columns the trigger's "Check Doris Tables on Activation" reads from the downstream
// nodes' parameters (as n8n's getChildNodes gives them, defaults filled in).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { INodeParameters, NodeTypeAndVersion } from 'n8n-workflow';

import { SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE, collectDownstreamTables } from '../../../../nodes/KafkaTrigger/downstream-tables';

function child(name: string, type: string, parameters: INodeParameters, disabled = false): NodeTypeAndVersion {
	return { name, type, typeVersion: 1, disabled, parameters };
}

const schemaDefaults = { operation: 'mapRows', database: '', table: '', schemaMode: 'auto', manualColumns: {}, options: {} };

describe('collectDownstreamTables', () => {
	it('takes the Schema node\'s table and mapped columns, and the Stream Load node\'s table', () => {
		const { tables, skipped } = collectDownstreamTables([
			child('Map rows', SCHEMA_NODE_TYPE, {
				...schemaDefaults,
				database: 'demo',
				table: 'events',
				options: {
					mapping: { mapping: [{ field: 'uid', column: 'user_id' }, { field: 'x', column: '' }] },
					epochUnits: { column: [{ column: 'event_day', unit: 'days' }, { column: '', unit: 'ms' }] },
				},
			}),
			child('Load', STREAM_LOAD_NODE_TYPE, { database: { __rl: true, value: 'demo', mode: 'list' }, table: 'events', format: 'csv', csvColumns: 'a, b' }),
			child('Set', 'n8n-nodes-base.set', { table: 'nope' }),
		]);
		assert.deepEqual(tables, [
			{
				label: 'Doris Schema node "Map rows"',
				database: 'demo',
				table: 'events',
				columns: [
					{ column: 'user_id', from: 'mapped from field "uid"' },
					{ column: 'event_day', from: 'named in Epoch Unit per Column' },
				],
			},
			{ label: 'Doris Stream Load node "Load"', database: 'demo', table: 'events', columns: [], loadColumns: { columns: ['a', 'b'] } },
		]);
		assert.deepEqual(skipped, []);
	});

	it("passes the Columns the Stream Load node sends (JSON: Columns, CSV: CSV Columns), so activation checks the table's HLL / BITMAP columns get an expression", () => {
		const { tables, skipped } = collectDownstreamTables([
			child('None', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: {} }),
			child('Json', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { columns: "day, user_id, uv = hll_hash(user_id), note = concat(a, ', ', b)" } }),
			child('Csv', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'csv', csvColumns: 'day,user_id,uv=hll_hash(user_id)' }),
			child('Fixed', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { partialUpdate: 'fixed', columns: 'day, v' } }),
			child('Expr', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { columns: '={{ $json.cols }}' } }),
		]);
		assert.deepEqual(
			tables.map((t) => t.loadColumns),
			[
				{ columns: [] },
				{ columns: ['day', 'user_id', 'uv = hll_hash(user_id)', "note = concat(a, ', ', b)"] },
				{ columns: ['day', 'user_id', 'uv=hll_hash(user_id)'] },
				{ columns: ['day', 'v'], partialUpdate: true },
				undefined,
			],
		);
		assert.deepEqual(skipped, ['Doris Stream Load node "Expr": the Columns are an expression']);
	});

	it("passes the Stream Load node's partial update, so activation checks its key columns or the table's flexible-update property", () => {
		const { tables, skipped } = collectDownstreamTables([
			child('Fixed', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { partialUpdate: 'fixed', columns: 'id, status' } }),
			child('Legacy', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'csv', csvColumns: 'id,v', options: { partialColumns: true } }),
			child('Flexible', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { partialUpdate: 'flexible' } }),
			child('Expr', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { partialUpdate: 'fixed', columns: '={{ $json.cols }}' } }),
			// Version 1.1 (resource locators); a computed entry updates its column, its commas are its own.
			child('Computed', STREAM_LOAD_NODE_TYPE, {
				database: { __rl: true, mode: 'list', value: 'demo' },
				table: { __rl: true, mode: 'name', value: 't' },
				format: 'json',
				options: { partialUpdate: 'fixed', columns: "id, note = concat(v, ', ', w)" },
			}),
		]);
		assert.deepEqual(
			tables.map((t) => t.partialUpdate),
			[
				{ mode: 'fixed', columns: ['id', 'status'], strictModeSet: false },
				{ mode: 'fixed', columns: ['id', 'v'], strictModeSet: false },
				{ mode: 'flexible', strictModeSet: false },
				undefined,
				{ mode: 'fixed', columns: ['id', 'note'], strictModeSet: false },
			],
		);
		assert.deepEqual([tables[4].database, tables[4].table], ['demo', 't']);
		assert.deepEqual(skipped, ['Doris Stream Load node "Expr": the partial update columns are an expression']);
	});

	it('passes whether Strict Mode was added to a partial update, so activation refuses one left unset before Doris 3.1', () => {
		const { tables } = collectDownstreamTables([
			child('Set', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { partialUpdate: 'fixed', columns: 'id, v', strictMode: true } }),
			child('Unset', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { partialUpdate: 'fixed', columns: 'id, v' } }),
			child('Whole', STREAM_LOAD_NODE_TYPE, { table: 't', format: 'json', options: { strictMode: true } }),
		]);
		assert.deepEqual(
			tables.map((t) => t.partialUpdate?.strictModeSet),
			[true, false, undefined],
		);
	});

	it('skips nodes whose messages name their table (Map Rows to Tables, Each Row\'s Table)', () => {
		const { tables, skipped } = collectDownstreamTables([
			child('Tables', SCHEMA_NODE_TYPE, { ...schemaDefaults, operation: 'mapRowsToTables', table: '' }),
			child('Rows', STREAM_LOAD_NODE_TYPE, { tableFrom: 'item', table: '' }),
		]);
		assert.deepEqual(tables, []);
		assert.deepEqual(skipped, ['Doris Schema node "Tables": each message names its table', 'Doris Stream Load node "Rows": each message names its table']);
	});

	it('checks the manual column list in manual mode, with its types, as Validate on Start does at the first execution', () => {
		const { tables } = collectDownstreamTables([
			child('Manual', SCHEMA_NODE_TYPE, {
				...schemaDefaults,
				table: 't',
				schemaMode: 'manual',
				manualColumns: { column: [{ name: 'id', type: 'INT' }, { name: 'v' }, { name: 'w', type: '={{ "INT" }}' }] },
			}),
		]);
		assert.deepEqual(tables[0].columns, [
			{ column: 'id', from: 'manual column list', manualType: 'INT' },
			{ column: 'v', from: 'manual column list' },
			{ column: 'w', from: 'manual column list' },
		]);
	});

	it('skips Get Schema, Validate on Start off, disabled nodes, missing tables and expressions (with a note)', () => {
		const { tables, skipped } = collectDownstreamTables([
			child('Get', SCHEMA_NODE_TYPE, { ...schemaDefaults, operation: 'getSchema', table: 't' }),
			child('Off', SCHEMA_NODE_TYPE, { ...schemaDefaults, table: 't', options: { validateOnStart: false } }),
			child('Disabled', STREAM_LOAD_NODE_TYPE, { table: 't' }, true),
			child('Expr', STREAM_LOAD_NODE_TYPE, { database: 'd', table: '={{ $json.table }}' }),
			child('Empty', SCHEMA_NODE_TYPE, { ...schemaDefaults }),
			child('Mixed', SCHEMA_NODE_TYPE, { ...schemaDefaults, table: 't', options: { mapping: { mapping: [{ field: 'a', column: '={{ "c" }}' }, { field: 'b', column: 'b2' }] } } }),
		]);
		assert.deepEqual(
			tables.map((t) => [t.label, t.columns]),
			[['Doris Schema node "Mixed"', [{ column: 'b2', from: 'mapped from field "b"' }]]],
		);
		assert.deepEqual(skipped, [
			'Doris Stream Load node "Disabled" is disabled',
			'Doris Stream Load node "Expr": the database or table is an expression, resolved only when an item arrives',
			'Doris Schema node "Empty": no table chosen',
			'Doris Schema node "Mixed": the column mapped from field "a" is an expression',
		]);
	});
});
