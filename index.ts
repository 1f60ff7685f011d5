/**
 * The n8n-free core of n8n-nodes-doris-sinker: everything the nodes use, usable and testable
 * without n8n. The n8n nodes and credentials are loaded by n8n from package.json's `n8n` field.
 */
export * from './src/doris/connection';
export * from './src/kafka/connection';
export { metrics, registry } from './src/metrics/metrics';
export * from './src/common/item-contract';
export { closeDorisPools, dorisQuery, listDatabases, listTables, DorisQueryError } from './src/doris/mysql';
export { checkDorisConnection, type ConnectionCheckResult } from './src/doris/connection-check';
export * from './src/doris/schema/types';
export { parseDorisType, parseDorisTypeLenient, DorisTypeParseError } from './src/doris/schema/type-parser';
export { readTableSchema, TableNotFoundError } from './src/doris/schema/reader';
export { manualSchema, type ManualColumn } from './src/doris/schema/manual';
export { SchemaCache, schemaCache, invalidateSchema, closeSchemaCache } from './src/doris/schema/schema-cache';
export { resolveSchema, SchemaValidationError } from './src/doris/schema/resolve';
export { RowMapper, rowMapperFor, DEFAULT_ROW_MAPPER_OPTIONS, type RowMapperOptions, type Rejection, type MapResult, type FieldMapping } from './src/doris/schema/row-mapper';
export { routeItems, INVALID_FIELD, type InvalidInfo } from './src/doris/schema/route-items';
// What the Doris Schema and Doris Stream Load nodes do with an execution's items.
export { mapItems, BrokenPackedItemError, type MapItemsOptions } from './src/doris/schema/map-items';
// A whole database in one workflow: each message's table, tables created and columns added on demand.
export { mapItemsToTargets, type TargetMapping } from './src/doris/schema/map-targets';
export { resolveTarget, type TargetRules, type NameRule, type DorisTarget } from './src/doris/schema/target';
export { designTable, createTableStatement, addColumnsStatement, type TableDesign, type CreateOptions } from './src/doris/schema/table-design';
export { createTable, addColumns, tableSchemaOrCreate } from './src/doris/schema/ddl-runner';
export { groupByTarget, type TargetGroup } from './src/batch/load-targets';
export { sortItemsForLoad, firstUnloadable, loadSortedItems, type DeleteMode, type SortedItems } from './src/batch/load-items';
export { summariseLoad, type LoadSummary } from './src/batch/load-summary';
export { LOAD_DEFAULTS } from './src/batch/load-defaults';
export type { RejectRule } from './src/doris/schema/coerce-type';
export type { DateTimeOptions, EpochUnit } from './src/doris/schema/datetime';
// Doris Stream Load: the client, its options and errors, and the shared per-target batches.
export { StreamLoadClient, type StreamLoadClientConfig, type LoadRequest, type LoadResult, type StreamLoadLogger } from './src/doris/stream-load/client';
export { StreamLoadError, redactUrl } from './src/doris/stream-load/errors';
export { buildLoadHeaders } from './src/doris/stream-load/headers';
export { LabelFactory, validateLabelPrefix, LABEL_PATTERN } from './src/doris/stream-load/labels';
export type { LoadOptions, LoadFormat } from './src/doris/stream-load/options';
export { DEFAULT_RETRY, type RetryPolicy } from './src/doris/stream-load/retry';
export { TargetBatcher, type AddResult, type BatchReport } from './src/batch/batcher';
export type { BatchLimits } from './src/batch/batch-limits';
export type { BatchPart, LineChunk } from './src/batch/batch-parts';
export { loadIntoDoris, loadPartsIntoDoris, dorisBatcher, closeDorisClients, type DorisTargetConfig, type DorisBatchResult } from './src/batch/doris-target';
// Packed rows (one item per Kafka batch): validation, and mapping in this thread or in worker threads.
export { readPackedRows } from './src/common/packed-rows';
export { routePacked, type RoutedPacked } from './src/doris/schema/route-packed';
export { routePackedParallel, closePackedWorkers } from './src/doris/schema/packed-worker-pool';
export { flushAll } from './src/batch/registry';
