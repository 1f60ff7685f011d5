/**
 * A partition that continues at a corrupt record batch (corrupt-batch-hold.ts): the member's report
 * holds the partition's current state, and only a partition this consumer owns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CorruptBatchHold } from '../../../src/kafka/corrupt-batch-hold';
import type { CorruptBatchReport } from '../../../src/kafka/corrupt-batch-watch';
import { Assignment, type PartitionState } from '../../../src/kafka/partition-state';

function report(partition: number, baseOffset: string): CorruptBatchReport {
	return { topic: 't', partition, baseOffset, magic: 2, size: 100, storedCrc: 1, computedCrc: 2, reason: 'stored CRC-32C 0x00000001, computed 0x00000002' };
}

function setUp() {
	const assignment = new Assignment();
	assignment.replace({ t: [0, 1] }, 'm1');
	const holds: Array<[PartitionState, string]> = [];
	const hold = new CorruptBatchHold({ options: { groupId: 'g' }, assignment, hold: (state, r) => holds.push([state, r.baseOffset]) });
	hold.joined('m1', false);
	return { assignment, holds, hold };
}

describe('CorruptBatchHold', () => {
	it('holds the reported partition\'s current state at the batch', () => {
		const { assignment, holds, hold } = setUp();
		hold.told(report(1, '10'));
		assert.equal(holds.length, 1);
		assert.equal(holds[0][0], assignment.get('t', 1));
		assert.equal(holds[0][1], '10');
		hold.end();
	});

	it('a partition given away meanwhile is left to its new owner', () => {
		const { assignment, holds, hold } = setUp();
		assignment.replace({ t: [0] }, 'm1');
		hold.joined('m1', false);
		hold.told(report(1, '10'));
		assert.deepEqual(holds, []);
		hold.end();
	});
});
