/**
 * A minimal Stream Load caller for the test server's own tests: node:http, Expect: 100-continue, the body
 * sent only on '100 Continue', and a 307 followed by hand with the Location's userinfo moved into
 * Authorization (what curl --location-trusted does). Not the product's client.
 */
import http from 'node:http';
import type { StreamLoadResponse } from './types';

export interface RawAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
}

export function request(url: string, method: string, headers: Record<string, string>, body?: Buffer | string, sendWithoutContinue = false): Promise<RawAnswer> {
	return new Promise((resolve, reject) => {
		const u = new URL(url);
		const h: Record<string, string | number> = { ...headers };
		if (u.username !== '' && h.Authorization === undefined) {
			h.Authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
		}
		u.username = '';
		u.password = '';
		const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
		if (buf) h['Content-Length'] = buf.length;
		const req = http.request(u, { method, headers: h }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', reject);
		});
		req.on('error', reject);
		if (!buf) req.end();
		else if (sendWithoutContinue || h.Expect === undefined) req.end(buf);
		else req.on('continue', () => req.end(buf));
	});
}

export const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

/** PUT to the FE, follow one 307 to the BE, parse the BE's JSON. */
export async function streamLoad(
	feUrl: string,
	db: string,
	table: string,
	body: Buffer | string,
	headers: Record<string, string> = {},
	auth: [string, string] = ['root', ''],
): Promise<{ redirect: RawAnswer; answer: RawAnswer; json: StreamLoadResponse }> {
	const h = { Expect: '100-continue', Authorization: basic(...auth), ...headers };
	const redirect = await request(`${feUrl}/api/${db}/${table}/_stream_load`, 'PUT', h, body);
	if (redirect.status !== 307) throw new Error(`expected 307 from FE, got ${redirect.status}: ${redirect.text}`);
	const { Authorization: _feAuth, ...beHeaders } = h;
	const answer = await request(redirect.headers.location!, 'PUT', beHeaders, body);
	return { redirect, answer, json: JSON.parse(answer.text) as StreamLoadResponse };
}

export const jsonLines = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
