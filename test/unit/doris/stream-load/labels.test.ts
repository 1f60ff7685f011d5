import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LABEL_PATTERN, LabelFactory, validateLabelPrefix } from '../../../../src/doris/stream-load/labels';

describe('labels', () => {
	it('are prefix, table, process id and a sequence', () => {
		const labels = new LabelFactory('n8n', 'orders', 'abc123');
		const first = labels.next();
		const m = /^n8n_orders_abc123_(\d+)$/.exec(first);
		assert.ok(m, first);
		assert.equal(labels.next(), `n8n_orders_abc123_${Number(m[1]) + 1}`);
	});

	it('never repeat between two factories of the same table in one process', () => {
		const a = new LabelFactory('n8n', 'orders', 'abc123');
		const b = new LabelFactory('n8n', 'orders', 'abc123');
		const seen = new Set<string>();
		for (let i = 0; i < 5; i++) {
			seen.add(a.next());
			seen.add(b.next());
		}
		assert.equal(seen.size, 10);
	});

	it('always match Doris label regex, even for unicode or very long table names', () => {
		for (const table of ['订单', 'a.b c', 'x'.repeat(300), 'orders-2024:eu']) {
			const label = new LabelFactory('p-1:x', table).next();
			assert.match(label, LABEL_PATTERN);
			assert.ok(label.length <= 128, label);
		}
	});

	it('reject a bad prefix with an error naming the value and the bad characters', () => {
		assert.throws(() => validateLabelPrefix('n8n.orders'), /Label prefix "n8n\.orders" contains "\."/);
		assert.throws(() => new LabelFactory('a b', 't'), /"a b".*" "/);
		assert.throws(() => validateLabelPrefix('x'.repeat(49)), /at most 48/);
		assert.equal(validateLabelPrefix(''), '');
	});

	it('differ between processes', () => {
		const a = new LabelFactory('p', 't').next();
		const b = new LabelFactory('p', 't', 'ffffffffffff').next();
		assert.notEqual(a, b);
	});
});
