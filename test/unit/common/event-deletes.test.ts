// Which Doris Schema nodes delete rows by Debezium's delete events (src/common/event-deletes.ts), the test the
// Kafka trigger refuses compacted topics under Tombstones "Skip" by: op d envelopes, and, since review session
// 20 (F4), flattened records with __deleted "true" (a Doris Schema node with Debezium Envelopes off deletes by
// them unless it keeps the field as data). Before, a flattened stream on a compacted topic activated, was never
// looked at again, and lost every delete whose record the log cleaner removed, its tombstone skipped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { refusesCompactedTopics, schemaNodesDeletingByEvents } from '../../../src/common/event-deletes';
import { KAFKA_TRIGGER_NODE_TYPE, SCHEMA_NODE_TYPE, STREAM_LOAD_NODE_TYPE } from '../../../src/common/lossy-settings';
import { graphOf, type GraphNode } from '../../../src/common/workflow-graph';
import { manualSchema } from '../../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../src/doris/schema/row-mapper';

const to = (...names: string[]) => names.map((node) => ({ node, type: 'main', index: 0 }));

/** Trigger → Schema → Load, with `schema` as the Doris Schema node's parameters; `Other Schema` reached by no trigger. */
function graphWith(schema: Record<string, unknown>, fields: Partial<GraphNode> = {}) {
	return graphOf(
		[
			{ name: 'Kafka Trigger', type: KAFKA_TRIGGER_NODE_TYPE },
			{ name: 'Schema', type: SCHEMA_NODE_TYPE, parameters: schema, ...fields },
			{ name: 'Load', type: STREAM_LOAD_NODE_TYPE, parameters: { options: {} } },
			{ name: 'Other Schema', type: SCHEMA_NODE_TYPE, parameters: { operation: 'mapRows', options: { cdc: true } } },
		],
		{ 'Kafka Trigger': { main: [to('Schema')] }, Schema: { main: [to('Load')] }, 'Other Schema': { main: [to('Load')] } },
	);
}

const deleting = (schema: Record<string, unknown>, fields: Partial<GraphNode> = {}) => schemaNodesDeletingByEvents(graphWith(schema, fields), 'Kafka Trigger');

const mappingFrom = (field: string) => ({ mapping: { mapping: [{ field, column: 'is_deleted' }] } });

describe('schemaNodesDeletingByEvents', () => {
	it('Debezium Envelopes on or an expression: deletes by op d events', () => {
		assert.deepEqual(deleting({ operation: 'mapRows', options: { cdc: true } }), [{ node: 'Schema', form: 'envelopes' }]);
		assert.deepEqual(deleting({ operation: 'mapRowsToTables', options: { cdc: '={{ true }}' } }), [{ node: 'Schema', form: 'envelopes' }]);
	});

	it('Debezium Envelopes off (absent or false), one table or many: deletes by flattened __deleted "true" records (before: counted as not deleting)', () => {
		assert.deepEqual(deleting({ operation: 'mapRows', options: {} }), [{ node: 'Schema', form: 'flattened' }]);
		assert.deepEqual(deleting({ operation: 'mapRowsToTables', options: { cdc: false } }), [{ node: 'Schema', form: 'flattened' }]);
		// Stored without an operation: the node's default, Map Rows to Table.
		assert.deepEqual(deleting({ options: {} }), [{ node: 'Schema', form: 'flattened' }]);
		// Another field mapped, or a manual column of another name, or an Auto schema (its columns unseen): still deleting.
		assert.deepEqual(deleting({ operation: 'mapRows', options: mappingFrom('deleted_at') }), [{ node: 'Schema', form: 'flattened' }]);
		assert.deepEqual(deleting({ operation: 'mapRows', schemaMode: 'manual', manualColumns: { column: [{ name: 'id' }, { name: 'deleted' }] }, options: {} }), [{ node: 'Schema', form: 'flattened' }]);
		// A mapping whose field is an expression cannot be told: deleting.
		assert.deepEqual(deleting({ operation: 'mapRows', options: mappingFrom('={{ "__deleted" }}') }), [{ node: 'Schema', form: 'flattened' }]);
	});

	it('the node as the mapper reads it: with Envelopes off a record with __deleted "true" deletes its row', () => {
		const table = { ...manualSchema('demo', 'customers', [{ name: 'id', type: 'BIGINT', nullable: false }, { name: 'name', type: 'STRING' }]), keyModel: 'UNIQUE' as const, keyColumns: ['id'] };
		assert.equal(new RowMapper(table, DEFAULT_ROW_MAPPER_OPTIONS).flattenedDeletes, true);
		assert.deepEqual(deleting({ operation: 'mapRows', schemaMode: 'manual', manualColumns: { column: [{ name: 'id' }, { name: 'name' }] }, options: {} }), [{ node: 'Schema', form: 'flattened' }]);
	});

	it('__deleted kept as data (a Field Mapping from it or a dot path under it, a manual column of that name in any case): not deleting, as the mapper reads it', () => {
		assert.deepEqual(deleting({ operation: 'mapRows', options: mappingFrom('__deleted') }), []);
		assert.deepEqual(deleting({ operation: 'mapRowsToTables', options: mappingFrom(' __deleted.flag ') }), []);
		assert.deepEqual(deleting({ operation: 'mapRows', schemaMode: 'manual', manualColumns: { column: [{ name: 'id' }, { name: '__Deleted' }] }, options: {} }), []);
		const soft = { ...manualSchema('demo', 'customers', [{ name: 'id', type: 'BIGINT', nullable: false }, { name: '__Deleted', type: 'STRING' }]), keyModel: 'UNIQUE' as const, keyColumns: ['id'] };
		assert.equal(new RowMapper(soft, DEFAULT_ROW_MAPPER_OPTIONS).flattenedDeletes, false, 'the mapper keeps the field as data too');
		const flagged = { ...manualSchema('demo', 'customers', [{ name: 'id', type: 'BIGINT', nullable: false }, { name: 'is_deleted', type: 'STRING' }]), keyModel: 'UNIQUE' as const, keyColumns: ['id'] };
		assert.equal(new RowMapper(flagged, { ...DEFAULT_ROW_MAPPER_OPTIONS, mapping: [{ field: '__deleted', column: 'is_deleted' }] }).flattenedDeletes, false, 'and a Field Mapping from it');
		// The manual column list counts only where the node reads it (Map Rows to Table, Schema Mode Manual).
		assert.deepEqual(deleting({ operation: 'mapRows', schemaMode: 'auto', manualColumns: { column: [{ name: '__deleted' }] }, options: {} }), [{ node: 'Schema', form: 'flattened' }]);
	});

	it('nothing that cannot delete: Get Schema, a disabled node, a Doris Schema node the trigger does not reach', () => {
		assert.deepEqual(deleting({ operation: 'getSchema', options: {} }), []);
		assert.deepEqual(deleting({ operation: 'getSchema', options: { cdc: true } }), []);
		assert.deepEqual(deleting({ operation: 'mapRows', options: {} }, { disabled: true }), []);
	});
});

describe('refusesCompactedTopics: what the Kafka trigger decides at activation', () => {
	const refuses = (schema: Record<string, unknown>, settings: { tombstonesSkipped: boolean; keepPartitionOrder: boolean }) => refusesCompactedTopics(graphWith(schema), 'Kafka Trigger', settings);
	const SKIP_ORDERED = { tombstonesSkipped: true, keepPartitionOrder: true };

	it('Skip with Keep Order behind a flattened-deleting Doris Schema node: refused, as behind Debezium Envelopes (before: not)', () => {
		assert.equal(refuses({ operation: 'mapRows', options: {} }, SKIP_ORDERED), true);
		assert.equal(refuses({ operation: 'mapRowsToTables', options: { cdc: false } }, SKIP_ORDERED), true);
		assert.equal(refuses({ operation: 'mapRows', options: { cdc: true } }, SKIP_ORDERED), true);
	});

	it('Keep Order off: op d events still count; flattened deletes do not, as the Doris Stream Load node takes each out then (delete_unordered)', () => {
		assert.equal(refuses({ operation: 'mapRows', options: { cdc: true } }, { tombstonesSkipped: true, keepPartitionOrder: false }), true);
		assert.equal(refuses({ operation: 'mapRows', options: {} }, { tombstonesSkipped: true, keepPartitionOrder: false }), false);
	});

	it('not refused: tombstones not skipped, Get Schema, __deleted kept as data', () => {
		assert.equal(refuses({ operation: 'mapRows', options: {} }, { tombstonesSkipped: false, keepPartitionOrder: true }), false);
		assert.equal(refuses({ operation: 'mapRows', options: { cdc: true } }, { tombstonesSkipped: false, keepPartitionOrder: true }), false);
		assert.equal(refuses({ operation: 'getSchema', options: {} }, SKIP_ORDERED), false);
		assert.equal(refuses({ operation: 'mapRows', options: mappingFrom('__deleted') }, SKIP_ORDERED), false);
	});
});
