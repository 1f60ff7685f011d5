/**
 * The object store that decoupled (cloud) Doris writes load error logs to when
 * `save_load_error_log_to_s3` is on (apache/doris PR #36341): ErrorURL is then a presigned URL of
 * the store, not a BE address. Like S3, the store refuses a request that carries an Authorization
 * header next to the query signature (400, "Only one auth mechanism allowed"). It listens on
 * 127.0.0.2: another host than the cluster's, as a real bucket is.
 */
import { randomBytes } from 'node:crypto';
import { Listener } from './http-util';
import type { ObjectStoreRecord } from './types';

export const OBJECT_STORE_HOST = '127.0.0.2';

export class ObjectStore {
	readonly listener: Listener;
	private readonly objects = new Map<string, string>();

	constructor(private readonly reads: ObjectStoreRecord[]) {
		this.listener = new Listener(OBJECT_STORE_HOST, (req, res) => {
			const url = new URL(req.url ?? '/', 'http://x');
			const authorization = req.headers.authorization !== undefined;
			this.reads.push({ path: url.pathname, authorization });
			req.resume();
			const text = this.objects.get(url.pathname);
			const [status, body] = authorization
				? [400, '<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>']
				: text === undefined || url.searchParams.get('X-Amz-Signature') === null
					? [403, '<Error><Code>AccessDenied</Code></Error>']
					: [200, text];
			res.writeHead(status, { 'Content-Type': status === 200 ? 'text/plain' : 'application/xml' });
			res.end(body);
		});
	}

	/** Stores an error log; returns its presigned URL. */
	put(name: string, text: string): string {
		const path = `/doris-bucket/error_log/${name.replace(/[^\w.-]/g, '_')}`;
		this.objects.set(path, text);
		const signature = randomBytes(16).toString('hex');
		return `http://${OBJECT_STORE_HOST}:${this.listener.port}${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=604800&X-Amz-Signature=${signature}`;
	}
}
