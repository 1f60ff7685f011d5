# Sourced by scripts/kafka.sh and scripts/registry.sh: a Java service run in the background with a
# pid file. The caller defines say, die, running_pid (which checks the pid is still that service),
# PIDFILE, STOP_TIMEOUT and CACHE, plus start, install and `addresses` (what status prints), and may
# define after_stop (called with "clean" or "killed" once the process is gone).

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
	local waited=0 how=clean
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
			say "still running after ${STOP_TIMEOUT}s, sending KILL"
			kill -KILL "$pid" 2>/dev/null || true
			how=killed
		fi
		sleep 0.1
		waited=$((waited + 1))
		[ "$waited" -ge $((STOP_TIMEOUT * 10 + 100)) ] && die "pid $pid did not exit"
	done
	rm -f "$PIDFILE"
	# The caller's own step once the process is gone (kafka.sh keeps the class-data archive it wrote).
	if declare -F after_stop >/dev/null; then after_stop "$how"; fi
	say "stopped (pid $pid)"
}

status() {
	local pid
	pid="$(running_pid)"
	if [ -n "$pid" ]; then
		say "running (pid $pid): $(addresses)"
		return 0
	fi
	say "not running"
	return 3
}

# One start/stop at a time per checkout (helpers and CI may call start concurrently): the second caller
# waits, then finds the service running.
lock() {
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
}

dispatch() { # the script's first argument
	case "${1:-}" in
		install) lock; install ;;
		start) lock; start ;;
		stop) lock; stop ;;
		restart) lock; stop && start ;;
		status) status ;;
		*) echo "usage: $0 install|start|stop|restart|status" >&2; exit 2 ;;
	esac
}
