#!/usr/bin/env bash
# npm test: from a fresh clone to every suite in one command.
#   scripts/test.sh            installs what is missing, starts the test ground this run needs, lints
#                              (beside the rest), builds, runs every suite, and stops what it started (also on failure and
#                              Ctrl-C); what was already running is used and left running. The queue-mode
#                              services are leased (scripts/queue-services.sh acquire/release): runs in other
#                              worktrees share them, and the last run done stops them
#   scripts/test.sh unit       build and the unit suites only (no services; only `npm ci` if needed)
#   scripts/test.sh FILE…      build and these test files, with the ground (e.g. one e2e file)
# Installs, each skipped when already there: node_modules (`npm ci` when missing or not what
# package-lock.json pins), Node 24 (scripts/env.sh), Debian packages (scripts/install-system.sh: Java,
# Maven, Prometheus, Chromium, Redis, PostgreSQL), the deployment linters (scripts/install-deploy-tools.sh),
# the Kafka broker's jars and the Schema Registry (Maven); n8n (scripts/n8n.sh) installs meanwhile,
# behind the suites that do not start it. n8n, Node 24 and the linters go into folders every checkout on
# the machine shares (scripts/lib/shared-install.sh): only a machine's first run installs them.
# Services and their ports (environment, defaults in brackets), read by the scripts and the tests alike:
# Kafka KAFKA_PORT [9092], KAFKA_CONTROLLER_PORT [9093], KAFKA_SASL_PORT [9094], KAFKA_SSL_PORT [9095],
# KAFKA_OAUTH_PORT [9096];
# Schema Registry REGISTRY_PORT [8081]; Redis QUEUE_REDIS_PORT [16379]; PostgreSQL QUEUE_PG_PORT [15432];
# Prometheus PROMETHEUS_PORT [19090].
# At the end it prints how long each test file took, slowest first.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# V8's compiled code for every Node process of the run, kept between runs and checkouts (Node's compile
# cache, scripts/lib/shared-install.sh): the suites start n8n ~40 times and each start compiles the same
# thousands of modules; with the cache a start and stop cost ~12 CPU s instead of ~14 (2026-12-06, this
# machine). Node keys each entry by the file and its content, so a changed file is compiled again.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$(shared_install node-compile-cache all)}"
# n8n's JS task runner runs Code nodes, which no test workflow has. In its default mode (internal, which
# n8n 2.40 calls deprecated) every n8n start also starts the runner as a child process: ~2.6 of the ~15
# CPU s of a start and stop (2026-12-06, alternated runs). In external mode n8n waits for a runner
# launcher instead, which only a Code node would need. `npm run bench` keeps the default: its workflow of
# n8n's own nodes has a Code node.
export N8N_RUNNERS_MODE="${N8N_RUNNERS_MODE:-external}"
export N8N_RUNNERS_AUTH_TOKEN="${N8N_RUNNERS_AUTH_TOKEN:-no-runner-launcher-in-the-tests}"

# shellcheck source=lib/dependencies.sh
source scripts/lib/dependencies.sh
say() { echo "[test] $*"; }
began=$SECONDS
step() { # what, then the command
	local what="$1" at=$SECONDS
	shift
	"$@"
	say "$what: $((SECONDS - at)) s"
}

mode="${1:-all}"
if [ "$mode" = unit ]; then
	step "dependencies" ensure_dependencies
	step "build" npm run --silent build
	exec node --import tsx --test --test-concurrency=1 --test-reporter=spec \
		--test-reporter=./scripts/lib/file-durations.mjs --test-reporter-destination=stdout --test-reporter-destination=stdout \
		"test/unit/**/*.test.ts"
fi

kill_tree() {
	local child
	for child in $(pgrep -P "$1" || true); do kill_tree "$child"; done
	kill "$1" 2>/dev/null || true
}

# --- the test ground: start what is not running, remember what this run started ---------------------
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
started=()
stop_started() {
	local rc=$? service
	trap - EXIT INT TERM
	# An install cut short is redone by the next run (scripts/n8n.sh checks what it finds).
	[ -z "${n8n_pid:-}" ] || kill_tree "$n8n_pid"
	[ -z "${lint_pid:-}" ] || kill_tree "$lint_pid"
	[ -z "${build_pid:-}" ] || kill_tree "$build_pid"
	[ -z "${ground_downloads_pid:-}" ] || kill_tree "$ground_downloads_pid"
	rm -f "${n8n_log:-}" "${n8n_done:-}" "${lint_log:-}" "${build_log:-}" "${ground_downloads_log:-}"
	[ -z "${queue_lease:-}" ] || bash scripts/queue-services.sh release "$$" || true
	for service in "${started[@]}"; do
		say "stopping the $service this run started"
		case "$service" in
			"Kafka broker") bash scripts/kafka.sh stop >/dev/null || true ;;
			"Schema Registry") bash scripts/registry.sh stop >/dev/null || true ;;
		esac
	done
	say "total $((SECONDS - began)) s"
	exit "$rc"
}
trap stop_started EXIT
# Ctrl-C reaches the test runner too (same process group); a no-op handler, not an ignored signal
# (which children would inherit), lets bash wait for the runner to finish, then the EXIT trap runs.
trap 'true' INT TERM

step "system packages" bash scripts/install-system.sh
# n8n's install (minutes on a fresh clone, mostly the npm registry) runs behind the suites that do not
# start n8n; it writes its exit code to $n8n_done when it ends, and the files that start n8n wait for that.
n8n_log="$(mktemp)"
n8n_done="$(mktemp -u)"
n8n_pid=
if [ "$mode" = all ]; then
	# Not niced: its end opens the files that start n8n, about half of all the suites' time, and they
	# run after it. Niced (19) on a machine busy with other work it got almost no CPU: 658 s (npm ci
	# 403 s, native rebuild 255 s) against 195-264 s, the files without n8n done before it.
	install_n8n() {
		local rc=0
		bash scripts/n8n.sh install >"$n8n_log" 2>&1 || rc=$?
		echo "$rc" >"$n8n_done.tmp" && mv "$n8n_done.tmp" "$n8n_done"
	}
	install_n8n &
	n8n_pid=$!
	say "n8n: installing behind the suites that do not need it (log $n8n_log)"
else
	step "n8n" bash scripts/n8n.sh install
fi

# The Maven downloads of the broker and the registry this run will start (one after the other: they
# share ~/.m2), beside npm ci; start_ground waits for them. Neither needs node_modules.
ground_downloads_log="$(mktemp)"
ground_downloads() {
	port_open "${KAFKA_PORT:-9092}" || bash scripts/kafka.sh install || return
	port_open "${REGISTRY_PORT:-8081}" || bash scripts/registry.sh install
}
ground_downloads >"$ground_downloads_log" 2>&1 &
ground_downloads_pid=$!
# npm ci and the deployment linters' pip install after n8n's install started: a fresh clone's n8n
# install is the longest of them (its end opens the files that start n8n).
step "dependencies" ensure_dependencies
deploy_linters() { bash scripts/install-deploy-tools.sh >/dev/null; }
step "deployment linters" deploy_linters

start_ground() {
	local kafka=0 registry=0 log rpid rc=0
	if port_open "${KAFKA_PORT:-9092}"; then
		say "using the Kafka broker already on 127.0.0.1:${KAFKA_PORT:-9092}"
		if [ -z "${KAFKA_CERT_DIR:-}" ] && [ ! -f "${KAFKA_CACHE_DIR:-.cache/kafka}/certs/ca.pem" ]; then
			say "WARNING: no test CA in ${KAFKA_CACHE_DIR:-.cache/kafka}/certs: the TLS tests need the CA of the broker on that port (KAFKA_CERT_DIR=…/certs)"
		fi
	else
		kafka=1
	fi
	if port_open "${REGISTRY_PORT:-8081}"; then
		say "using the Schema Registry already on 127.0.0.1:${REGISTRY_PORT:-8081}"
	else
		registry=1
	fi
	# Installed one after the other (Maven; downloaded beside npm ci already, see ground_downloads:
	# these are no-ops then, or say again what failed), started side by side (each JVM mostly loads classes).
	wait "$ground_downloads_pid" || true
	ground_downloads_pid=
	cat "$ground_downloads_log"
	rm -f "$ground_downloads_log"
	[ "$kafka" = 0 ] || bash scripts/kafka.sh install
	[ "$registry" = 0 ] || bash scripts/registry.sh install
	if [ "$registry" = 1 ]; then
		started+=("Schema Registry")
		log="$(mktemp)"
		bash scripts/registry.sh start >"$log" 2>&1 &
		rpid=$!
	fi
	if [ "$kafka" = 1 ]; then
		started+=("Kafka broker")
		bash scripts/kafka.sh start || rc=$?
	fi
	if [ "$registry" = 1 ]; then
		wait "$rpid" || rc=$?
		cat "$log"
		rm -f "$log"
	fi
	# A lease, not a start: a run in another worktree or checkout (the same ports) may be using them, and
	# a run that stopped them at its end because it had started them broke that run's queue-mode tests.
	# The last run to release them stops them, when a run started them (scripts/lib/run-leases.sh).
	queue_lease=1
	bash scripts/queue-services.sh acquire "$$" || rc=$?
	return "$rc"
}

# Lint needs nothing the suites need, nor they it: it runs beside the build, the ground and the suites
# (niced: the suites' files and n8n's install go first on the cores), and says its verdict at the end.
# One after the other, lint and the build took ~1 min of a fresh clone's run before the first test file.
lint_log="$(mktemp)"
lint_pid=
if [ "$mode" = all ]; then
	nice -n 19 npm run --silent lint >"$lint_log" 2>&1 &
	lint_pid=$!
	lint_began=$SECONDS
	say "lint: running beside the suites (log $lint_log)"
fi
# The build (tsc: CPU) beside the ground's start (Maven, JVMs loading classes): nothing of the ground
# uses dist/. Its output follows the ground's.
build_log="$(mktemp)"
build_began=$SECONDS
npm run --silent build >"$build_log" 2>&1 &
build_pid=$!
step "test ground" start_ground
build_rc=0
wait "$build_pid" || build_rc=$?
build_pid=
cat "$build_log"
rm -f "$build_log"
if [ "$build_rc" != 0 ]; then
	say "build failed (exit $build_rc)"
	exit "$build_rc"
fi
say "build: $((SECONDS - build_began)) s (beside the test ground)"
# Several files at a time (below): every file uses its own topics, groups, tables, Doris test server,
# n8n folder and ports, so any of them can run side by side. Much of a file's time is waiting (group
# joins, timers, n8n starting). scripts/lib/run-files.mjs starts the slowest first
# (scripts/lib/test-durations.json), so no long file runs alone at the end; files matching one --apart
# pattern never run at the same time, nor more than N of an --at-most N group.
run_suites() {
	node --import tsx --import ./test/support/exit-on-signal.ts scripts/lib/run-files.mjs --concurrency "${CONCURRENCY:-1}" "$@"
}
rc=0
at=$SECONDS
if [ "$mode" = all ]; then
	# One run: the files that start n8n wait for its install (--gate), the others take both slots
	# meanwhile; once it is done the n8n files, the slowest, go next and the short ones fill in around
	# them, so neither core waits for the other's last file between the two kinds.
	mapfile -t with_n8n < <(ls test/ground/n8n.test.ts; find test/e2e -name '*.test.ts' | sort)
	mapfile -t without_n8n < <(find test/unit test/ground test/integration test/reliability -name '*.test.ts' | sort | grep -vxF -f <(printf '%s\n' "${with_n8n[@]}"))
	# doris-http and stream-load-transport may create the Kafka ground's test PKI (when the broker on
	# KAFKA_PORT is not this checkout's), which two processes must not do at once. Queue mode (a main and
	# two workers) and scale-out (two instances) start several n8n processes each: two such files side
	# by side would starve each other's workers of CPU.
	# Three at a time, at most two of them starting n8n. Two at a time kept the cores busy while the files
	# that start n8n ran (each start ~13 CPU s, ~40 starts), but ~40 % idle in the ~250 s of Kafka
	# integration files after them, which mostly wait for group joins and timers (2026-12-06, vmstat over a
	# fresh clone's run). A third file there uses that; a third n8n file would only share the cores thinner.
	CONCURRENCY=3 run_suites \
		--at-most "2=^test/(ground/n8n|e2e/.*)\.test\.ts\$" \
		--apart '^test/(ground/doris-http|integration/stream-load-transport)\.test\.ts$' \
		--apart '^test/e2e/(queue-mode|cdc-database-queue|scale-out)\.test\.ts$' \
		--gate "^test/(ground/n8n|e2e/.*)\.test\.ts\$=$n8n_done" \
		"${without_n8n[@]}" "${with_n8n[@]}" || rc=$?
	n8n_rc=0
	wait "$n8n_pid" || n8n_rc=$?
	n8n_pid=
	cat "$n8n_log" >&2
	if [ "$(cat "$n8n_done" 2>/dev/null)" != 0 ]; then
		say "n8n's install failed (exit $(cat "$n8n_done" 2>/dev/null || echo "$n8n_rc")): the suites that start n8n did not run"
		rc=1
	fi
	say "suites (${#without_n8n[@]} files without n8n, ${#with_n8n[@]} that start it, three at a time): $((SECONDS - at)) s"
	lint_rc=0
	wait "$lint_pid" || lint_rc=$?
	lint_pid=
	cat "$lint_log"
	if [ "$lint_rc" != 0 ]; then
		say "lint failed (exit $lint_rc)"
		rc=1
	else
		say "lint: passed ($((SECONDS - lint_began)) s beside the rest)"
	fi
else
	run_suites "$@" || rc=$?
fi
say "suites: $((SECONDS - at)) s"
exit "$rc"
