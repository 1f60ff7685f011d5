/**
 * Public surface of the Doris test server (test/ground/doris). Other parts of the project (the Stream
 * Load client, the schema reader, benchmarks) code against these types; keep them stable.
 */

/**
 * The Doris release line the test server imitates where releases behave differently (each place
 * that differs cites the Doris source and says which lines do what). Default '3.0'.
 */
export type DorisVersion = '2.1' | '3.0' | '3.1';

/**
 * BE settings the test server honours (be/src/common/config.cpp names). Both are "soft limits" of one
 * value's size; Doris' defaults are 1 MB each.
 */
export interface BeConfig {
	/** `string_type_length_soft_limit_bytes`: a longer STRING (or VARIANT) value filters its row. */
	stringTypeLengthSoftLimitBytes: number;
	/** `jsonb_type_length_soft_limit_bytes`: a longer JSON value filters its row. */
	jsonbTypeLengthSoftLimitBytes: number;
}

export const DORIS_VERSIONS: readonly DorisVersion[] = ['2.1', '3.0', '3.1'];

export interface DorisTestServerOptions {
	/**
	 * Which Doris release line to imitate where they differ. Default '3.0', imitating the newest 3.0
	 * patch release (3.0.5 and later, e.g. for gzip-compressed JSON).
	 */
	version?: DorisVersion;
	/** BE settings; Doris' defaults when absent. */
	beConfig?: Partial<BeConfig>;
	/** Doris user checked on FE, BE and the MySQL port. Default `root`. */
	user?: string;
	/** Default `''` (Doris' root has no password out of the box). */
	password?: string;
	/** Interface to bind and to put in URLs. Default `127.0.0.1`. */
	host?: string;
	/** Number of FE HTTP endpoints (all share one catalog, like FEs of one cluster). Default 1. */
	feCount?: number;
	/** PEM key and certificate: FE and BE then speak https (the MySQL port stays plain). */
	tls?: { key: string; cert: string };
	/** Fixed ports (the CLI uses them); 0 or absent = ephemeral. Extra FEs take fePort+1, +2... when fixed. */
	fePort?: number;
	bePort?: number;
	mysqlPort?: number;
}

/** One Stream Load request as a BE saw it (the history tests assert on). */
export interface LoadRecord {
	label: string;
	db: string;
	table: string;
	/** Request headers, lower-case names; `authorization` is replaced by `<redacted>`. */
	headers: Record<string, string>;
	/** The Status the BE answered (or would have answered when a fault swallowed the answer). */
	status: string;
	/** NumberLoadedRows. */
	rows: number;
	/** Body bytes as received (compressed size when compress_type is set). */
	bytes: number;
	/** The Doris JSON response object; null when a fault answered instead (HTTP 500, reset, hang). */
	response: StreamLoadResponse | null;
	/** The fault that shaped this request, if any. */
	fault?: FaultKind;
}

/**
 * The BE's answer, keys in Doris' order (be/src/runtime/stream_load/stream_load_context.cpp, to_json).
 * Optional keys are omitted, not null.
 */
export interface StreamLoadResponse {
	TxnId: number;
	Label: string;
	Comment: string;
	TwoPhaseCommit?: string;
	GroupCommit?: boolean;
	Status: LoadStatus;
	ExistingJobStatus?: string;
	Message: string;
	NumberTotalRows: number;
	NumberLoadedRows: number;
	NumberFilteredRows: number;
	NumberUnselectedRows: number;
	LoadBytes: number;
	LoadTimeMs: number;
	BeginTxnTimeMs?: number;
	StreamLoadPutTimeMs: number;
	ReadDataTimeMs: number;
	WriteDataTimeMs: number;
	CommitAndPublishTimeMs?: number;
	ErrorURL?: string;
}

export type LoadStatus = 'Success' | 'Publish Timeout' | 'Label Already Exists' | 'Fail';

export type FaultKind =
	| 'fail'
	| 'publishTimeout'
	| 'http500'
	| 'hang'
	| 'resetAfterCommit'
	| 'resetMidBody'
	| 'redirectToDeadBe'
	| 'labelRunning';

/**
 * Test-driven faults. Each call arms the next `n` Stream Loads (counted when a request reaches the FE
 * for redirectToDeadBe, when it reaches the BE for the others); afterwards behaviour is normal again.
 */
export interface FaultInjector {
	/** Status "Fail" with this Message (e.g. "[E-235]too many filtered rows / too many versions"); nothing loaded. */
	fail(n: number, message: string): void;
	/** Data is loaded and visible, Status "Publish Timeout". */
	publishTimeout(n: number): void;
	/** HTTP 500 with a short text body; nothing loaded. */
	http500(n: number): void;
	/** The BE reads the body and then does not answer for `ms` (then destroys the socket); nothing loaded. */
	hang(n: number, ms: number): void;
	/** The BE commits the load, then destroys the socket: the answer is lost, the label is taken. */
	resetAfterCommit(n: number): void;
	/** The BE destroys the socket after part of the body; nothing loaded, label stays free. */
	resetMidBody(n: number): void;
	/** The FE redirects to a port where nothing listens. */
	redirectToDeadBe(n: number): void;
	/** The load stays RUNNING for `ms` before it commits; the same label meanwhile gets ExistingJobStatus RUNNING. */
	labelRunning(n: number, ms: number): void;
	/** FE and BE HTTP ports refuse connections for `ms` (listeners closed, then reopened on the same ports). */
	down(ms: number): Promise<void>;
	/** The MySQL port answers the next n statements only after `ms` (a stalled FE). */
	queryStall(n: number, ms: number): void;
	/** Disarms everything. */
	clear(): void;
}

export interface DorisTestServer {
	/** The release line imitated (DorisTestServerOptions.version). */
	version: DorisVersion;
	feUrl: string;
	feUrls: string[];
	beUrl: string;
	mysqlPort: number;
	mysqlHost: string;
	user: string;
	password: string;
	/** Same engine as the MySQL port; rows as objects keyed by column name. */
	sql(query: string): Promise<Record<string, unknown>[]>;
	/** Current visible content, values as Doris returns them over MySQL (strings / numbers / null). */
	tableRows(db: string, table: string): Record<string, unknown>[];
	loads: LoadRecord[];
	faults: FaultInjector;
	stopFe(index: number): Promise<void>;
	startFe(index: number): Promise<void>;
	close(): Promise<void>;
}
