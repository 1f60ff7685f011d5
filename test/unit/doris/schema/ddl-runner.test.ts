// Which of Doris' DDL refusals pass with time (the execution fails and is redelivered) and which are
// about the statement (its rows go to Invalid with the reason), on the texts Doris sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isTransientRefusal, refusalHint } from '../../../../src/doris/schema/ddl-runner';

const wrap = (detail: string) => `errCode = 2, detailMessage = ${detail}`;

describe('DDL refusals: retry later or Invalid', () => {
	it('a busy table, a restore, a cluster short of backends or disk, a table dropped meanwhile, a timeout: retry later', () => {
		for (const detail of [
			"Table[t]'s state(SCHEMA_CHANGE) is not NORMAL. Do not allow doing ALTER ops",
			"Table[t]'s state(ROLLUP) is not NORMAL. Do not allow doing ALTER ops",
			"Table[t]'s state is not NORMAL. Do not allow doing ALTER ops",
			'Table[t] is in atomic restore state. Do not allow doing ALTER ops',
			'System has no available disk capacity or no available BE nodes',
			'Failed to find enough backend, please check the replication num,replication tag and storage medium.\nCreate failed replications:\nreplication tag: {"location" : "default"}, replication num: 3',
			'unknown table, tableName=t',
			'wait for table lock timeout',
		]) {
			assert.equal(isTransientRefusal(wrap(detail)), true, detail);
		}
	});

	it('a refusal of the statement itself: Invalid', () => {
		for (const detail of [
			'Can not add column which already exists in base table: x',
			'Float or double can not used as a key, use decimal instead.',
			"Incorrect column name 'a b'. Column regex is '^[_a-zA-Z@0-9\\s/][.a-zA-Z0-9_+-/?@#$%^&*\"\\s,:]{0,255}$'",
			'String Type should not be used in key column[k].',
			'Access denied; you need (at least one of) the ALTER privilege(s) for this operation',
		]) {
			assert.equal(isTransientRefusal(wrap(detail)), false, detail);
		}
	});

	it('a cluster short of backends names the replication number as what may never pass by itself; other refusals get no hint', () => {
		const hint = refusalHint(wrap('Failed to find enough backend, please check the replication num,replication tag and storage medium.\nCreate failed replications:\nreplication tag: {"location" : "default"}, replication num: 3'));
		assert.match(hint, /fewer alive backends than the replication number/);
		assert.match(hint, /Table Properties replication_num/);
		assert.equal(refusalHint(wrap('wait for table lock timeout')), '');
	});
});
