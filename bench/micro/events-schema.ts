/** The benchmark events' table (bench/dataset.ts tableDdl) as a manual schema, for the micro benchmarks. */
import { manualSchema } from '../../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../src/doris/schema/row-mapper';

export const eventsSchema = manualSchema('bench', 'events', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'user_id', type: 'INT', nullable: false },
	{ name: 'amount', type: 'DECIMAL(12, 2)', nullable: false },
	{ name: 'score', type: 'DOUBLE' },
	{ name: 'active', type: 'BOOLEAN', nullable: false },
	{ name: 'event_date', type: 'DATE', nullable: false },
	{ name: 'event_time', type: 'DATETIME(3)', nullable: false },
	{ name: 'country', type: 'VARCHAR(64)', nullable: false },
	{ name: 'message', type: 'STRING', nullable: false },
	{ name: 'attrs', type: 'JSON' },
	{ name: 'quantity', type: 'INT' },
	{ name: 'note', type: 'VARCHAR(255)' },
]);

export const eventsMapper = (): RowMapper => new RowMapper(eventsSchema, DEFAULT_ROW_MAPPER_OPTIONS);
