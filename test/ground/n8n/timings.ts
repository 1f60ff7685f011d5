// How long each phase of an n8n start took, reported by the tests (no speed is asserted).

/** Milliseconds spent in each phase of the last start. */
export interface StartTimings {
	/** Building (first time only) and copying the template database into a fresh folder. */
	template: number;
	installCheck: number;
	prepareFolder: number;
	importCredentials: number;
	importWorkflows: number;
	publish: number;
	spawnToHealthz: number;
	healthzToReady: number;
	authenticate: number;
	activation: number;
	total: number;
}

export function emptyTimings(): StartTimings {
	return {
		template: 0,
		installCheck: 0,
		prepareFolder: 0,
		importCredentials: 0,
		importWorkflows: 0,
		publish: 0,
		spawnToHealthz: 0,
		healthzToReady: 0,
		authenticate: 0,
		activation: 0,
		total: 0,
	};
}


/** Each call returns the milliseconds since the previous call (or since `start`). */
export function stopwatch(start = Date.now()): () => number {
	let mark = start;
	return () => {
		const now = Date.now();
		const spent = now - mark;
		mark = now;
		return spent;
	};
}
