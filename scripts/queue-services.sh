#!/usr/bin/env bash
# Redis and PostgreSQL for the n8n queue-mode tests (test/e2e/queue-mode.test.ts): Debian's packages,
# run as the project's own processes on 127.0.0.1, non-default ports, data in git-ignored .cache/.
#   scripts/queue-services.sh install   apt-get install redis-server / postgresql when missing
#   scripts/queue-services.sh start     start both (idempotent; initdb on first start)
#   scripts/queue-services.sh stop      stop both (only what this script started: pid files in .cache),
#                                       refused while a test run holds a lease on them
#   scripts/queue-services.sh acquire PID   a lease for the run of process PID (scripts/test.sh): starts
#                                       both unless they answer; several runs (worktrees) share them
#   scripts/queue-services.sh release PID   ends that lease; the last run's release stops them when a run
#                                       started them (scripts/lib/run-leases.sh)
#   scripts/queue-services.sh status    exit 0 when both answer
#   scripts/queue-services.sh env       print the addresses as KEY=value lines
# Ports: QUEUE_REDIS_PORT (16379) and QUEUE_PG_PORT (15432); other ports get other folders in .cache.
# PostgreSQL's superuser is `n8n` with trust authentication on 127.0.0.1 only: a throwaway test
# database, never a deployment recipe.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

REDIS_PORT="${QUEUE_REDIS_PORT:-16379}"
PG_PORT="${QUEUE_PG_PORT:-15432}"
PG_SUPERUSER="n8n"
# Other ports get folders of their own (e.g. the benchmark's, bench/n8n-database.ts): two servers
# cannot share one data folder or pid file, and stopping one must not stop the other.
SUFFIX=""
[ "$REDIS_PORT:$PG_PORT" = "16379:15432" ] || SUFFIX="-$REDIS_PORT-$PG_PORT"
REDIS_DIR="$ROOT/.cache/redis$SUFFIX"
PG_DIR="$ROOT/.cache/postgres$SUFFIX"
# Where the cluster goes when the unprivileged owner cannot reach .cache (a checkout under /root).
PG_FALLBACK_DIR="${TMPDIR:-/tmp}/n8n-doris-sinker-postgres$SUFFIX"

log() { echo "[queue-services] $*" >&2; }

# The runs using these ports' services, one lease each (scripts/lib/run-leases.sh); a folder of the
# machine's, not of the checkout's: a checkout with its own .cache uses the same ports.
LEASE_DIR="${QUEUE_LEASE_DIR:-${TMPDIR:-/tmp}/n8n-doris-sinker-queue-services-$REDIS_PORT-$PG_PORT}"
# shellcheck source=lib/run-leases.sh
source "$HERE/lib/run-leases.sh"

# Debian installs PostgreSQL's programs under /usr/lib/postgresql/<major>/bin, not on PATH.
pg_bin() {
	local dir
	dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
	if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
	return 1
}

install() {
	local need=()
	command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
	pg_bin >/dev/null || need+=(postgresql)
	[ ${#need[@]} -eq 0 ] && return 0
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	log "apt-get install ${need[*]}"
	$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# --- Redis -------------------------------------------------------------------------------------------

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_start() {
	if redis_up; then return 0; fi
	mkdir -p "$REDIS_DIR"
	# No persistence: the queue's jobs only matter while a test runs.
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --daemonize yes \
		--pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
		--save '' --appendonly no --protected-mode yes
	for _ in $(seq 1 50); do redis_up && return 0; sleep 0.1; done
	log "redis did not answer on 127.0.0.1:$REDIS_PORT; last lines of $REDIS_DIR/redis.log:"
	tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
	return 1
}

redis_stop() {
	local pidfile="$REDIS_DIR/redis.pid"
	[ -f "$pidfile" ] || return 0
	local pid
	pid="$(cat "$pidfile")"
	if kill -0 "$pid" 2>/dev/null; then
		redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$pidfile"
}

# --- PostgreSQL --------------------------------------------------------------------------------------

# PostgreSQL refuses to run as root (CI runs as root): then the cluster belongs to an unprivileged
# user, Debian's `postgres` (the package creates it) or, failing that, a dedicated system user.
PG_OWNER=""
pg_owner() {
	if [ "$(id -u)" -ne 0 ]; then PG_OWNER="$(id -un)"; return; fi
	if ! id -u postgres >/dev/null 2>&1; then
		id -u n8n-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin n8n-pg
		PG_OWNER="n8n-pg"
		return
	fi
	PG_OWNER="postgres"
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

# Picks the cluster's folder: .cache/postgres when its owner can reach it, else the fallback; a
# folder that already holds a cluster wins, so start and stop agree.
pg_paths() {
	if [ ! -f "$PG_DIR/data/PG_VERSION" ] && [ -f "$PG_FALLBACK_DIR/data/PG_VERSION" ]; then
		PG_DIR="$PG_FALLBACK_DIR"
	elif [ "$(id -u)" -eq 0 ] && [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
		mkdir -p "$PG_DIR"
		chown "$PG_OWNER" "$PG_DIR"
		if ! as_owner test -x "$PG_DIR"; then
			log "user $PG_OWNER cannot reach $PG_DIR (a parent folder lacks o+x); using $PG_FALLBACK_DIR"
			PG_DIR="$PG_FALLBACK_DIR"
		fi
	fi
	PG_DATA="$PG_DIR/data"
	PG_RUN="$PG_DIR/run"
	PG_LOG="$PG_DIR/postgres.log"
}

pg_up() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

pg_start() {
	local bin
	bin="$(pg_bin)" || { log "PostgreSQL is not installed: run $0 install"; return 1; }
	if pg_up; then return 0; fi
	pg_owner
	pg_paths
	mkdir -p "$PG_RUN"
	if [ "$(id -u)" -eq 0 ]; then chown "$PG_OWNER" "$PG_DIR" "$PG_RUN"; fi
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		rm -rf "$PG_DATA"
		as_owner "$bin/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
			{ log "initdb failed:"; tail -n 20 "$PG_DIR/initdb.log" >&2; return 1; }
	fi
	# Settings for a disposable test database on a small machine: no fsync, TCP on loopback only, the
	# socket in our folder (Debian's /var/run/postgresql may not exist or be writable).
	as_owner "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
		-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_RUN -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null ||
		{ log "postgres did not start; last lines of $PG_LOG:"; tail -n 20 "$PG_LOG" >&2; return 1; }
}

pg_stop() {
	local bin
	bin="$(pg_bin)" || return 0
	pg_owner
	pg_paths
	[ -f "$PG_DATA/postmaster.pid" ] || return 0
	as_owner "$bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

addresses() {
	echo "QUEUE_REDIS_HOST=127.0.0.1"
	echo "QUEUE_REDIS_PORT=$REDIS_PORT"
	echo "QUEUE_PG_HOST=127.0.0.1"
	echo "QUEUE_PG_PORT=$PG_PORT"
	echo "QUEUE_PG_USER=$PG_SUPERUSER"
	echo "QUEUE_PG_BIN=$(pg_bin || true)"
}

services_up() { redis_up && pg_up; }
services_start() {
	redis_start
	pg_start
	log "redis 127.0.0.1:$REDIS_PORT, postgres 127.0.0.1:$PG_PORT (user $PG_SUPERUSER)"
}
services_stop() {
	local rc=0
	redis_stop || rc=$?
	pg_stop || rc=$?
	return "$rc"
}

case "${1:-}" in
	install) install ;;
	start)
		install
		detached services_start
		;;
	stop)
		users="$(with_lease_lock live_leases_except none | tr '\n' ' ')"
		if [ -n "$users" ]; then
			log "not stopping: the test runs of pid ${users% } use them (each stops them when it is the last one done)"
			exit 1
		fi
		services_stop
		;;
	acquire)
		[ -n "${2:-}" ] || { echo "usage: $0 acquire PID" >&2; exit 2; }
		install
		lease_acquire "$2"
		;;
	release)
		[ -n "${2:-}" ] || { echo "usage: $0 release PID" >&2; exit 2; }
		lease_release "$2"
		;;
	status)
		rc=0
		redis_up || { log "redis is not answering on 127.0.0.1:$REDIS_PORT"; rc=1; }
		pg_up || { log "postgres is not answering on 127.0.0.1:$PG_PORT"; rc=1; }
		exit "$rc"
		;;
	env) addresses ;;
	*)
		echo "usage: $0 install|start|stop|status|env|acquire PID|release PID" >&2
		exit 2
		;;
esac
