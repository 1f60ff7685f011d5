#!/usr/bin/env bash
# npm test: type-check and build, then run the suites with Node's test runner.
#   scripts/test.sh            all suites (unit, integration on the real Kafka broker and Doris test
#                              server, n8n end-to-end); the services must be up (scripts/ground.sh start)
#   scripts/test.sh unit       only the unit suites (no services needed)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
npm run --silent build
case "${1:-all}" in
	unit) globs=("test/unit/**/*.test.ts") ;;
	*) globs=("test/unit/**/*.test.ts" "test/ground/**/*.test.ts" "test/integration/**/*.test.ts" "test/e2e/**/*.test.ts" "test/reliability/**/*.test.ts") ;;
esac
# One file at a time keeps the shared broker and the 2-core machine from being oversubscribed.
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${globs[@]}"
