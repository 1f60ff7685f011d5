#!/usr/bin/env bash
# npm run demo: the whole sinker on this machine in one command. Installs what a fresh clone lacks
# (node_modules, the build, n8n in .cache/n8n; Java and Maven with apt-get for the broker), starts the
# Kafka broker unless KAFKA_BROKERS is set,
# then test/ground/demo/main.ts runs the Doris test server (or uses DORIS_FE_URL), n8n with the
# package and an example workflow published, and a producer; it prints the editor and metrics URLs
# and live progress until Ctrl-C. Everything started here is stopped on the way out.
#   DEMO_EXAMPLE=orders|logs|cdc|cdc-database (default orders)  DEMO_RATE=<events/s>  KAFKA_BROKERS=host:9092
#   KAFKA_PORT (9092, …: see scripts/kafka.sh) for the broker it starts or finds
#   DORIS_FE_URL=http://fe:8030 DORIS_USER=root DORIS_PASSWORD=… [DORIS_QUERY_PORT=9030]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

say() { echo "[demo] $*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
KAFKA_PORT="${KAFKA_PORT:-9092}"

# Say up front what a fresh clone lacks and roughly how long it takes: the first run is minutes,
# mostly n8n, and every step below is silent until it is done.
# shellcheck source=lib/dependencies.sh
source scripts/lib/dependencies.sh
deps_ok=0
dependencies_current && deps_ok=1
build_stale() { [ ! -f dist/index.js ] || [ -n "$(find index.ts src nodes credentials -newer dist/index.js -name '*.ts' -print -quit)" ]; }
need_kafka=0
[ -z "${KAFKA_BROKERS:-}" ] && ! port_open "$KAFKA_PORT" && need_kafka=1
plan=()
[ "$deps_ok" = 1 ] || plan+=("the dependencies (npm ci, about 1 min)")
build_stale && plan+=("the build (about 30 s)")
bash scripts/n8n.sh check 2>/dev/null || plan+=("n8n 2.40.7 into .cache/n8n (about 2.9 GB: 2-8 min)")
if [ "$need_kafka" = 1 ] && { ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; }; then
	plan+=("Java and Maven with apt-get, for the Kafka broker (about 1 min)")
fi
[ "$need_kafka" = 1 ] && [ ! -f .cache/kafka/libs/.installed ] && plan+=("Apache Kafka 4.1's jars with Maven (about 1 min)")
if [ ${#plan[@]} -gt 0 ]; then
	say "first run: installing $(printf '%s; ' "${plan[@]}" | sed 's/; $//')"
fi
say "then: the Kafka broker, the Doris test server and n8n start (about 1 min), and events flow until Ctrl-C"

[ "$deps_ok" = 1 ] || ensure_dependencies

# n8n loads dist/: rebuild when it is missing or older than any source file.
if build_stale; then
	say "building the package (npm run build)"
	npm run build --silent
fi

bash scripts/n8n.sh install

STARTED_KAFKA=0
if [ -z "${KAFKA_BROKERS:-}" ]; then
	if [ "$need_kafka" = 1 ]; then
		say "starting a local Kafka broker on 127.0.0.1:$KAFKA_PORT (scripts/kafka.sh)"
		bash scripts/install-system.sh kafka
		bash scripts/kafka.sh install
		bash scripts/kafka.sh start
		STARTED_KAFKA=1
	else
		say "using the Kafka broker already running on 127.0.0.1:$KAFKA_PORT"
	fi
fi

cleanup() {
	if [ "$STARTED_KAFKA" = 1 ]; then
		say "stopping the Kafka broker the demo started"
		bash scripts/kafka.sh stop || true
	fi
}
trap cleanup EXIT
# Ctrl-C reaches the whole foreground group; the demo process handles it and shuts down in order.
# A no-op handler (not an ignored signal, which children would inherit) makes bash wait for it.
trap 'true' INT TERM

rc=0
node --import tsx test/ground/demo/main.ts || rc=$?
exit "$rc"
