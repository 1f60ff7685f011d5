-- CDC (Debezium change events of a `customers` table): a merge-on-write UNIQUE KEY table. Inserts and
-- updates load the `after` image; deletes load the `before` image with Doris' hidden
-- __DORIS_DELETE_SIGN__ = 1, which removes the key.
-- The sequence column matters: the Stream Load node batches rows of several executions (in flight at
-- the same time), so two changes of one key can reach Doris in a different order than Kafka holds them.
-- With "function_column.sequence_col" Doris keeps the row with the highest updated_at whatever the
-- load order (a delete carries the `before` image, whose updated_at is the row's latest).
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
