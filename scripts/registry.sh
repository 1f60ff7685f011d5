#!/usr/bin/env bash
# The test ground's Schema Registry: Apicurio Registry from Maven Central, in-memory H2 storage, on
# 127.0.0.1:$REGISTRY_PORT (8081); Confluent-compatible API at /apis/ccompat/v7.
#   scripts/registry.sh install   fetch and unpack the app into .cache/registry (skipped when there)
#   scripts/registry.sh start     install if needed, start, wait until the ccompat API answers
#   scripts/registry.sh stop      TERM by PID, KILL after a bound, wait until gone
#   scripts/registry.sh status    exit 0 when running
# Version: 3.0.9. The newest 3.x on Central (3.3.x) is compiled for Java 21 (class file 65) and fails
# on this project's Java 17 with UnsupportedClassVersionError; 3.0.9 is the newest 3.x that runs on 17.
set -euo pipefail
source "$(dirname "$0")/env.sh"

VERSION="${REGISTRY_VERSION:-3.0.9}"
CACHE="$ROOT/.cache/registry"
APP="$CACHE/app"
PIDFILE="$CACHE/registry.pid"
LOG="$CACHE/registry.log"
PORT="${REGISTRY_PORT:-8081}"
URL="http://127.0.0.1:$PORT"
START_TIMEOUT="${REGISTRY_START_TIMEOUT:-120}"
STOP_TIMEOUT="${REGISTRY_STOP_TIMEOUT:-20}"

say() { echo "[registry] $*"; }
die() { echo "[registry] $*" >&2; exit 1; }
# shellcheck source=lib/pid-service.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pid-service.sh"

runner_jar() { echo "$APP/apicurio-registry-app-$VERSION-runner.jar"; }

install() {
	if [ -f "$APP/.installed" ] && [ "$(cat "$APP/.installed")" = "$VERSION" ] && [ -f "$(runner_jar)" ]; then return 0; fi
	command -v mvn >/dev/null || die "mvn not found: Maven fetches Apicurio Registry from Maven Central"
	say "fetching io.apicurio:apicurio-registry-app:$VERSION (tar.gz, classifier all) with Maven"
	local tmp="$CACHE/app.tmp" out
	rm -rf "$tmp"
	mkdir -p "$tmp/dl"
	if ! out="$(mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all" \
		-DoutputDirectory="$tmp/dl" 2>&1)"; then
		echo "$out" >&2
		rm -rf "$tmp"
		die "Maven could not fetch Apicurio Registry $VERSION"
	fi
	tar xzf "$tmp/dl/apicurio-registry-app-$VERSION-all.tar.gz" -C "$tmp"
	rm -rf "$tmp/dl"
	[ -f "$tmp/apicurio-registry-app-$VERSION-runner.jar" ] || die "unexpected archive layout: no runner jar in $VERSION"
	echo "$VERSION" >"$tmp/.installed"
	rm -rf "$APP"
	mv "$tmp" "$APP"
}

running_pid() {
	[ -f "$PIDFILE" ] || return 0
	local pid
	pid="$(cat "$PIDFILE")"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'apicurio-registry-app'; then
		echo "$pid"
	fi
}


# Ready when the ccompat API answers 200 (the client the tests use goes there), polled with Node's fetch.
wait_ready() {
	node -e '
		const [pid, url, timeoutS] = process.argv.slice(1);
		const deadline = Date.now() + Number(timeoutS) * 1000;
		const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
		(async () => {
			for (;;) {
				if (!alive()) { console.error("registry process " + pid + " exited before it was ready"); process.exit(2); }
				try { const r = await fetch(url, { signal: AbortSignal.timeout(1000) }); if (r.ok) process.exit(0); } catch {}
				if (Date.now() > deadline) { console.error("registry not ready after " + timeoutS + "s"); process.exit(1); }
				await new Promise((r) => setTimeout(r, 200));
			}
		})();
	' "$1" "$URL/apis/ccompat/v7/subjects" "$START_TIMEOUT"
}

start() {
	local pid began
	pid="$(running_pid)"
	if [ -n "$pid" ]; then
		say "already running (pid $pid) on $URL"
		return 0
	fi
	began="$(date +%s.%N)"
	install
	command -v java >/dev/null || die "java not found: Apicurio Registry $VERSION needs Java 17"
	port_busy "$PORT" && die "127.0.0.1:$PORT is already in use by another process (not this project's registry)"
	# In-memory H2 (every start is empty); no access log; small heap. setsid: outlives this script;
	# 9>&-: it must not hold the start/stop lock.
	setsid java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
		-Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
		-Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 -Dapicurio.datasource.url=jdbc:h2:mem:registry \
		-Dquarkus.http.access-log.enabled=false \
		-jar "$(runner_jar)" >"$LOG" 2>&1 </dev/null 9>&- &
	pid=$!
	echo "$pid" >"$PIDFILE"
	local rc=0
	wait_ready "$pid" || rc=$?
	[ "$rc" = 0 ] || abandon_start "$pid" "$LOG" registry
	say "ready in $(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s (pid $pid): $URL/apis/ccompat/v7; log $LOG"
}

addresses() { echo "$URL/apis/ccompat/v7"; }

dispatch "$@"
