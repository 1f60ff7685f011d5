/**
 * The registry the kafkajs patches find a consumer's listener in (group-member-listeners.ts): kafkajs
 * joins under a new member id after a restart, so a consumer re-registers at each join, and nothing an
 * old member does may remove what a newer registration put there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GroupMemberListeners, MemberWatch } from '../../../src/kafka/group-member-listeners';

type Listener = () => string;
const first: Listener = () => 'first';
const second: Listener = () => 'second';

describe('GroupMemberListeners: one listener per group member', () => {
	it('finds the listener of the member a patched ConsumerGroup runs for; none before it joined (memberId null)', () => {
		const listeners = new GroupMemberListeners<Listener>();
		listeners.watch('g', 'm1', first);
		assert.equal(listeners.of('g', 'm1'), first);
		assert.equal(listeners.of('g', 'm2'), undefined);
		assert.equal(listeners.of('other-group', 'm1'), undefined, 'the same member id in another group is another member');
		assert.equal(listeners.of('g', null), undefined);
	});

	it('an old member\'s unsubscribe leaves the registration under the new member id', () => {
		const listeners = new GroupMemberListeners<Listener>();
		const stopOld = listeners.watch('g', 'm1', first);
		listeners.watch('g', 'm2', first);
		assert.equal(listeners.size, 2);
		stopOld();
		assert.equal(listeners.of('g', 'm1'), undefined);
		assert.equal(listeners.of('g', 'm2'), first);
		assert.equal(listeners.size, 1);
	});

	it('a second registration under the same member replaces the first, whose unsubscribe then removes nothing', () => {
		const listeners = new GroupMemberListeners<Listener>();
		const stopFirst = listeners.watch('g', 'm1', first);
		const stopSecond = listeners.watch('g', 'm1', second);
		assert.equal(listeners.of('g', 'm1'), second);
		assert.equal(listeners.size, 1);
		stopFirst();
		assert.equal(listeners.of('g', 'm1'), second);
		stopSecond();
		assert.equal(listeners.of('g', 'm1'), undefined);
		assert.equal(listeners.size, 0);
	});
});

describe('MemberWatch: one consumer across its group joins', () => {
	it('re-registers at each join under the new member id; the old member\'s watch ends', () => {
		const listeners = new GroupMemberListeners<Listener>();
		const watch = new MemberWatch(listeners, 'g', first);
		watch.joined('m1', false);
		assert.equal(listeners.of('g', 'm1'), first);
		watch.joined('m2', false);
		assert.equal(listeners.of('g', 'm1'), undefined);
		assert.equal(listeners.of('g', 'm2'), first);
		assert.equal(listeners.size, 1);
	});

	it('ending one consumer\'s watch leaves another consumer\'s registration in the same group', () => {
		const listeners = new GroupMemberListeners<Listener>();
		const one = new MemberWatch(listeners, 'g', first);
		const other = new MemberWatch(listeners, 'g', second);
		one.joined('m1', false);
		other.joined('m2', false);
		one.end();
		assert.equal(listeners.of('g', 'm2'), second);
		assert.equal(listeners.size, 1);
	});

	it('none joined while closing (a kafkajs restart\'s join after close() began), none after end', () => {
		const listeners = new GroupMemberListeners<Listener>();
		const watch = new MemberWatch(listeners, 'g', first);
		watch.joined('m1', false);
		watch.joined('m2', true);
		assert.equal(listeners.size, 0, 'the closing join ended the previous member\'s watch and began none');
		watch.joined('m3', false);
		watch.end();
		assert.equal(listeners.size, 0);
		watch.end();
		assert.equal(listeners.size, 0, 'a second end changes nothing');
	});
});
