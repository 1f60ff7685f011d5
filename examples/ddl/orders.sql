-- Low-frequency large messages (orders): a merge-on-write UNIQUE KEY table, so a redelivered order
-- (at-least-once) overwrites itself instead of counting twice.
-- Used by examples/orders-low-frequency.json.
CREATE DATABASE IF NOT EXISTS demo;

CREATE TABLE IF NOT EXISTS demo.orders (
	order_id BIGINT NOT NULL,
	customer_id BIGINT NOT NULL,
	status VARCHAR(16) NOT NULL,
	amount DECIMAL(12, 2) NOT NULL,
	currency CHAR(3) NULL,
	created_at DATETIME(3) NOT NULL,
	items JSON NULL COMMENT 'order lines as sent',
	shipping_address STRING NULL,
	note STRING NULL
)
UNIQUE KEY(order_id)
DISTRIBUTED BY HASH(order_id) BUCKETS 8
PROPERTIES ("replication_num" = "1", "enable_unique_key_merge_on_write" = "true");
