-- A whole database from Debezium (examples/cdc-database.json): only the database. The Doris Schema node's
-- Map Rows to Tables creates each table from its first change event (Create Missing Tables: UNIQUE KEY
-- on the source's primary key, merge-on-write) and adds the columns a source table gains (Add New
-- Columns), logging every statement.
CREATE DATABASE IF NOT EXISTS demo;
