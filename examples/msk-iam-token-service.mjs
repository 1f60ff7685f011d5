// AWS MSK IAM for the Kafka Trigger (Doris Sinker): a token service beside n8n that turns the AWS
// credentials of its environment (EKS service account, ECS task role, EC2 instance profile, env vars)
// into MSK's IAM auth tokens with AWS' own signer, and hands them out the way an OAuth 2.0 token
// endpoint does. The Kafka credential then uses SASL OAUTHBEARER with this service as its Token URL.
// The package itself carries no AWS SDK: only this service does.
//
//   npm install aws-msk-iam-sasl-signer-js@1
//   AWS_REGION=eu-west-1 TOKEN_SERVICE_SECRET=<random> node msk-iam-token-service.mjs
//
// Listens on 127.0.0.1:8099 only (run it in n8n's pod or host); a request must present the client
// secret TOKEN_SERVICE_SECRET (any client ID) as the credential's Client Secret.
import { createServer } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';

const region = process.env.AWS_REGION;
const secret = process.env.TOKEN_SERVICE_SECRET ?? '';
const port = Number(process.env.TOKEN_SERVICE_PORT ?? 8099);
if (!region || secret.length < 16) throw new Error('Set AWS_REGION and TOKEN_SERVICE_SECRET (16+ characters)');

function authorized(header) {
	const [scheme, encoded] = String(header ?? '').split(' ');
	if (scheme !== 'Basic' || !encoded) return false;
	const given = Buffer.from(decodeURIComponent(Buffer.from(encoded, 'base64').toString().split(':').slice(1).join(':')));
	const expected = Buffer.from(secret);
	return given.length === expected.length && timingSafeEqual(given, expected);
}

createServer(async (req, res) => {
	if (req.method !== 'POST' || !authorized(req.headers.authorization)) {
		res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
		return;
	}
	try {
		const { token, expiryTime } = await generateAuthToken({ region });
		const expiresIn = Math.max(1, Math.floor((expiryTime - Date.now()) / 1000));
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: expiresIn }));
	} catch (error) {
		res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'server_error', error_description: error.message }));
	}
}).listen(port, '127.0.0.1', () => console.log(`MSK IAM token service for ${region} on http://127.0.0.1:${port}/token`));
