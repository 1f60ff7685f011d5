/**
 * How a kafkajs patch finds the consumer to tell: a patched ConsumerGroup method knows only its group id
 * and member id, so each consumer registers its listener under those, and the patch calls the listener
 * of the member it runs for (offset-reset-watch.ts, unknown-topic-watch.ts).
 *
 * kafkajs joins under a new member id after a restart, so a consumer re-registers at each join
 * (MemberWatch): a listener left under an old member id would never be called again, and one left after
 * its consumer closed would keep that consumer alive in the registry
 * (test/integration/kafka-stop-after-close.test.ts counts the position-reset watch's).
 */

/** The listeners of one patch, one per group member. */
export class GroupMemberListeners<Listener> {
	private readonly listeners = new Map<string, Listener>();

	/**
	 * Calls `listener` for this group member from now on, in place of any listener it had; returns the
	 * unsubscribe, which removes `listener` only while it is still the one registered (a later
	 * registration under the same member stays).
	 */
	watch(groupId: string, memberId: string, listener: Listener): () => void {
		const key = memberKey(groupId, memberId);
		this.listeners.set(key, listener);
		return () => {
			if (this.listeners.get(key) === listener) this.listeners.delete(key);
		};
	}

	/** The listener of this group member; none for a ConsumerGroup not joined yet (kafkajs' memberId null). */
	of(groupId: string, memberId: string | null): Listener | undefined {
		return memberId === null ? undefined : this.listeners.get(memberKey(groupId, memberId));
	}

	/** How many group members are watched now: one per running consumer. */
	get size(): number {
		return this.listeners.size;
	}
}

function memberKey(groupId: string, memberId: string): string {
	return `${groupId}\u0000${memberId}`;
}

/** One consumer's watch across its group joins (each join may be a new member); none joined while closing, none after `end`. */
export class MemberWatch<Listener> {
	private stopWatching: (() => void) | undefined;

	constructor(
		private readonly listeners: GroupMemberListeners<Listener>,
		private readonly groupId: string,
		private readonly listener: Listener,
	) {}

	/**
	 * The consumer joined as `memberId`: the previous member's watch ends, this one's begins. None while
	 * closing: a restart kafkajs began before close() still joins afterwards (its runner leaves only once
	 * its start() ended, stop-after-close.ts), and a watch begun then outlived close(), which had ended the
	 * last one (test/integration/kafka-stop-after-close.test.ts).
	 */
	joined(memberId: string, closing: boolean): void {
		this.end();
		if (!closing) this.stopWatching = this.listeners.watch(this.groupId, memberId, this.listener);
	}

	end(): void {
		this.stopWatching?.();
		this.stopWatching = undefined;
	}
}
