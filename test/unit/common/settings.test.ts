// The converters every node's settings reader uses (src/common/settings.ts): each refuses a bad value
// with the field, the value and the rule, and converts a good one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SettingError, atLeastZero, between, flag, httpAddresses, list, oneOf, positive, required, requiredList, text, wholeNumber } from '../../../src/common/settings';

const refuses = (run: () => unknown, message: string) =>
	assert.throws(run, (error: unknown) => {
		assert.ok(error instanceof SettingError);
		assert.equal(error.message, message);
		return true;
	});

describe('setting converters', () => {
	it('text trims; null and undefined read as empty', () => {
		assert.deepEqual([text('  a b '), text(null), text(undefined), text(12)], ['a b', '', '', '12']);
	});

	it('required and requiredList name the field and say what to do', () => {
		assert.equal(required('Table', ' t ', 'choose one'), 't');
		refuses(() => required('Table', '  ', 'choose a table or type its name'), 'Table is empty: choose a table or type its name');
		assert.deepEqual(requiredList('CSV Columns', 'id, name\nts', 'x'), ['id', 'name', 'ts']);
		refuses(() => requiredList('CSV Columns', ' , ', 'the CSV format needs the order of the fields'), 'CSV Columns is empty: the CSV format needs the order of the fields');
	});

	it('oneOf returns the allowed value, or names the field, the value and the choices', () => {
		assert.equal(oneOf('Format', ' csv ', ['json', 'csv']), 'csv');
		refuses(() => oneOf('Format', 'xml', ['json', 'csv']), 'Format "xml" is not one of json, csv');
		refuses(() => oneOf('Output', 'lines', ['message', 'batch'], 'message (One Item per Message), batch (One Item per Batch)'), 'Output "lines" is not one of message (One Item per Message), batch (One Item per Batch)');
	});

	it('numbers: positive, at least zero, whole within bounds, between', () => {
		assert.equal(positive('Batch Max Rows', '10'), 10);
		refuses(() => positive('Batch Max Rows', 0), 'Batch Max Rows must be a number greater than 0, not 0');
		refuses(() => positive('Batch Max Rows', 'ten'), 'Batch Max Rows must be a number greater than 0, not "ten"');
		assert.equal(atLeastZero('Max Retries', 0), 0);
		refuses(() => atLeastZero('Retry Backoff', -5, 'milliseconds'), 'Retry Backoff -5 must be 0 or more milliseconds');
		refuses(() => atLeastZero('Max Retries', 'x'), 'Max Retries "x" must be 0 or more');
		assert.equal(wholeNumber('Worker Threads', 4, 0, 16), 4);
		refuses(() => wholeNumber('Worker Threads', 1.5, 0, 16), 'Worker Threads "1.5" must be a whole number from 0 to 16');
		refuses(() => wholeNumber('Max JSON Size (Bytes)', 0, 1, 9, 'bytes'), 'Max JSON Size (Bytes) "0" must be a whole number of bytes from 1 to 9');
		assert.equal(between('Max Filter Ratio', 0.5, 0, 1), 0.5);
		refuses(() => between('Max Filter Ratio', 3, 0, 1), 'Max Filter Ratio 3 must be between 0 and 1');
	});

	it('flag is on for true only; list splits on commas and blanks', () => {
		assert.deepEqual([flag(true), flag('true'), flag(1), flag(undefined)], [true, false, false, false]);
		assert.deepEqual(list(' a, b\n c,,'), ['a', 'b', 'c']);
	});

	it('httpAddresses keeps protocol, host and port; refuses other protocols and credentials', () => {
		assert.deepEqual(httpAddresses('BE Addresses', 'http://be1:8040, https://be2:8443/path', 'http://host:8040'), ['http://be1:8040', 'https://be2:8443']);
		refuses(() => httpAddresses('BE Addresses', 'be1:8040', 'http://host:8040'), 'BE Addresses: "be1:8040" must use http or https');
		refuses(() => httpAddresses('BE Addresses', 'not a url', 'http://host:8040'), 'BE Addresses: "not" is not a URL (expected http://host:8040)');
		refuses(() => httpAddresses('BE Addresses', 'http://u:p@be:8040', 'http://host:8040'), 'BE Addresses: "be:8040" must not carry credentials');
	});
});
