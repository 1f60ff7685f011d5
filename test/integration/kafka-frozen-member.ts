// A sinker consumer in a worker thread whose first execution blocks the thread (a process stalled:
// a long GC pause, a frozen VM) for longer than the session timeout, so the group forgets it while
// another consumer in the main thread goes on. It reports what it does to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';

import { SinkerConsumer } from '../../src/kafka/sinker-consumer';
import { FakeN8n, testOptions } from './kafka-sinker-helpers';

export interface FrozenMemberData {
	topic: string;
	groupId: string;
	freezeMs: number;
	options: Record<string, unknown>;
}

export type MemberEvent =
	| { kind: 'execution'; partition: number; firstOffset: string; lastOffset: string; at: number }
	| { kind: 'commit'; partition: number; offset: string; at: number }
	| { kind: 'assignment'; partitions: number[]; at: number }
	| { kind: 'closed' };

const data = workerData as FrozenMemberData;
const port = parentPort;
if (port) {
	const post = (event: MemberEvent) => port.postMessage(event);
	let frozen = false;
	const n8n = new FakeN8n(async (execution) => {
		post({ kind: 'execution', partition: execution.partition, firstOffset: execution.firstOffset, lastOffset: execution.lastOffset, at: Date.now() });
		if (!frozen) {
			frozen = true;
			// The whole thread stands still: no heartbeat, no timer, no I/O. Blocked, not spinning: a busy
			// loop would also take a core from whatever runs beside this test.
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, data.freezeMs);
		} else {
			await sleep(300);
		}
		return { ok: true };
	});
	const options = testOptions(data.topic, data.groupId, {
		...data.options,
		observer: {
			onCommit: (_topic, partition, offset) => post({ kind: 'commit', partition, offset, at: Date.now() }),
			onAssignment: (assignment) => post({ kind: 'assignment', partitions: assignment[data.topic] ?? [], at: Date.now() }),
		},
	});
	void SinkerConsumer.start(options, n8n.run).then((consumer) =>
		port.on('message', (message: unknown) => {
			if (message !== 'close') return;
			void consumer.close().finally(() => {
				post({ kind: 'closed' });
				port.close();
			});
		}),
	);
}
