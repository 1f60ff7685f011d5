-- High-frequency small messages (application logs): a DUPLICATE KEY table, append-only.
-- Used by examples/logs-high-frequency.json. Run with any MySQL client on the FE query port (9030).
CREATE DATABASE IF NOT EXISTS demo;

CREATE TABLE IF NOT EXISTS demo.app_logs (
	ts DATETIME(3) NOT NULL COMMENT 'event time, UTC wall clock',
	seq BIGINT NOT NULL COMMENT 'producer sequence number',
	level VARCHAR(8) NOT NULL,
	service VARCHAR(64) NOT NULL,
	host VARCHAR(64) NULL,
	status SMALLINT NULL COMMENT 'HTTP status of the request logged',
	latency_ms INT NULL,
	message STRING NULL
)
DUPLICATE KEY(ts, seq)
DISTRIBUTED BY HASH(seq) BUCKETS 8
PROPERTIES ("replication_num" = "1");
