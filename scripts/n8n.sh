#!/usr/bin/env bash
# The n8n 2.x host for end-to-end tests, installed into .cache/n8n (never a dependency of the
# package): a folder shared by every checkout on the machine, named for the n8n version, the lockfile
# below and Node's ABI (scripts/lib/shared-install.sh), so only a machine's first run installs it.
#   scripts/n8n.sh install   install n8n (idempotent: a no-op when the pinned version is there and
#                            its native modules load under Node 24)
#   scripts/n8n.sh check     exit 0 when the install is usable, 1 otherwise
#   scripts/n8n.sh bin       print the path of the n8n executable
#
# Why --ignore-scripts: @confluentinc/kafka-javascript (only n8n's own Kafka Trigger v2 uses it)
# downloads a prebuilt binary or zlib sources from the internet in its install script, which fails
# on a machine that reaches only the package registries. Skipping every script, then rebuilding just
# the native modules n8n needs, works (see ../shared/docs/n8n-notes.md, last section).
# n8n 2.41.x cannot be installed from the registry (it pins an unpublished @n8n/agents), so 2.40.7.
set -euo pipefail
source "$(dirname "$0")/env.sh"

N8N_VERSION="2.40.7"
# n8n's dependency tree, resolved once by `npm install n8n@$N8N_VERSION` and kept in git with the
# registry URLs left out (the lockfile names versions and checksums, so any registry mirror serves it).
# npm ci installs from it without first resolving ~2,200 packages against the registry one by one,
# which was most of a fresh clone's install: 371 s for npm install, 104 s for npm ci with an empty npm
# cache (2026-12-05, this machine). Every run also gets the same versions of n8n's dependencies.
# Used only while its n8n version is N8N_VERSION; to move to another n8n, run `npm install
# --ignore-scripts n8n@<version>` in an empty folder and copy its package.json and package-lock.json here.
HOST_DIR="$ROOT/scripts/n8n-host"
# The native modules are built for the running Node's ABI; another lockfile is another tree.
N8N_DIR="$(shared_install n8n "$N8N_VERSION-$(sha256sum "$HOST_DIR/package-lock.json" | cut -c1-12)-abi$(node -p process.versions.modules)")"
N8N_BIN="$N8N_DIR/node_modules/.bin/n8n"
LOG="$N8N_DIR/install.log"
# Native addons n8n loads at start: sqlite3 (the database), isolated-vm (the task runner's
# expression sandbox). Each must load under Node 24.
NATIVE=(sqlite3 isolated-vm)

# The n8n version scripts/n8n-host pins (empty when its files are missing).
locked_version() {
	node -p "require('$HOST_DIR/package.json').dependencies.n8n" 2>/dev/null || true
}

installed_version() {
	node -p "require('$N8N_DIR/node_modules/n8n/package.json').version" 2>/dev/null || true
}

# Loads each native module from n8n's folder and runs a query on an in-memory sqlite database.
natives_load() {
	(cd "$N8N_DIR" && node -e '
		const sqlite3 = require("sqlite3");
		require("isolated-vm");
		const db = new sqlite3.Database(":memory:");
		db.get("select sqlite_version() as v", (err, row) => {
			if (err || !row) { console.error(err); process.exit(1); }
			db.close();
		});
	') >>"$LOG" 2>&1
}

# What node_modules weighs once n8n is installed: the yardstick for the progress lines.
INSTALLED_MB=2900

# Every 20 s while npm runs (minutes, silent otherwise): how much of n8n is on disk so far.
report_progress() { # npm's pid, start time
	while sleep 20 && kill -0 "$1" 2>/dev/null; do
		local mb percent
		mb="$(du -sm "$N8N_DIR/node_modules" 2>/dev/null | cut -f1 || true)"
		mb="${mb:-0}"
		percent=$((mb * 100 / INSTALLED_MB))
		[ "$percent" -le 99 ] || percent=99
		if [ "$mb" -lt 100 ]; then
			# Without the lockfile npm resolves n8n's ~2,200 packages first (2-4 minutes here) and writes files only after.
			echo "[n8n] … $((SECONDS - $2)) s: npm is resolving n8n's dependency tree (nothing on disk yet)" >&2
		else
			echo "[n8n] … $((SECONDS - $2)) s: ${mb} of ~${INSTALLED_MB} MB on disk (${percent}%)" >&2
		fi
	done
}

check() {
	[ -x "$N8N_BIN" ] && [ "$(installed_version)" = "$N8N_VERSION" ] && natives_load
}

fail() {
	echo "[n8n] $1; last lines of $LOG:" >&2
	tail -n 40 "$LOG" >&2
	exit 1
}

install() {
	mkdir -p "$N8N_DIR"
	# One install at a time per folder, which checkouts share: `npm test` installs n8n next to its first
	# test files while a test file, `npm run demo`, a second run or another checkout may ask for it too;
	# two `npm rebuild sqlite3` in one folder delete each other's build files (`opening dependency file
	# ./Release/.deps/…: No such file`) and both fail. The second caller waits here, then finds n8n installed.
	exec 8>"$N8N_DIR.lock"
	flock 8
	: >"$LOG"
	if check; then
		return 0
	fi
	local started=$SECONDS
	if [ "$(installed_version)" != "$N8N_VERSION" ]; then
		local command
		if [ "$(locked_version)" = "$N8N_VERSION" ]; then
			cp "$HOST_DIR/package.json" "$HOST_DIR/package-lock.json" "$N8N_DIR/"
			command=(npm ci)
		else
			[ -f "$N8N_DIR/package.json" ] || echo '{"private":true,"description":"n8n host for end-to-end tests"}' >"$N8N_DIR/package.json"
			command=(npm install --save-exact "n8n@$N8N_VERSION")
		fi
		echo "[n8n] installing n8n@$N8N_VERSION into ${N8N_DIR#"$ROOT"/} with ${command[*]} (about ${INSTALLED_MB} MB from the npm registry: 2-8 minutes the first time; log ${LOG#"$ROOT"/})" >&2
		(cd "$N8N_DIR" && "${command[@]}" --ignore-scripts --no-audit --no-fund --loglevel=error) >>"$LOG" 2>&1 &
		local npm_pid=$! rc=0
		report_progress "$npm_pid" "$started" &
		local progress_pid=$!
		wait "$npm_pid" || rc=$?
		kill "$progress_pid" 2>/dev/null || true
		wait "$progress_pid" 2>/dev/null || true
		[ "$rc" = 0 ] || fail "${command[*]} (n8n@$N8N_VERSION) failed"
	fi
	local fetched=$SECONDS
	echo "[n8n] rebuilding its native modules for Node $(node -v) (${NATIVE[*]})" >&2
	# JOBS=max: node-gyp runs make with a job per core, so sqlite3's four C++ files compile beside its
	# amalgamation (sqlite3.c, one file, most of the rebuild) instead of after it.
	(cd "$N8N_DIR" && JOBS=max npm rebuild --loglevel=error "${NATIVE[@]}") >>"$LOG" 2>&1 ||
		fail "npm rebuild ${NATIVE[*]} failed"
	natives_load || fail "native modules do not load under Node $(node -v)"
	echo "[n8n] n8n@$N8N_VERSION installed in $((SECONDS - started)) s (npm $((fetched - started)) s, native rebuild $((SECONDS - fetched)) s)" >&2
}

case "${1:-}" in
	install) install ;;
	# No truncation of the log here: an install may be writing it (check takes no lock).
	check) mkdir -p "$N8N_DIR" && check ;;
	bin) echo "$N8N_BIN" ;;
	*)
		echo "usage: $0 install|check|bin" >&2
		exit 2
		;;
esac
