-- CDC (Debezium change events of a `customers` table): a merge-on-write UNIQUE KEY table. Inserts and
-- updates load the `after` image; deletes load the `before` image with Doris' hidden
-- __DORIS_DELETE_SIGN__ = 1, which removes the key.
-- Order: the Stream Load node batches rows of all executions in flight, so two executions of one
-- partition could reach Doris in either order. The CDC example turns on the trigger's Keep Order per
-- Partition: one execution per partition at a time (partitions in parallel), which keeps Kafka's order.
-- The sequence column is the safety net for updates: Doris keeps the row with the highest updated_at
-- whatever the load order. It cannot order a delete against the update before it (the delete's
-- `before` image has the same updated_at; on equal sequence values the later load wins), which is why
-- the order of the loads matters.
-- Used by examples/cdc-debezium.json.
CREATE DATABASE IF NOT EXISTS demo;

CREATE TABLE IF NOT EXISTS demo.customers (
	id BIGINT NOT NULL,
	name VARCHAR(128) NOT NULL,
	email VARCHAR(256) NULL,
	tier VARCHAR(16) NULL,
	balance DECIMAL(14, 2) NULL,
	updated_at DATETIME(3) NOT NULL COMMENT 'sequence column: last change of the source row'
)
UNIQUE KEY(id)
DISTRIBUTED BY HASH(id) BUCKETS 4
PROPERTIES (
	"replication_num" = "1",
	"enable_unique_key_merge_on_write" = "true",
	"function_column.sequence_col" = "updated_at"
);
