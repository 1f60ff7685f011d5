// The e2e data sets: what is produced to Kafka and, for each valid message, the row Doris must hold
// afterwards, rendered the way the Doris test server returns values (numbers, or strings for
// DECIMAL / DATETIME / big integers; JSON columns as compact text).
import type { OutgoingMessage } from './kafka';

/** Valid or not, each message is identified by `id`; invalid ones also say which rule rejects them. */
export interface TestEvent extends OutgoingMessage {
	/** The row Doris must hold for a valid message; undefined for a message that must be dead-lettered. */
	row?: Record<string, unknown>;
	/** For an invalid message: the Doris Schema rule it breaks, and the column when there is one. */
	invalid?: { rule: string; column: string | null };
}

const BASE_MS = Date.UTC(2026, 10, 25, 8, 0, 0);

/** Doris' DATETIME(3) text for an epoch-millisecond instant, as UTC wall clock. */
export function datetime3(ms: number): string {
	return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const LEVELS = ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'];
const SERVICES = ['checkout', 'catalog', 'payments', 'search', 'auth'];

/**
 * Application log lines for examples/logs-high-frequency.json (table app_logs). Every 1000 messages
 * three are invalid: malformed JSON, an HTTP status outside SMALLINT, and a missing NOT NULL column.
 */
export function logEvents(count: number, partitions: number, firstSeq = 0): TestEvent[] {
	const events: TestEvent[] = [];
	for (let seq = firstSeq; seq < firstSeq + count; seq++) {
		const id = String(seq);
		const partition = seq % partitions;
		const ts = BASE_MS + seq * 7;
		const level = LEVELS[seq % LEVELS.length];
		const service = SERVICES[seq % SERVICES.length];
		const status = seq % 17 === 0 ? 500 : 200;
		const host = `web-${String(seq % 12).padStart(2, '0')}`;
		const latency = (seq * 31) % 2000;
		const message = `GET /api/${service}/${seq % 977} ${status} "ü ✓ \\ \t"`;
		const line = { '@timestamp': ts, seq, level, service, host, status, latency_ms: latency, message };
		switch (seq % 1000) {
			case 999:
				events.push({ id, partition, value: `{"seq": ${seq}, "level": "INFO", "message": "cut off`, invalid: { rule: 'parse_error', column: null } });
				continue;
			case 500:
				events.push({ id, partition, value: JSON.stringify({ ...line, status: 70000 }), invalid: { rule: 'range', column: 'status' } });
				continue;
			case 250: {
				const { service: _dropped, ...rest } = line;
				events.push({ id, partition, value: JSON.stringify(rest), invalid: { rule: 'not_null', column: 'service' } });
				continue;
			}
		}
		events.push({
			id,
			partition,
			value: JSON.stringify(line),
			row: { ts: datetime3(ts), seq, level, service, host, status, latency_ms: latency, message },
		});
	}
	return events;
}

/**
 * Orders of roughly 1.5 KB for examples/orders-low-frequency.json (UNIQUE KEY on order_id), keyed
 * by order id. A few carry a negative quantity as text in a DECIMAL column: invalid.
 */
/** The fields of an order as an Avro record, for the Schema Registry cases (all the orders table's columns). */
export const ORDER_AVRO_FIELDS = [
	{ name: 'order_id', type: 'long' },
	{ name: 'customer_id', type: 'long' },
	{ name: 'status', type: 'string' },
	{ name: 'amount', type: 'string' },
	{ name: 'currency', type: 'string' },
	{ name: 'created_at', type: 'string' },
];

export function orderEvents(count: number, partitions: number, firstId = 1): TestEvent[] {
	const events: TestEvent[] = [];
	for (let orderId = firstId; orderId < firstId + count; orderId++) {
		const id = String(orderId);
		const partition = orderId % partitions;
		const cents = 1000 + ((orderId * 7919) % 500_000);
		const createdMs = BASE_MS + orderId * 1013;
		const items = Array.from({ length: 1 + (orderId % 6) }, (_, i) => ({ sku: `SKU-${(orderId + i) % 5000}`, qty: 1 + ((orderId + i) % 4), price: `${(cents / 100).toFixed(2)}` }));
		const order = {
			order_id: orderId,
			customer_id: 10_000 + (orderId % 3000),
			status: orderId % 9 === 0 ? 'REFUNDED' : 'PAID',
			amount: cents / 100,
			currency: orderId % 2 === 0 ? 'EUR' : 'USD',
			created_at: new Date(createdMs).toISOString(),
			items,
			shipping_address: `${orderId % 300} Long Street, Flat ${orderId % 40}, 1010${orderId % 10} Somewhere, Country ${orderId % 50}`,
			note: `order ${orderId}: ${'lorem ipsum dolor sit amet '.repeat(40)}`,
		};
		if (orderId % 997 === 0) {
			events.push({ id, partition, value: JSON.stringify({ ...order, amount: 'twelve euros' }), invalid: { rule: 'type', column: 'amount' } });
			continue;
		}
		events.push({
			id,
			partition,
			value: JSON.stringify(order),
			row: { ...order, amount: (cents / 100).toFixed(2), created_at: datetime3(createdMs), items: JSON.stringify(items) },
		});
	}
	return events;
}

/** A customer row as the CDC source table holds it. */
interface Customer {
	id: number;
	name: string;
	email: string | null;
	tier: string;
	balance: string;
	updated_at: number;
}

/**
 * Debezium change events (with the JSON converter's schema wrapper on every other message) for
 * `customers` rows: creates, updates and deletes, keyed by id (one partition per key, so a key's
 * events stay in order). Returns the events and the table Doris must end with.
 */
export function cdcEvents(customers: number, partitions: number): { events: TestEvent[]; finalRows: Map<number, Record<string, unknown>> } {
	const events: TestEvent[] = [];
	const state = new Map<number, Customer>();
	let sequence = 0;
	const emit = (op: 'c' | 'u' | 'd', before: Customer | null, after: Customer | null): void => {
		const key = (after ?? before)?.id ?? 0;
		const payload = { before, after, op, ts_ms: BASE_MS + sequence, source: { connector: 'mysql', db: 'inventory', table: 'customers' } };
		const wrapped = sequence % 2 === 0 ? { schema: { type: 'struct', name: 'dbserver1.inventory.customers.Envelope' }, payload } : payload;
		events.push({ id: `cdc-${sequence}`, key: JSON.stringify({ id: key }), partition: key % partitions, value: JSON.stringify(wrapped) });
		sequence++;
	};
	for (let id = 1; id <= customers; id++) {
		const row: Customer = { id, name: `Customer ${id}`, email: `c${id}@example.com`, tier: 'bronze', balance: `${id}.00`, updated_at: BASE_MS + id };
		state.set(id, row);
		emit('c', null, row);
	}
	for (let id = 1; id <= customers; id += 2) {
		const before = state.get(id) as Customer;
		const after: Customer = { ...before, tier: 'silver', balance: `${id * 3}.50`, email: id % 10 === 1 ? null : before.email, updated_at: before.updated_at + 1_000_000 };
		state.set(id, after);
		emit('u', before, after);
	}
	for (let id = 3; id <= customers; id += 3) {
		emit('d', state.get(id) as Customer, null);
		state.delete(id);
	}
	// Re-created after its delete: the final row must be the new one.
	for (let id = 6; id <= customers; id += 60) {
		const row: Customer = { id, name: `Customer ${id} (returned)`, email: null, tier: 'gold', balance: '0.00', updated_at: BASE_MS + 5_000_000 + id };
		state.set(id, row);
		emit('c', null, row);
	}
	const finalRows = new Map<number, Record<string, unknown>>();
	for (const [id, c] of state) finalRows.set(id, { ...c, updated_at: datetime3(c.updated_at) });
	return { events, finalRows };
}
