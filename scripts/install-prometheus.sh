#!/usr/bin/env bash
# Installs Debian's prometheus package (prometheus + promtool) when promtool is missing.
# The observability tests run a real Prometheus (test/integration/observability.test.ts) and
# check deployments/prometheus/alerts.yml with `promtool check rules` / `promtool test rules`.
# Idempotent: a second run only checks. Needs root (as on this project's machines and CI).
set -euo pipefail
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
# --no-install-recommends keeps out the web console assets and node exporters we do not use.
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends prometheus >&2
# The Debian package starts a system Prometheus on :9090, the sinker's metrics default port; the
# tests run their own on 19090, so stop the service when a service manager started it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
	$SUDO systemctl stop prometheus || true
	$SUDO systemctl disable prometheus >/dev/null 2>&1 || true
fi
command -v promtool >/dev/null
command -v prometheus >/dev/null
