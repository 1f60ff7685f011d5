// A basic-auth gate in front of the test ground's Schema Registry (Apicurio has no login of its own),
// shaped like Confluent Cloud's: 401 without the right login, otherwise the registry's own answer.
// It only checks the login and forwards the request unchanged.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryGate {
	/** The registry's base URL (same path) through the gate. */
	readonly url: string;
	close(): Promise<void>;
}

export async function startRegistryGate(registryUrl: string, login: { username: string; password: string }): Promise<RegistryGate> {
	const target = new URL(registryUrl);
	const expected = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
	const server: Server = createServer((req, res) => {
		if (req.headers.authorization !== expected) {
			res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end('{"error_code":401,"message":"Unauthorized"}');
			return;
		}
		const { authorization: _login, ...headers } = req.headers;
		const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...headers, host: target.host } }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', (error) => res.writeHead(502).end(error.message));
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}
