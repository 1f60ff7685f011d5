/**
 * How to reach a Doris cluster, as read from the Doris credential. Shared by the Stream Load client
 * (HTTP on the FE / BE ports) and the schema reader (MySQL protocol on the FE query port).
 */
export interface DorisConnection {
	/** FE HTTP base URLs (`http://fe1:8030`, `https://fe2:8050`), tried in order on connection errors. */
	feUrls: string[];
	/** FE MySQL-protocol query port (`query_port`, default 9030 in fe-common common/Config.java), on the host of the first FE. */
	queryPort: number;
	/** Optional explicit host for the MySQL protocol; defaults to the first FE's host. */
	queryHost?: string;
	user: string;
	/** Already resolved: the credential's value, or DORIS_PASSWORD when that is empty. Never log it. */
	password: string;
	/** Default database for nodes that leave theirs empty. */
	database: string;
	tls?: DorisTlsOptions;
}

export interface DorisTlsOptions {
	/** PEM CA bundle to trust for https FE/BE addresses (self-signed clusters). */
	ca?: string;
	/** false accepts any certificate: for tests only, and the credential says so. */
	rejectUnauthorized: boolean;
}

/**
 * The credential's password wins; an empty one falls back to the DORIS_PASSWORD environment
 * variable, so a deployment can keep the password in a secret instead of n8n's credential store.
 */
export function resolveDorisPassword(fromCredential: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
	if (fromCredential !== undefined && fromCredential !== '') return fromCredential;
	return env.DORIS_PASSWORD ?? '';
}

/** Parses the credential's comma- or newline-separated FE list, naming the bad entry on error. */
export function parseFeUrls(raw: string): string[] {
	const urls = raw
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
	if (urls.length === 0) throw new Error('Doris FE address: at least one http(s)://host:port is required');
	return urls.map((entry) => {
		let url: URL;
		try {
			url = new URL(entry);
		} catch {
			throw new Error(`Doris FE address "${entry}" is not a URL (expected http://host:8030)`);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new Error(`Doris FE address "${entry}" must use http or https, not ${url.protocol}`);
		}
		if (url.username !== '' || url.password !== '') {
			throw new Error(`Doris FE address "${url.host}" must not carry credentials; use the user and password fields`);
		}
		return `${url.protocol}//${url.host}`;
	});
}
