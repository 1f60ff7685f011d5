# Sourced by scripts/queue-services.sh: services several test runs share (one machine, several checkouts or
# worktrees, the same ports), started by the first run that needs them and stopped by the last one done.
# Each run holds a lease, a file named by its pid in a folder of the machine's (LEASE_DIR, one per set of
# ports) holding the process' start time, so a pid the kernel reused is no lease. A run that ended without
# releasing (killed) leaves a lease whose process is gone: the next acquire or release drops it. Before,
# scripts/test.sh stopped the queue services at its end whenever it had started them, while a run in
# another worktree, which had found them running, was still using them: its queue-mode tests failed.
# One acquire or release at a time (flock on LEASE_DIR/.lock), so a release never stops what a
# concurrent acquire just found running.
# The caller defines LEASE_DIR, log (a message to stderr), services_up (exit 0 when they answer),
# services_start and services_stop.

# The start time of process $1 (clock ticks since boot, /proc/<pid>/stat field 22), empty when it is gone.
process_start_time() {
	local stat
	stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
	# The command name (field 2) may hold spaces and parentheses: read the fields after its last ")".
	stat="${stat##*) }"
	# shellcheck disable=SC2086
	set -- $stat
	echo "${20}"
}

# Whether the lease file $1 belongs to a process still running (the one that took it).
lease_live() {
	local pid
	pid="$(basename "$1")"
	[ -n "$pid" ] && [ "$(process_start_time "$pid")" = "$(cat "$1" 2>/dev/null)" ]
}

# The leases of running processes other than $1, one pid a line; drops those of processes gone.
live_leases_except() {
	local lease
	for lease in "$LEASE_DIR"/[0-9]*; do
		[ -e "$lease" ] || continue
		if ! lease_live "$lease"; then
			rm -f "$lease"
		elif [ "$(basename "$lease")" != "$1" ]; then
			basename "$lease"
		fi
	done
}

# Runs a command with no file descriptor of the caller's open but 0, 1 and 2. The services it starts
# outlive it: started with the lease lock open (fd 9 here) they held it, and the next acquire or release
# waited for them forever (a queue-mode test hung so); started under `flock /work/locks/heavy.lock` they
# held that lock too, past the run, as long as another run kept them.
detached() {
	(
		local fd
		for fd in /proc/"$BASHPID"/fd/*; do
			fd="${fd##*/}"
			[ "$fd" -gt 2 ] 2>/dev/null || continue
			{ eval "exec $fd>&-"; } 2>/dev/null
		done
		"$@"
	)
}

with_lease_lock() {
	mkdir -p "$LEASE_DIR"
	(
		flock 9
		"$@"
	) 9>"$LEASE_DIR/.lock"
}

# Takes a lease for process $1 and starts the services unless they answer. `started`: the services were
# started by a run holding a lease, so the last lease released stops them; services found running
# otherwise (started by hand) are left running.
acquire_locked() {
	local owner="$1" start_time others
	start_time="$(process_start_time "$owner")"
	[ -n "$start_time" ] || { log "no process $owner to hold the lease"; return 1; }
	echo "$start_time" >"$LEASE_DIR/$owner"
	others="$(live_leases_except "$owner" | tr '\n' ' ')"
	if services_up; then
		log "already running${others:+, used by the runs of pid ${others% }}; this run (pid $owner) uses them too"
		return 0
	fi
	detached services_start || { rm -f "$LEASE_DIR/$owner"; return 1; }
	touch "$LEASE_DIR/started"
	log "started for this run (pid $owner)"
}

release_locked() {
	local owner="$1" others
	rm -f "$LEASE_DIR/$owner"
	others="$(live_leases_except "$owner" | tr '\n' ' ')"
	if [ -n "$others" ]; then
		log "left running: the runs of pid ${others% } still use them"
	elif [ -f "$LEASE_DIR/started" ]; then
		log "stopping: no other run uses them"
		detached services_stop
		rm -f "$LEASE_DIR/started"
	fi
}

lease_acquire() { with_lease_lock acquire_locked "$1"; }
lease_release() { with_lease_lock release_locked "$1"; }
