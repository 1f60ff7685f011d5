#!/usr/bin/env bash
# npm run demo: the whole sinker on this machine in one command. Installs what a fresh clone lacks
# (node_modules, the build, n8n in .cache/n8n), starts the Kafka broker unless KAFKA_BROKERS is set,
# then test/ground/demo/main.ts runs the Doris test server (or uses DORIS_FE_URL), n8n with the
# package and an example workflow published, and a producer; it prints the editor and metrics URLs
# and live progress until Ctrl-C. Everything started here is stopped on the way out.
#   DEMO_EXAMPLE=orders|logs|cdc (default orders)  DEMO_RATE=<events/s>  KAFKA_BROKERS=host:9092
#   DORIS_FE_URL=http://fe:8030 DORIS_USER=root DORIS_PASSWORD=… [DORIS_QUERY_PORT=9030]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

say() { echo "[demo] $*"; }

if [ ! -d node_modules ]; then
	say "installing dependencies (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
fi

# n8n loads dist/: rebuild when it is missing or older than any source file.
if [ ! -f dist/index.js ] || [ -n "$(find index.ts src nodes credentials -newer dist/index.js -name '*.ts' -print -quit)" ]; then
	say "building the package (npm run build)"
	npm run build --silent
fi

bash scripts/n8n.sh install

STARTED_KAFKA=0
if [ -z "${KAFKA_BROKERS:-}" ]; then
	if ! bash scripts/kafka.sh status >/dev/null 2>&1; then
		say "starting the local Kafka broker (scripts/kafka.sh)"
		bash scripts/kafka.sh install
		bash scripts/kafka.sh start
		STARTED_KAFKA=1
	else
		say "using the Kafka broker already running on 127.0.0.1:9092"
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
