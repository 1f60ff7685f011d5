import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DorisTypeParseError, parseDorisType } from '../../../../src/doris/schema/type-parser';
import { formatType } from '../../../../src/doris/schema/types';

const canon = (text: string) => formatType(parseDorisType(text));

describe('parseDorisType on Doris-printed type strings', () => {
	it('reads the upper-case spelling of Doris ≤ 2.1 DESC (notes §8, test_doris_jdbc_catalog.out)', () => {
		assert.equal(canon('LARGEINT'), 'LARGEINT');
		assert.equal(canon('DECIMAL(10, 5)'), 'DECIMAL(10,5)');
		assert.equal(canon('DATETIME(3)'), 'DATETIME(3)');
		assert.equal(canon('VARCHAR(256)'), 'VARCHAR(256)');
		assert.equal(canon('TEXT'), 'STRING');
		assert.equal(canon('ARRAY<INT>'), 'ARRAY<INT>');
		assert.equal(canon('ARRAY<DATETIMEV2(3)>'), 'ARRAY<DATETIME(3)>');
		assert.equal(canon('MAP<TEXT,INT>'), 'MAP<STRING,INT>');
		assert.equal(canon('STRUCT<a:INT>'), 'STRUCT<a:INT>');
		assert.equal(canon('JSON'), 'JSON');
		assert.equal(canon('VARIANT'), 'VARIANT');
		assert.equal(canon('BITMAP'), 'BITMAP');
		assert.equal(canon('HLL'), 'HLL');
		assert.equal(canon('IPV4'), 'IPV4');
		assert.equal(canon('IPV6'), 'IPV6');
		assert.equal(canon('BOOLEAN'), 'BOOLEAN');
		assert.equal(canon('DATE'), 'DATE');
	});

	it('reads the lower-case spelling of Doris 3.x (PR #38012 / #40534)', () => {
		assert.equal(canon('bigint'), 'BIGINT');
		assert.equal(canon('text'), 'STRING');
		assert.equal(canon('varchar(256)'), 'VARCHAR(256)');
		assert.equal(canon('datetime(3)'), 'DATETIME(3)');
		assert.equal(canon('decimal(10,5)'), 'DECIMAL(10,5)');
		assert.equal(canon('array<datetime(3)>'), 'ARRAY<DATETIME(3)>');
		assert.equal(canon('map<text,int>'), 'MAP<STRING,INT>');
		assert.equal(canon('struct<a:int,b:text>'), 'STRUCT<a:INT,b:STRING>');
	});

	it('reads internal and information_schema spellings', () => {
		assert.equal(canon('DECIMALV3(10, 1)'), 'DECIMAL(10,1)');
		assert.equal(canon('decimalv3(38, 9)'), 'DECIMAL(38,9)');
		assert.equal(canon('DECIMAL64(18, 2)'), 'DECIMAL(18,2)');
		assert.equal(canon('DECIMAL128I(38, 0)'), 'DECIMAL(38,0)');
		assert.equal(canon('DATEV2'), 'DATE');
		assert.equal(canon('DATETIMEV2(6)'), 'DATETIME(6)');
		assert.equal(canon('int(11)'), 'INT');
		assert.equal(canon('smallint(6)'), 'SMALLINT');
		assert.equal(canon('tinyint(4)'), 'TINYINT');
		assert.equal(canon('bigint(20)'), 'BIGINT');
		assert.equal(canon('bigint unsigned'), 'LARGEINT');
		assert.equal(canon('largeint'), 'LARGEINT');
		assert.equal(canon('string'), 'STRING');
		assert.equal(canon('JSONB'), 'JSON');
		assert.equal(canon('varchar(*)'), 'VARCHAR(65533)');
		assert.equal(canon('VARCHAR'), 'VARCHAR(65533)');
		assert.equal(canon('CHAR'), 'CHAR(1)');
		assert.equal(canon('DATETIME'), 'DATETIME');
		assert.equal(canon('DECIMALV2'), 'DECIMAL(27,9)');
		assert.equal(canon('agg_state<max(int)>'), 'AGG_STATE');
	});

	it('reads deeply nested types', () => {
		const t = parseDorisType('ARRAY<MAP<STRING,STRUCT<a:INT,b:DECIMAL(10,2)>>>');
		assert.deepEqual(t, {
			kind: 'array',
			element: {
				kind: 'map',
				key: { kind: 'string' },
				value: {
					kind: 'struct',
					fields: [
						{ name: 'a', type: { kind: 'integer', name: 'INT' } },
						{ name: 'b', type: { kind: 'decimal', precision: 10, scale: 2 } },
					],
				},
			},
		});
		assert.equal(canon('array<map<text,struct<a:int,b:decimal(10,2)>>>'), 'ARRAY<MAP<STRING,STRUCT<a:INT,b:DECIMAL(10,2)>>>');
		assert.equal(canon('ARRAY<ARRAY<ARRAY<BIGINT>>>'), 'ARRAY<ARRAY<ARRAY<BIGINT>>>');
	});

	it('accepts struct field quoting, comments and nested NULL / NOT NULL', () => {
		assert.equal(canon("STRUCT<`user id`:INT COMMENT 'the id', name:VARCHAR(10)>"), 'STRUCT<user id:INT,name:VARCHAR(10)>');
		assert.equal(canon('ARRAY<INT(11) NOT NULL>'), 'ARRAY<INT>');
		// fe-common catalog/VariantType.java toSql (3.1+): typed paths and PROPERTIES inside the brackets.
		assert.equal(canon(`variant<'a':int,'b.c':text,PROPERTIES ("variant_max_subcolumns_count" = "10")>`), 'VARIANT');
		assert.equal(canon('variant<PROPERTIES ("variant_max_subcolumns_count" = "2048","variant_enable_typed_paths_to_sparse" = "true")>'), 'VARIANT');
		assert.equal(canon("ARRAY<variant<'x':int>>"), 'ARRAY<VARIANT>');
		// fe-common catalog/ArrayType.java toSql: elements declared NOT NULL.
		assert.equal(canon('ARRAY<NOT_NULL(INT)>'), 'ARRAY<NOT_NULL(INT)>');
		assert.equal(canon('array<not_null(datetime(3))>'), 'ARRAY<NOT_NULL(DATETIME(3))>');
		assert.equal(canon('ARRAY<NOT_NULL(ARRAY<NOT_NULL(DECIMALV3(10, 2))>)>'), 'ARRAY<NOT_NULL(ARRAY<NOT_NULL(DECIMAL(10,2))>)>');
		assert.equal(canon('MAP<INT NULL,TEXT NULL>'), 'MAP<INT,STRING>');
	});

	it('fails naming the type string and the position', () => {
		assert.throws(() => parseDorisType('ARRAY<FOO>'), (e: unknown) => e instanceof DorisTypeParseError && /"ARRAY<FOO>".*unknown type name "FOO" at 6/.test(e.message));
		assert.throws(() => parseDorisType('ARRAY<INT'), /expected ">" at the end/);
		assert.throws(() => parseDorisType('DECIMAL(10,11)'), /out of range/);
		assert.throws(() => parseDorisType('DATETIME(7)'), /precision 7/);
		assert.throws(() => parseDorisType(''), /empty type/);
		assert.throws(() => parseDorisType('INT INT'), /unexpected text after the type/);
	});
});
