/**
 * Reading Doris' answer to `POST /api/{db}/_cancel?label=` (CancelLoadAction: ResponseEntityBuilder.ok()
 * when the label's running transaction was aborted, okWithCommonError with the reason when not).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { cancelAtFes, cancelLabel } from '../../../../src/doris/stream-load/cancel-label';
import { AbortError } from '../../../../src/doris/stream-load/errors';
import type { FollowedAnswer, FollowingSend } from '../../../../src/doris/stream-load/redirect';
import type { HttpRequest } from '../../../../src/doris/stream-load/http-types';

function answering(status: number, body: string, seen: HttpRequest[] = []): FollowingSend {
	return (request) => {
		seen.push(request);
		const answer: FollowedAnswer = { status, headers: {}, body, bodySent: false, continued: false, finalUrl: request.url.href, hops: [] };
		return Promise.resolve(answer);
	};
}

const cancelAt = (send: FollowingSend, signal?: AbortSignal) => cancelLabel(send, 'http://fe:8030', 'my db', 'lbl_1', 'Basic x', 1000, signal);

describe('cancelLabel', () => {
	it('POSTs the label to the database\'s _cancel with our credentials; code 0 is aborted', async () => {
		const seen: HttpRequest[] = [];
		assert.deepEqual(await cancelAt(answering(200, '{"msg":"success","code":0,"count":0}', seen)), { kind: 'aborted' });
		assert.equal(seen[0].method, 'POST');
		assert.equal(seen[0].url.href, 'http://fe:8030/api/my%20db/_cancel?label=lbl_1');
		assert.equal(seen[0].headers.Authorization, 'Basic x');
		assert.equal(seen[0].body, undefined);
	});

	it('another code is a refusal with Doris\' reason (data, else msg)', async () => {
		assert.deepEqual(await cancelAt(answering(200, '{"msg":"Error","code":1,"data":"running transaction not found, label=lbl_1","count":0}')), {
			kind: 'refused',
			reason: 'running transaction not found, label=lbl_1',
		});
		assert.deepEqual(await cancelAt(answering(200, '{"msg":"Unauthorized","code":401}')), { kind: 'refused', reason: 'Unauthorized' });
	});

	it('an answer it cannot read, another HTTP status or a failed exchange: no answer (undefined)', async () => {
		assert.equal(await cancelAt(answering(404, 'Not Found')), undefined);
		assert.equal(await cancelAt(answering(200, '<html>')), undefined);
		assert.equal(await cancelAt(answering(200, '{"status":"FAILED"}')), undefined);
		assert.equal(await cancelAt(() => Promise.reject(new Error('ECONNREFUSED'))), undefined);
	});

	it('its caller giving up rejects (not read as no answer)', async () => {
		await assert.rejects(cancelAt(() => Promise.reject(new AbortError()), AbortSignal.abort()), AbortError);
	});
});

describe('cancelAtFes', () => {
	it('starts with the current FE and goes on to the next while one gives no answer; a refusal is an answer', async () => {
		const asked: string[] = [];
		const send: FollowingSend = (request) => {
			asked.push(request.url.host);
			const body = request.url.host === 'fe2:8030' ? '{"msg":"Error","code":1,"data":"transaction not found, label=l"}' : 'down';
			return answering(request.url.host === 'fe2:8030' ? 200 : 503, body)(request);
		};
		const cancel = cancelAtFes(send, ['http://fe1:8030', 'http://fe2:8030', 'http://fe3:8030'], () => 'http://fe3:8030', 'Basic x', 1000);
		assert.deepEqual(await cancel('d', 'l'), { kind: 'refused', reason: 'transaction not found, label=l' });
		assert.deepEqual(asked, ['fe3:8030', 'fe1:8030', 'fe2:8030']);
	});
});
