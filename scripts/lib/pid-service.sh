# Sourced by scripts/kafka.sh and scripts/registry.sh: a Java service run in the background with a
# pid file. The caller defines say, die, running_pid (which checks the pid is still that service),
# PIDFILE and STOP_TIMEOUT.

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A start that did not become ready: show why, leave nothing behind, fail.
abandon_start() { # pid log what
	echo "----- last lines of $2 -----" >&2
	tail -n 40 "$2" >&2 || true
	kill -KILL "$1" 2>/dev/null || true
	rm -f "$PIDFILE"
	die "$3 failed to start"
}

# TERM, then KILL after STOP_TIMEOUT seconds; waits until the process is gone.
stop() {
	local pid
	pid="$(running_pid)"
	if [ -z "$pid" ]; then
		rm -f "$PIDFILE"
		say "not running"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	local waited=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
			say "still running after ${STOP_TIMEOUT}s, sending KILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		sleep 0.1
		waited=$((waited + 1))
		[ "$waited" -ge $((STOP_TIMEOUT * 10 + 100)) ] && die "pid $pid did not exit"
	done
	rm -f "$PIDFILE"
	say "stopped (pid $pid)"
}
