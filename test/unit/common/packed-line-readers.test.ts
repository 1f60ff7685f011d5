// Every reader of a packed line reads the row the per-message path reads: the trigger joins message
// values into lines as they came (a byte-order mark at the start of value k is then at the start of
// line k, mid-text), the Doris Schema node maps them in-thread and as a worker's bytes, and the Doris
// Stream Load node's text checks (Sequence Column, Columns, Deletes Never) read the trigger's own
// lines when they go to Doris as they are. Doris' JSON reader skips a byte-order mark at the start of
// each line (new_json_reader.cpp, _simdjson_parse_json_doc), so all of them must, and none elsewhere.
// Numbers sit at a double's edges (underflow, subnormals, 1e308 / 1e309, -0, 15 to 17 digits) and
// IPv4 text at Doris' (parts of up to 4 digits, 256, empty parts, a trailing dot, whitespace).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { sortItemsForLoad } from '../../../src/batch/load-items';
import { PACKED_ROWS_FIELD, PARSE_ERROR_FIELD } from '../../../src/common/item-contract';
import { readPackedRows } from '../../../src/common/packed-rows';
import { manualSchema } from '../../../src/doris/schema/manual';
import { routeItems } from '../../../src/doris/schema/route-items';
import { emptyInvalidLineCounts, mapPackedLinesToBytes, routePacked } from '../../../src/doris/schema/route-packed';
import { DEFAULT_ROW_MAPPER_OPTIONS, RowMapper } from '../../../src/doris/schema/row-mapper';
import { columnsListCheck, createSerializer } from '../../../src/doris/stream-load/wire-format';
import { message, parse } from '../kafka/message-support';

const schema = manualSchema('d', 't', [
	{ name: 'id', type: 'BIGINT', nullable: false },
	{ name: 'v', type: 'VARCHAR(64)' },
	{ name: 'd', type: 'DECIMAL(38,10)' },
	{ name: 'f', type: 'DOUBLE' },
	{ name: 'ip', type: 'IPV4' },
]);
const mapper = new RowMapper(schema, DEFAULT_ROW_MAPPER_OPTIONS);
const labels = { workflow: 'wf-readers', node: 'Doris Schema' };
const serialize = createSerializer({ format: 'json', deleteSign: false });

const number = fc.constantFrom('1e-400', '-1e-400', '5e-324', '4.9e-324', '2.225073858507201e-308', '1.23456789012345e-320', '1e308', '1e309', '-0', '0e-400', '123456789012345', '1234567890123456', '12345678901234567', '0.12345678901234567', '9007199254740993', '1.5');
const ipv4 = fc.constantFrom('"010.001.002.003"', '"0255.0.0.1"', '"00256.0.0.1"', '"256.0.0.1"', '"1.2.3.4."', '" 1.2.3.4\\t"', '"1..2.3"', '"1.2.3"', '3232235777', 'null');
const value = fc.record({
	before: fc.constantFrom('', '\uFEFF', '\uFEFF ', ' ', ' \uFEFF', '\uFEFF\uFEFF'),
	after: fc.constantFrom('', ' ', '\uFEFF'),
	id: fc.oneof(fc.integer().map(String), fc.constantFrom('12345678901234567890', '-0')),
	v: fc.oneof(fc.string().map((s) => JSON.stringify(s)), number, fc.constant('null')),
	d: fc.oneof(number, fc.constant('null')),
	f: number,
	ip: ipv4,
	sign: fc.constantFrom('', ',"__DORIS_DELETE_SIGN__":1', ',"__DORIS_DELETE_SIGN__":0', ',"extra":1'),
});

/** A decimal literal's value as sign, significant digits and the power of ten of the first; null when not a number. */
function decimalValue(text: string): string | null {
	const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
	if (m === null) return null;
	const all = m[2] + (m[3] ?? '');
	const lead = all.search(/[1-9]/);
	if (lead < 0) return '0';
	const digits = all.slice(lead).replace(/0+$/, '');
	return `${m[1]}${digits}e${BigInt(m[4] ?? 0) + BigInt(m[2].length - 1 - lead)}`;
}

/** The row JSON.parse reads in a line once a mark at its very start is skipped, as Doris does; null when none. */
function dorisRow(line: string): Record<string, unknown> | null {
	try {
		const row: unknown = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
		return row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

describe('packed lines: every reader reads the row the per-message path reads', () => {
	it('trigger, Doris Schema in-thread and as bytes, and the Stream Load checks agree line by line', () => {
		fc.assert(
			fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.boolean(), (values, withFields) => {
				const texts = values.map((x) => `${x.before}{"id":${x.id},"v":${x.v},"d":${x.d},"f":${x.f},"ip":${x.ip}${x.sign}}${x.after}`);
				const kafkaFields = withFields ? [{ source: 'offset' as const, name: 'src_offset' }] : [];
				const perMessage = parse({ kafkaFields }, texts.map((t, i) => message(i, t)));
				const batch = parse({ output: 'batch', kafkaFields }, texts.map((t, i) => message(i, t)));
				const packed = batch.items.map((i) => readPackedRows(i.json)).find((p) => p !== undefined);
				assert.ok(packed !== undefined && !(packed instanceof Error) && packed.count === texts.length, 'every value is a line');

				// The trigger: a line is a row exactly when its message is one per message.
				const lines = packed.jsonLines.split('\n').slice(0, -1);
				lines.forEach((line, i) => assert.equal(dorisRow(line) !== null, perMessage.items[i].json[PARSE_ERROR_FIELD] === undefined, JSON.stringify(line)));

				// The Doris Schema node: the same rows in-thread, as a worker's bytes and per message.
				const inThread = routePacked(packed, mapper, labels, 0).packed?.jsonLines ?? '';
				const bytes = mapPackedLinesToBytes(packed, mapper, 0, emptyInvalidLineCounts()).bytes?.toString('utf8') ?? '';
				const objectAt = perMessage.items.flatMap((item, i) => (item.json[PARSE_ERROR_FIELD] === undefined ? [i] : []));
				const objects = objectAt.map((i) => ({ json: perMessage.items[i].json }));
				const routed = routeItems(objects, mapper, labels);
				const perItem = routed.rows.map((r) => serialize(r.json)).join('');
				assert.equal(bytes, inThread);
				assert.equal(perItem, inThread);
				assert.ok(!inThread.includes('\uFEFF'), 'rows go to Doris without the mark');
				// What loads is what was sent: a number into the VARCHAR or DECIMAL column keeps its value
				// exactly (its spelling may differ, 1e308 as 1e+308), never the double JSON.parse made of it.
				for (const row of routed.rows) {
					const sent = values[objectAt[row.index]];
					for (const [column, literal] of [['v', sent.v], ['d', sent.d]] as const) {
						const expected = decimalValue(literal);
						if (expected !== null) assert.equal(decimalValue(String(row.json[column])), expected, `${column}: ${literal} loaded as ${String(row.json[column])}`);
					}
				}

				// The Stream Load node's checks on the trigger's lines, as Doris reads each of them.
				const rows = lines.map(dorisRow);
				const item = { json: { [PACKED_ROWS_FIELD]: packed } };
				const sequence = sortItemsForLoad([item], { format: 'json', deletes: 'auto', sequence: { column: 'v', deletesAll: false, handBack: true } });
				const lacking = rows.flatMap((row, i) => (row !== null && (row.v === null || row.v === undefined) ? [i] : []));
				assert.deepEqual(
					sequence.takenOut.map((t) => t.line),
					lacking,
					'Sequence Column',
				);
				const deletes = sortItemsForLoad([item], { format: 'json', deletes: 'never', deletesNotApplied: { handBack: true } });
				assert.deepEqual(
					deletes.takenOut.map((t) => t.line),
					rows.flatMap((row, i) => (row !== null && row.__DORIS_DELETE_SIGN__ === 1 ? [i] : [])),
					'Deletes Never',
				);
				const check = columnsListCheck({ format: 'json', columns: ['id', 'v', 'd', 'f', 'ip', '__DORIS_DELETE_SIGN__', 'src_offset'] });
				assert.ok(check !== undefined);
				const outside = rows.flatMap((row, i) => (row !== null && 'extra' in row ? [i] : []));
				const handedBack = sortItemsForLoad([item], { format: 'json', deletes: 'auto', columnsCheck: check, columnsHandBack: true });
				assert.deepEqual(handedBack.takenOut.map((t) => t.line), outside, 'Columns, Rejected wired: each line with the field, once');
				const refused = sortItemsForLoad([item], { format: 'json', deletes: 'auto', columnsCheck: check }).refused[0]?.message;
				assert.equal(refused === undefined ? -1 : Number(/^line (\d+)/.exec(refused)?.[1]), outside[0] ?? -1, 'Columns, Rejected leading nowhere: the first such line');
			}),
			{ numRuns: 200 },
		);
	});
});
