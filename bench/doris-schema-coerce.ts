/**
 * Rows per second through the Doris Schema coercion (RowMapper.map) on a 12-column row, one core.
 * Run: node --import tsx bench/doris-schema-coerce.ts
 */
import { manualSchema } from '../src/doris/schema/manual';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../src/doris/schema/row-mapper';

const schema = manualSchema('bench', 't', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'user_id', type: 'LARGEINT' },
	{ name: 'qty', type: 'INT' },
	{ name: 'price', type: 'DECIMAL(12,2)' },
	{ name: 'ratio', type: 'DOUBLE' },
	{ name: 'ok', type: 'BOOLEAN' },
	{ name: 'name', type: 'VARCHAR(64)' },
	{ name: 'note', type: 'STRING' },
	{ name: 'day', type: 'DATE' },
	{ name: 'ts', type: 'DATETIME(3)' },
	{ name: 'tags', type: 'ARRAY<STRING>' },
	{ name: 'attrs', type: 'JSON' },
]);

function run(label: string, timeZone: string, make: (i: number) => Record<string, unknown>): void {
	const mapper = new RowMapper(schema, { ...DEFAULT_ROW_MAPPER_OPTIONS, dates: { timeZone, epochUnit: 'ms' }, epochUnits: [{ column: 'day', unit: 's' }] });
	const rows = Array.from({ length: 10_000 }, (_, i) => make(i));
	for (let i = 0; i < 20_000; i++) mapper.map(rows[i % rows.length]); // warm-up
	const n = 500_000;
	let invalid = 0;
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < n; i++) if (!mapper.map(rows[i % rows.length]).ok) invalid++;
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`${label}: ${Math.round(n / s).toLocaleString('en-US')} rows/s (${n} rows in ${s.toFixed(2)} s, ${invalid} invalid)`);
}

const base = (i: number) => ({
	id: 1_000_000 + i,
	user_id: '170141183460469231731687303715884105' + String(i % 700).padStart(3, '0'),
	qty: i % 1000,
	price: '1234.56',
	ratio: 0.25,
	ok: true,
	name: `customer-${i}`,
	note: 'a free-text note of moderate length',
	day: '2024-05-01',
	ts: `2024-05-01 10:11:${String(i % 60).padStart(2, '0')}.123`,
	tags: ['a', 'b'],
	attrs: { k: i },
});
run('12 columns, wall-clock text dates, UTC', 'UTC', base);
run('12 columns, ISO instants with Z into Asia/Shanghai', 'Asia/Shanghai', (i) => ({ ...base(i), ts: new Date(1714557600000 + i * 1000).toISOString() }));
run('12 columns, epoch millis into America/New_York', 'America/New_York', (i) => ({ ...base(i), ts: 1714557600000 + i * 1000, day: 1714557600 + i }));
