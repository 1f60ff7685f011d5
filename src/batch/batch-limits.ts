/**
 * The limits a target's batches keep (the Doris Stream Load node's batch settings), and their check.
 * Its own module because the node's settings reader builds them and the batcher enforces them: a bad
 * value is refused here, naming the setting, before any batch is opened with it.
 */
export interface BatchLimits {
	maxRows: number;
	maxBytes: number;
	maxIntervalMs: number;
	/**
	 * Optional: seal the open batch once no rows were added for this long. Executions only add rows
	 * while the trigger can start new ones; when its window is full (or the topic is quiet) nothing
	 * more can arrive, and waiting out maxIntervalMs only delays every execution in the batch.
	 */
	maxIdleMs?: number;
	maxBufferedBytes: number;
	maxInFlight: number;
}

export function checkLimits(limits: BatchLimits): BatchLimits {
	const positive = (name: string, value: number) => {
		if (!Number.isFinite(value) || value <= 0) throw new Error(`Batch setting ${name} = ${value} must be a number > 0`);
	};
	positive('max rows', limits.maxRows);
	positive('max bytes', limits.maxBytes);
	positive('max interval', limits.maxIntervalMs);
	positive('max loads in flight', limits.maxInFlight);
	if (limits.maxIdleMs !== undefined) positive('max idle', limits.maxIdleMs);
	// Below one full batch the limit could never be met by sealing, only by waiting out the interval.
	return { ...limits, maxBufferedBytes: Math.max(limits.maxBufferedBytes, limits.maxBytes) };
}
