#!/usr/bin/env bash
# The test ground's services on 127.0.0.1: the Apache Kafka broker (scripts/kafka.sh) and the Schema
# Registry (scripts/registry.sh). Installs what is missing, starts, stops, and prints the addresses.
#   scripts/ground.sh start    GROUND_REGISTRY=0 leaves the registry out
#   scripts/ground.sh stop
#   scripts/ground.sh status   exit 0 when every service is running
# Tests find them through test/ground/kafka/env.ts (KAFKA_BROKERS, KAFKA_SASL_BROKERS, KAFKA_SSL_BROKERS,
# SCHEMA_REGISTRY_URL; the defaults are these addresses).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"

addresses() {
	echo "[ground] KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}"
	echo "[ground] KAFKA_SASL_BROKERS=127.0.0.1:${KAFKA_SASL_PORT:-9094}   (SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256/512; users in test/ground/kafka/users.ts)"
	echo "[ground] KAFKA_SSL_BROKERS=127.0.0.1:${KAFKA_SSL_PORT:-9095}    (CA: .cache/kafka/certs/ca.pem)"
	echo "[ground] OAUTHBEARER listener 127.0.0.1:${KAFKA_OAUTH_PORT:-9096}    (SASL_PLAINTEXT, unsecured JWTs)"
	if [ "${GROUND_REGISTRY:-1}" != 0 ]; then
		echo "[ground] SCHEMA_REGISTRY_URL=http://127.0.0.1:${REGISTRY_PORT:-8081}/apis/ccompat/v7"
	fi
}

start() {
	local registry=0
	if [ "${GROUND_REGISTRY:-1}" != 0 ]; then
		# Install both before starting either: Maven runs one at a time, and a registry that cannot be
		# fetched must not stop the broker from coming up.
		if bash "$HERE/registry.sh" install; then
			registry=1
		else
			echo "[ground] WARNING: Schema Registry could not be installed; starting Kafka without it" >&2
		fi
	fi
	bash "$HERE/kafka.sh" install
	# The two JVMs start side by side: each mostly waits on its own class loading.
	local log rc=0
	log="$(mktemp)"
	if [ "$registry" = 1 ]; then
		bash "$HERE/registry.sh" start >"$log" 2>&1 &
		local rpid=$!
	fi
	bash "$HERE/kafka.sh" start || rc=$?
	if [ "$registry" = 1 ]; then
		wait "$rpid" || rc=$?
		cat "$log"
	fi
	rm -f "$log"
	[ "$rc" = 0 ] || { echo "[ground] start failed" >&2; exit "$rc"; }
	addresses
}

stop() {
	local rc=0
	bash "$HERE/registry.sh" stop || rc=$?
	bash "$HERE/kafka.sh" stop || rc=$?
	return "$rc"
}

status() {
	local rc=0
	bash "$HERE/kafka.sh" status || rc=$?
	if [ "${GROUND_REGISTRY:-1}" != 0 ]; then bash "$HERE/registry.sh" status || rc=$?; fi
	return "$rc"
}

case "${1:-}" in
	start) start ;;
	stop) stop ;;
	status) status ;;
	restart) stop && start ;;
	*) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
