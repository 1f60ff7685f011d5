/**
 * The n8n-free core of n8n-nodes-doris-sinker: everything the nodes use, usable and testable
 * without n8n. The n8n nodes and credentials are loaded by n8n from package.json's `n8n` field.
 */
export * from './src/doris/connection';
export * from './src/kafka/connection';
export { metrics, registry } from './src/metrics/metrics';
export * from './src/item-contract';
