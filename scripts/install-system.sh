#!/usr/bin/env bash
# Debian packages the test suite needs: Java 17+ and Maven (the Kafka broker and the Schema Registry
# run from Maven Central's jars), Python's venv (scripts/install-deploy-tools.sh), Prometheus (promtool
# and a real server for the observability tests), Chromium (the editor test drives it headless), Redis
# and PostgreSQL (the queue-mode tests). Node comes from the npm registry (scripts/env.sh).
# Idempotent: installs only what is missing.
#   scripts/install-system.sh          everything the test suite needs
#   scripts/install-system.sh kafka    only what the Kafka broker needs (npm run demo: Java and Maven)
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ "${1:-}" = kafka ]; then
	kafka_only=1
else
	kafka_only=0
fi
[ "$kafka_only" = 1 ] || python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
[ "$kafka_only" = 1 ] || command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ "$kafka_only" = 1 ] || command -v promtool >/dev/null 2>&1 || need+=(prometheus)
[ "$kafka_only" = 1 ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Redis and PostgreSQL for the n8n queue-mode tests (run by scripts/queue-services.sh).
[ "$kafka_only" = 1 ] || command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ "$kafka_only" = 1 ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "[install-system] apt-get install ${need[*]}" >&2
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
