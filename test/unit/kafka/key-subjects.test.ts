// Whether a key's schema id belongs to the topic's key subject `<topic>-key` (src/kafka/key-subjects.ts),
// against registry answers as Confluent and Apicurio's ccompat API give them: a key decoded with another
// topic's key schema (a LongSerializer key whose bytes look like the wire format) is not trusted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeySubjects, type RegistryGet } from '../../../src/kafka/key-subjects';
import { SchemaRegistryUnavailableError } from '../../../src/kafka/schema-registry-errors';

type Answers = Record<string, { status: number; body: unknown } | Error>;

function registry(answers: Answers): { subjects: KeySubjects; asked: string[] } {
	const asked: string[] = [];
	const get: RegistryGet = async (path) => {
		asked.push(path);
		await Promise.resolve();
		const answer = answers[path] ?? { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } };
		if (answer instanceof Error) throw answer;
		return answer;
	};
	return { subjects: new KeySubjects(get, 'http://r'), asked };
}

describe('KeySubjects', () => {
	it('/schemas/ids/{id}/versions lists <topic>-key: registered; asked once per (topic, id)', async () => {
		const { subjects, asked } = registry({ '/schemas/ids/2/versions': { status: 200, body: [{ subject: 'customers-key', version: 1 }, { subject: 'orders-key', version: 3 }] } });
		assert.deepEqual(await subjects.check('orders', 2), { registered: true });
		assert.deepEqual(await subjects.check('orders', 2), { registered: true });
		assert.equal(asked.length, 1);
	});

	it("another topic's key schema: not trusted, naming the id, the subject and where it is", async () => {
		const { subjects } = registry({ '/schemas/ids/2/versions': { status: 200, body: [{ subject: 'dbserver1.inventory.customers-key', version: 1 }] } });
		const answer = await subjects.check('orders', 2);
		assert.equal(answer.registered, false);
		assert.match(
			'reason' in answer ? answer.reason : '',
			/^the message key's schema id 2 is not registered for subject "orders-key" \(it is under "dbserver1\.inventory\.customers-key"\), so the key decoded with it is not trusted as this topic's key .*LongSerializer.*; set Key Columns to name the key$/,
		);
	});

	it('route not served (404 without a registry error code): the subject\'s versions, newest first', async () => {
		const { subjects, asked } = registry({
			'/subjects/orders-key/versions': { status: 200, body: [1, 2] },
			'/subjects/orders-key/versions/2': { status: 200, body: { subject: 'orders-key', version: 2, id: 11 } },
			'/subjects/orders-key/versions/1': { status: 200, body: { subject: 'orders-key', version: 1, id: 5 } },
		});
		assert.deepEqual(await subjects.check('orders', 5), { registered: true });
		assert.deepEqual(asked, ['/schemas/ids/5/versions', '/subjects/orders-key/versions', '/subjects/orders-key/versions/2', '/subjects/orders-key/versions/1']);
		const other = await subjects.check('orders', 2);
		assert.match('reason' in other ? other.reason : '', /schema id 2 is not registered for subject "orders-key" \(none of its 2 latest versions has it\)/);
	});

	it('no such subject (40401), the id unknown (40403), the listing refused (403): not trusted, saying which', async () => {
		const { subjects } = registry({
			'/subjects/orders-key/versions': { status: 404, body: { error_code: 40401, message: 'Subject not found' } },
			'/schemas/ids/3/versions': { status: 404, body: { error_code: 40403, message: 'Schema not found' } },
			'/schemas/ids/4/versions': { status: 403, body: { error_code: 40301, message: 'denied' } },
		});
		const reasons = await Promise.all([2, 3, 4].map(async (id) => {
			const answer = await subjects.check('orders', id);
			return 'reason' in answer ? answer.reason : 'registered';
		}));
		assert.match(reasons[0], /schema id 2 is not registered for subject "orders-key" \(the registry has no such subject\)/);
		assert.match(reasons[1], /schema id 3 is not in the Schema Registry/);
		assert.match(reasons[2], /schema id 4 could not be checked against subject "orders-key": GET \/schemas\/ids\/4\/versions answered HTTP 403/);
	});

	it('a registry that cannot be asked (no answer, 5xx, 429) holds the partition, and is asked again next time', async () => {
		const answers: Answers = { '/schemas/ids/2/versions': new Error('connect ECONNREFUSED') };
		const { subjects } = registry(answers);
		await assert.rejects(subjects.check('orders', 2), SchemaRegistryUnavailableError);
		answers['/schemas/ids/2/versions'] = { status: 503, body: undefined };
		await assert.rejects(subjects.check('orders', 2), /answered HTTP 503 to GET \/schemas\/ids\/2\/versions/);
		answers['/schemas/ids/2/versions'] = { status: 429, body: undefined };
		await assert.rejects(subjects.check('orders', 2), SchemaRegistryUnavailableError);
		answers['/schemas/ids/2/versions'] = { status: 200, body: [{ subject: 'orders-key', version: 1 }] };
		assert.deepEqual(await subjects.check('orders', 2), { registered: true });
	});
});
