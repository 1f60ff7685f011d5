/**
 * Public surface of the Doris test server (test/ground/doris). Other parts of the project (the Stream
 * Load client, the schema reader, benchmarks) code against these types; keep them stable.
 */
import type { LabelSettings } from './labels';

/**
 * The Doris release line the test server imitates where releases behave differently (each place
 * that differs cites the Doris source and says which lines do what). Default '3.0'.
 */
export type DorisVersion = '2.1' | '3.0' | '3.1' | '4.1';

/** Whether `version` is the line `since` or a later one ('4.1' has what '3.1' has, and more). */
export function versionAtLeast(version: DorisVersion, since: DorisVersion): boolean {
	return Number(version) >= Number(since);
}

/**
 * BE settings the test server honours (be/src/common/config.cpp names). Both are "soft limits" of one
 * value's size; Doris' defaults are 1 MB each.
 */
export interface BeConfig {
	/** `string_type_length_soft_limit_bytes`: a longer STRING (or VARIANT) value filters its row. */
	stringTypeLengthSoftLimitBytes: number;
	/** `jsonb_type_length_soft_limit_bytes`: a longer JSON value filters its row. */
	jsonbTypeLengthSoftLimitBytes: number;
	/** `streaming_load_max_mb` (10240): a Stream Load whose Content-Length is larger is refused in on_header. */
	streamingLoadMaxMb: number;
	/** `streaming_load_json_max_mb` (100): the same for a JSON load without read_json_by_line. */
	streamingLoadJsonMaxMb: number;
}

/**
 * The lines the node supports. '4.1' is imitated only where a test needs what it changes (the table
 * property group_commit_mode, apache/doris PR #61242, master and branch-4.1).
 */
/**
 * How a decoupled (cloud) FE answers what label lookups depend on; cloud builds differed over time.
 * - `loadState`: 'meta_service', CloudGlobalTransactionMgr.getLabelState asks the meta-service (GetTxn by
 *   label; apache/doris PR #35904 per review session 19), or 'not_supported', the earlier
 *   `throw new AnalysisException("Not supported")` (both read in apache/doris cloud sources).
 * - `existingJobStatus`: 'empty', CloudGlobalTransactionMgr.beginTransaction throws
 *   LabelAlreadyUsedException(msg, false) with no job status, so Label Already Exists carries
 *   ExistingJobStatus "" (read; set by a later change, PR #42700 per review), or 'set'.
 * Which 3.0.x release carries which is unconfirmed.
 */
export interface DecoupledMode {
	loadState: 'meta_service' | 'not_supported';
	existingJobStatus: 'empty' | 'set';
}

export const DORIS_VERSIONS: readonly DorisVersion[] = ['2.1', '3.0', '3.1'];

export interface DorisTestServerOptions {
	/**
	 * Which Doris release line to imitate where they differ. Default '3.0', imitating the newest 3.0
	 * patch release (3.0.5 and later, e.g. for gzip-compressed JSON).
	 */
	version?: DorisVersion;
	/**
	 * What `SELECT @@version_comment` answers; default a release of `version`'s line
	 * (catalog.ts VERSION_COMMENTS). A vendor or trunk build names no release the client can read.
	 */
	versionComment?: string;
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
	/**
	 * With `tls`: FEs as with `enable_https` (fe.conf): each also serves plain http at `feUrls`, and
	 * answers a load there with 307 to its own https port (`feHttpsUrls`) before any check
	 * (RestBaseController.redirectToHttps). BEs speak https.
	 */
	enableHttps?: boolean;
	/**
	 * How long finished labels are remembered (labels.ts): streaming_label_keep_max_second,
	 * label_num_threshold, transaction_clean_interval_second, in ms. Default Doris' (12 h, 2000, 30 s).
	 */
	labels?: Partial<LabelSettings>;
	/**
	 * Where ErrorURL points. `be` (default): the BE's /api/_load_error_log. `object-store`: a
	 * presigned object-store URL, as decoupled Doris saves error logs to S3 (apache/doris PR #36341);
	 * the store (on 127.0.0.2) refuses a request that carries an Authorization header, as S3 refuses
	 * two authentication mechanisms at once.
	 */
	errorLogs?: 'be' | 'object-store';
	/**
	 * Decoupled (cloud) mode (3.0 on). `true` is the newest as read: get_load_state answered from the
	 * meta-service, ExistingJobStatus set. The switches give the older builds (see DecoupledMode).
	 */
	decoupled?: boolean | DecoupledMode;
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
	/**
	 * Body bytes as received (compressed size when compress_type is set), also those drained
	 * unread when the BE refused the load from its headers.
	 */
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
	| 'hangAfterCommit'
	| 'hangThenCommit'
	| 'hangBeforeBegin'
	| 'resetAfterCommit'
	| 'resetMidBody'
	| 'redirectToDeadBe'
	| 'labelRunning'
	| 'runningTxnLimit'
	| 'uncountedLine'
	| 'commitRpcTimeout';

/**
 * Test-driven faults. Each call arms the next `n` Stream Loads (counted when a request reaches the FE
 * for redirectToDeadBe, when it reaches the BE for the others); afterwards behaviour is normal again.
 */
/** A result row by column name, changed or left out (undefined) by a test (FaultInjector.queryAnswerEdit). */
export type AnswerRowEdit = (row: Record<string, unknown>) => Record<string, unknown> | undefined;

export interface FaultInjector {
	/** Status "Fail" with this Message (e.g. "[E-235]too many filtered rows / too many versions"); nothing loaded. */
	fail(n: number, message: string): void;
	/** Data is loaded and visible, Status "Publish Timeout". */
	publishTimeout(n: number): void;
	/** HTTP 500 with a short text body; nothing loaded. */
	http500(n: number): void;
	/**
	 * The BE reads the body and then does not answer for `ms` (then destroys the socket); nothing
	 * loaded. The label reads PREPARE meanwhile, ABORTED after.
	 */
	hang(n: number, ms: number): void;
	/** The BE commits the load (label VISIBLE), then does not answer for `ms`, then destroys the socket; only loads into `table` when given. */
	hangAfterCommit(n: number, ms: number, table?: string): void;
	/**
	 * The BE has the body, stalls `ms`, then commits whether or not its client is still there; refused
	 * ("is already aborted") when the txn cleaner's sweep aborted it meanwhile, its `timeout` passed.
	 */
	hangThenCommit(n: number, ms: number): void;
	/**
	 * The BE never gets past begin txn: no transaction (label UNKNOWN), no 100 Continue, no answer for
	 * `ms`, then the socket is destroyed. A body sent anyway is drained; nothing loaded.
	 */
	hangBeforeBegin(n: number, ms: number): void;
	/** The BE commits the load, then destroys the socket: the answer is lost, the label is taken. With `table`, only loads into that table take it. */
	resetAfterCommit(n: number, table?: string): void;
	/**
	 * The FE commits the load (label VISIBLE), but the BE's commit RPC times out: Status "Fail" with
	 * `[RPC_ERROR]failed to call frontend service, … (timed out)`, the counts, and an ErrorURL when rows
	 * were filtered.
	 */
	commitRpcTimeout(n: number): void;
	/** The BE destroys the socket after part of the body; nothing loaded, label stays free. */
	resetMidBody(n: number): void;
	/** The FE redirects to a port where nothing listens. */
	redirectToDeadBe(n: number): void;
	/** The load stays RUNNING for `ms` before it commits; the same label meanwhile gets ExistingJobStatus RUNNING. */
	labelRunning(n: number, ms: number): void;
	/**
	 * The database is at `max_running_txn_num_per_db`: begin txn refuses the load (Status "Fail", Doris'
	 * ANALYSIS_ERROR wording) from the headers, before any transaction or 100 Continue; label untouched.
	 */
	runningTxnLimit(n: number): void;
	/**
	 * The load commits, but the BE reads one line fewer than it was sent (the last line is not loaded):
	 * Status "Success" with NumberTotalRows and NumberLoadedRows one short, as Doris answers for a line
	 * it skips uncounted (an empty line: new_json_reader.cpp, csv_reader.cpp). Stands for any way Doris'
	 * count of a committed load can differ from the rows sent. With `table`, only loads into that table
	 * count (and take it).
	 */
	uncountedLine(n: number, table?: string): void;
	/**
	 * Status "Fail" with this Message for the next load whose body (decompressed) `holds`, whichever
	 * load that is; other loads pass. For tests whose point is which rows Doris refuses: `fail` takes
	 * the first load to arrive, and two executions in flight reach Doris in either order. `holds` also
	 * gets the load's table, for tests whose other workflows load at the same time.
	 */
	failLoadWhere(holds: (body: string, table: string) => boolean, message: string): void;
	/** FE and BE HTTP ports refuse connections for `ms` (listeners closed, then reopened on the same ports). */
	down(ms: number): Promise<void>;
	/** The MySQL port answers the next n statements only after `ms` (a stalled FE). */
	queryStall(n: number, ms: number): void;
	/** The MySQL port answers the next n statements matching `holds` with an error (errno 1105) saying `message`. */
	queryFail(holds: RegExp, n: number, message: string, errno?: number): void;
	/** The MySQL port answers the next n statements matching `holds` with each row passed through `edit` (undefined: left out). */
	queryAnswerEdit(holds: RegExp, n: number, edit: AnswerRowEdit): void;
	/** Disarms everything. */
	clear(): void;
}

/** One PUT an FE saw (the load leg before the 307). */
export interface FeRequestRecord {
	/** The FE's URL (http or https) the request came to. */
	url: string;
	/** Whether it carried `Expect`. */
	expect: boolean;
	/** Body bytes that reached the FE (it never reads them: a client that waits for 100 sends none). */
	bytes: number;
	/** 307, or 200 for a refusal. */
	status: number;
}

/** One GET of an error log from the object store (errorLogs: 'object-store'). */
export interface ObjectStoreRecord {
	path: string;
	/** Whether the request carried an Authorization header (the store then answers 400). */
	authorization: boolean;
}

export interface DorisTestServer {
	/** The release line imitated (DorisTestServerOptions.version). */
	version: DorisVersion;
	feUrl: string;
	feUrls: string[];
	/** With enableHttps: the FEs' https URLs; otherwise the same as feUrls. */
	feHttpsUrls: string[];
	/** Loads as the FEs saw them, in order. */
	feRequests: FeRequestRecord[];
	/** Error-log reads at the object store (errorLogs: 'object-store'). */
	objectStoreReads: ObjectStoreRecord[];
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
	/**
	 * An alter job (a heavy schema change: a column retyped, a column added to a table without light
	 * schema change) starts on the table: its state is SCHEMA_CHANGE, and every ALTER TABLE on it is
	 * refused as Doris refuses it, until `finish()`.
	 */
	schemaChangeJob(db: string, table: string): { finish(): void };
	/** What `SELECT @@version_comment` answers from now on (an upgrade as the MySQL port shows it; loads keep `version`'s rules). */
	setVersionComment(text: string): void;
	stopFe(index: number): Promise<void>;
	startFe(index: number): Promise<void>;
	close(): Promise<void>;
}
