#!/usr/bin/env bash
# The test ground's Apache Kafka broker: one KRaft node (broker+controller) on 127.0.0.1, run from the
# jars Maven resolves for test/ground/kafka/pom.xml (no tarball, no Docker).
#   scripts/kafka.sh install   resolve the broker's classpath into .cache/kafka/libs (skipped when there)
#   scripts/kafka.sh start     install if needed, make certs, format fresh storage, start, wait until the
#                              admin API answers on every listener; exit 0 if it is already running
#   scripts/kafka.sh resume    start on the data the last run left (topics, offsets): a restart of the
#                              same cluster, where `start` makes a new one
#   scripts/kafka.sh stop      TERM by PID, KILL after a bound, wait until gone
#   scripts/kafka.sh status    exit 0 when running
# Listeners: PLAINTEXT $KAFKA_PORT (9092), CONTROLLER $KAFKA_CONTROLLER_PORT (9093),
#            SASL_PLAINTEXT $KAFKA_SASL_PORT (9094; PLAIN + SCRAM-SHA-256/512, users in
#            test/ground/kafka/users.ts), SSL $KAFKA_SSL_PORT (9095; test CA in .cache/kafka/certs),
#            OAUTH $KAFKA_OAUTH_PORT (9096; SASL_PLAINTEXT with OAUTHBEARER, unsecured JWTs).
# State (data, certificates, PID file, log) in $KAFKA_CACHE_DIR (.cache/kafka): a second broker on other
# ports with its own folder runs beside the first (test/reliability/broker-restart.test.ts does).
# The jars, and the class-data archive the JVMs start from, are in folders every checkout on the
# machine shares (scripts/lib/shared-install.sh).
set -euo pipefail
source "$(dirname "$0")/env.sh"

GROUND="$ROOT/test/ground/kafka"
# KAFKA_CACHE_DIR gives a second broker (other ports) its own data, certificates, PID file and log;
# the jars are shared.
CACHE="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
# .cache/kafka/libs links to the machine's shared folder for this pom.xml (a real folder there, from an
# install made before, is used as it is). The JVMs get its real path: the class-data archive below
# records the jars by path and serves only JVMs started with the same ones.
mkdir -p "$ROOT/.cache/kafka"
LIBS="$(shared_install kafka/libs "$(sha256sum "$GROUND/pom.xml" | cut -c1-16)")"
DATA="$CACHE/data"
CERTS="$CACHE/certs"
FORMATTED="$CACHE/formatted"
PIDFILE="$CACHE/kafka.pid"
LOG="$CACHE/kafka.log"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
export KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-9094}"
export KAFKA_SSL_PORT="${KAFKA_SSL_PORT:-9095}"
export KAFKA_OAUTH_PORT="${KAFKA_OAUTH_PORT:-9096}"
export KAFKA_DATA_DIR="$DATA"
export KAFKA_CERT_DIR="$CERTS"
# Protects only throwaway test keystores under .cache; not a secret.
export KAFKA_STORE_PASSWORD="ground-store"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
# C1 only and the serial collector: a test broker on a 2-core machine serves little traffic, and C2's
# compilations and G1's threads were most of what a start cost. With the class-data archive (below) a
# start took 2.0 CPU s to ready instead of 5.9 with G1 and C2 (C1 and serial alone: 3.0); 2026-12-06,
# this machine. The suites start ~8 brokers (restarts included), the ground's runs all along.
JVM_FLAGS="${KAFKA_JVM_FLAGS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"

say() { echo "[kafka] $*"; }
die() { echo "[kafka] $*" >&2; exit 1; }
# shellcheck source=lib/pid-service.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pid-service.sh"

check_java() {
	command -v java >/dev/null || die "java not found: Apache Kafka 4.1 needs Java 17 or newer"
	local v
	v="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
	[ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java $v found: Apache Kafka 4.1 needs Java 17 or newer"
}

install() {
	local key
	key="$(sha256sum "$GROUND/pom.xml" | cut -c1-16)"
	if [ -f "$LIBS/.installed" ] && [ "$(cat "$LIBS/.installed")" = "$key" ]; then return 0; fi
	# One install at a time into the shared folder; the second caller finds it done.
	exec 8>"$LIBS.lock"
	flock 8
	if [ -f "$LIBS/.installed" ] && [ "$(cat "$LIBS/.installed")" = "$key" ]; then exec 8>&-; return 0; fi
	command -v mvn >/dev/null || die "mvn not found: Maven resolves the broker's jars from Maven Central"
	check_java
	say "resolving Apache Kafka jars with Maven into $LIBS"
	local tmp="$LIBS.tmp" out
	rm -rf "$tmp"
	mkdir -p "$(dirname "$LIBS")"
	if ! out="$(mvn -q -B -f "$GROUND/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
		-DoutputDirectory="$tmp" 2>&1)"; then
		echo "$out" >&2
		rm -rf "$tmp"
		die "Maven could not resolve the broker's classpath"
	fi
	echo "$key" >"$tmp/.installed"
	# The folder itself stays (.cache/kafka/libs may link to it): its content is replaced.
	find "$LIBS" -mindepth 1 -delete
	mv "$tmp"/* "$tmp/.installed" "$LIBS"/
	rmdir "$tmp"
	exec 8>&-
}

# AppCDS: the classes a broker loaded, parsed and verified once, mapped by every later JVM of these jars
# instead of read from them again. One archive per jars' real path, Java and flags, in the shared
# cache. A JVM started without one writes one when it exits (-XX:ArchiveClassesAtExit, Java 13+) into
# its own folder; a clean stop (after_stop) moves it into the shared folder. An archive that does not
# fit (another Java, other jars) is ignored by the JVM, which then loads the classes as before.
cds_archive() {
	local java_version key
	java_version="$(java -version 2>&1)"
	key="$(printf '%s\n' "$(cd "$LIBS" && pwd -P)" "$(cat "$LIBS/.installed")" "$java_version" "$JVM_FLAGS" | sha256sum | cut -c1-16)"
	echo "$(shared_install kafka-cds "$key")/kafka.jsa"
}
CDS_DUMP="$CACHE/kafka.jsa.new"
# JVM flags to use the archive, or to write it when there is none yet.
cds_flags() {
	local archive
	archive="$(cds_archive)"
	if [ -s "$archive" ]; then
		echo "-XX:SharedArchiveFile=$archive"
	else
		rm -f "$CDS_DUMP"
		echo "-XX:ArchiveClassesAtExit=$CDS_DUMP"
	fi
}
# The archive for a JVM that is not to write one (the storage format tool), when there is one.
cds_use_only() {
	local archive
	archive="$(cds_archive)"
	[ ! -s "$archive" ] || echo "-XX:SharedArchiveFile=$archive"
}
# Called by stop() once the broker is gone: "clean" after SIGTERM alone, "killed" after SIGKILL (its
# archive, if any, may be cut short: dropped).
after_stop() {
	[ -f "$CDS_DUMP" ] || return 0
	local archive
	archive="$(cds_archive)"
	if [ "$1" = clean ] && [ -s "$CDS_DUMP" ] && [ ! -s "$archive" ]; then
		cp "$CDS_DUMP" "$archive.tmp.$$" && mv -f "$archive.tmp.$$" "$archive"
	fi
	rm -f "$CDS_DUMP" "$archive.tmp.$$"
}

# PID of our broker when it is running, else nothing. Checks the command line so a reused PID is not
# taken for the broker.
running_pid() {
	[ -f "$PIDFILE" ] || return 0
	local pid
	pid="$(cat "$PIDFILE")"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
		echo "$pid"
	fi
}


# Storage is formatted fresh at every start. Formatting costs a JVM start, so the formatted directory is
# kept and copied; it is re-made when the rendered config or the SCRAM users change.
prepare_storage() {
	local key
	key="$(cat "$CACHE/server.properties" "$CACHE/format.args" "$LIBS/.installed" | sha256sum | cut -c1-16)"
	rm -rf "$DATA"
	if [ -f "$FORMATTED/.key" ] && [ "$(cat "$FORMATTED/.key")" = "$key" ]; then
		cp -a "$FORMATTED/data" "$DATA"
		return 0
	fi
	local cluster_id args out
	# A KRaft cluster id is a base64url (unpadded) 16-byte UUID. One in 64 starts with '-', which the format
	# tool's argument parser takes for an option ("argument --cluster-id/-t: expected one argument": the
	# broker never started); Kafka's own Uuid.randomUuid() draws again in that case, and so does this.
	cluster_id=-
	while [[ $cluster_id == -* ]]; do
		cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
	done
	mapfile -t args <"$CACHE/format.args"
	# shellcheck disable=SC2086 # JVM_FLAGS is a list of JVM flags
	if ! out="$(java -Xmx256m $JVM_FLAGS $(cds_use_only) -cp "$(cd "$LIBS" && pwd -P)/*" -Dlog4j2.configurationFile="$GROUND/log4j2.properties" \
		kafka.tools.StorageTool format --config "$CACHE/server.properties" --cluster-id "$cluster_id" \
		"${args[@]}" 2>&1)"; then
		echo "$out" >&2
		die "formatting KRaft storage failed"
	fi
	rm -rf "$FORMATTED"
	mkdir -p "$FORMATTED"
	cp -a "$DATA" "$FORMATTED/data"
	echo "$key" >"$FORMATTED/.key"
}

start() { # "resume" keeps the data of the last run (a restart of the same cluster)
	local pid
	pid="$(running_pid)"
	if [ -n "$pid" ]; then
		say "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
		return 0
	fi
	local began
	began="$(date +%s.%N)"
	install
	check_java
	[ -d "$ROOT/node_modules/kafkajs" ] || die "node_modules is missing: run npm ci first (the readiness probe uses kafkajs)"
	for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT" "$KAFKA_SSL_PORT" "$KAFKA_OAUTH_PORT"; do
		port_busy "$p" && die "127.0.0.1:$p is already in use by another process (not this project's broker)"
	done
	mkdir -p "$CACHE"
	bash "$GROUND/certs.sh" "$CERTS" "$KAFKA_STORE_PASSWORD"
	(cd "$ROOT" && node --import tsx "$GROUND/render-config.ts" "$CACHE")
	if [ "${1:-}" = resume ] && [ -f "$DATA/meta.properties" ]; then
		say "resuming on the data of the last run ($DATA)"
	else
		prepare_storage
	fi
	# setsid: the broker outlives this script and the caller's terminal/process group; 9>&-: it must
	# not hold the start/stop lock.
	# shellcheck disable=SC2086,SC2046 # HEAP_OPTS, JVM_FLAGS and cds_flags are lists of JVM flags
	setsid java $HEAP_OPTS $JVM_FLAGS $(cds_flags) -Djava.awt.headless=true \
		-Dlog4j2.configurationFile="$GROUND/log4j2.properties" -cp "$(cd "$LIBS" && pwd -P)/*" \
		kafka.Kafka "$CACHE/server.properties" >"$LOG" 2>&1 </dev/null 9>&- &
	pid=$!
	echo "$pid" >"$PIDFILE"
	local rc=0
	# --no-warnings: kafkajs 2.2.4 trips Node 24's TimeoutNegativeWarning; harmless, and noise here.
	(cd "$ROOT" && node --no-warnings --import tsx "$GROUND/ready.ts" "$pid" "$START_TIMEOUT") || rc=$?
	[ "$rc" = 0 ] || abandon_start "$pid" "$LOG" broker
	say "ready in $(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s (pid $pid): PLAINTEXT 127.0.0.1:$KAFKA_PORT, SASL_PLAINTEXT 127.0.0.1:$KAFKA_SASL_PORT, SSL 127.0.0.1:$KAFKA_SSL_PORT, OAUTH 127.0.0.1:$KAFKA_OAUTH_PORT; log $LOG"
}

addresses() { echo "PLAINTEXT 127.0.0.1:$KAFKA_PORT, SASL_PLAINTEXT 127.0.0.1:$KAFKA_SASL_PORT, SSL 127.0.0.1:$KAFKA_SSL_PORT, OAUTH 127.0.0.1:$KAFKA_OAUTH_PORT"; }

if [ "${1:-}" = resume ]; then lock; start resume; exit; fi
dispatch "$@"
