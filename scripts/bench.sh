#!/usr/bin/env bash
# npm run bench [-- flags]: the throughput / latency / memory benchmark, see bench/config.ts
# for the flags (`npm run bench -- --quick` is a smoke run). Needs the ground's Kafka broker at
# KAFKA_BROKERS (scripts/ground.sh start); starts the Doris test server itself, in the runner's
# process, and n8n (scenarios n8n and builtin) through test/ground/n8n/host.ts. BENCH_NO_BUILD=1
# skips the build that keeps dist/ (what n8n loads) current.
# Results: bench/results/<date>-<size>.{json,md}. Run it on a quiet machine: the figures are only
# as good as the cores left to the pipeline.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
brokers="${KAFKA_BROKERS:-127.0.0.1:9092}"
first="${brokers%%,*}"
if ! (exec 3<>"/dev/tcp/${first%:*}/${first##*:}") 2>/dev/null; then
	echo "[bench] no Kafka broker at $first: start the ground first (npm run ground:start)" >&2
	exit 1
fi
# n8n loads the built package (dist/): build it so scenario n8n measures the current sources.
if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
	npm run --silent build >&2 || { echo "[bench] npm run build failed (BENCH_NO_BUILD=1 skips it)" >&2; exit 1; }
fi
# kafkajs 2.2.4 schedules a negative timeout on Node 24 (harmless); keep the output readable.
# `npm run bench -- cdc-database [--changes N]`: the whole-database CDC comparison (bench/cdc-database.ts).
if [ "${1:-}" = cdc-database ]; then
	shift
	exec node --import tsx --disable-warning=TimeoutNegativeWarning bench/cdc-database.ts "$@"
fi
exec node --import tsx --disable-warning=TimeoutNegativeWarning bench/run.ts "$@"
