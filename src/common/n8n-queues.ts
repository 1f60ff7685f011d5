/**
 * n8n's own queue in front of a trigger's executions: N8N_CONCURRENCY_PRODUCTION_LIMIT (regular mode
 * only; off in queue mode) lets at most that many production executions of the whole instance run,
 * every other one waiting in n8n's queue without a timeout (n8n 2.40.7 concurrency-control.service.js,
 * active-executions.js add). The trigger's Execution Timeout starts when it hands an execution to n8n,
 * so executions waiting there are given up by the trigger while n8n still runs them later: their rows
 * load beside the redelivery's, and with Keep Order per Partition an execution that reaches the Doris
 * Stream Load node after its deadline fails, which can hold a partition for good (review session 19, F6).
 * Said at activation when the limit is below Executions in Flight, where it bites with this one
 * workflow alone.
 */

/** The warning for this trigger, or undefined when n8n's queue cannot hold its executions back on its own. */
export function concurrencyLimitWarning(env: Readonly<Record<string, string | undefined>>, executionsInFlight: number, keepPartitionOrder: boolean): string | undefined {
	if ((env.EXECUTIONS_MODE ?? 'regular') === 'queue') return undefined;
	const limit = Number(env.N8N_CONCURRENCY_PRODUCTION_LIMIT ?? -1);
	if (!Number.isFinite(limit) || limit <= 0 || limit >= executionsInFlight) return undefined;
	return (
		`n8n runs at most ${limit} production execution(s) at once (N8N_CONCURRENCY_PRODUCTION_LIMIT, shared by every active workflow) and this Kafka trigger keeps up to ${executionsInFlight} in flight (Executions in Flight): ` +
		"the others wait in n8n's queue while the trigger's Execution Timeout runs, and one it gives up there still runs later and loads its rows beside their redelivery" +
		(keepPartitionOrder ? '; with Keep Order per Partition one that reaches the Doris Stream Load node after its deadline fails, which can hold its partition for good' : '') +
		'. Set Executions in Flight (summed over the Kafka triggers of this instance) to at most the limit, or raise the limit'
	);
}
