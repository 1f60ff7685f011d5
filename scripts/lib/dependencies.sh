# Sourced by scripts/test.sh and scripts/demo.sh (after env.sh, in $ROOT).
#   dependencies_current   exit 0 when node_modules holds what package-lock.json pins
#   ensure_dependencies    npm ci unless dependencies_current; refuses when node_modules is a link
#                          (npm ci would empty the folder it points at, under another checkout's feet)

dependencies_current() {
	[ -d node_modules ] && node scripts/lib/dependencies-current.mjs "$ROOT" 2>/dev/null
}

ensure_dependencies() {
	dependencies_current && return 0
	if [ -L node_modules ]; then
		node scripts/lib/dependencies-current.mjs "$ROOT" || true
		echo "node_modules is a link to $(readlink node_modules): update it there (npm ci)" >&2
		return 1
	fi
	echo "installing dependencies (npm ci)" >&2
	# --prefer-offline: a package already in npm's cache is taken from there without asking the registry
	# whether it changed (package-lock.json pins each one by version and integrity hash anyway); one
	# request less per package for ~730. A fresh clone's npm ci took 41 and 67 s instead of 65 and 102
	# (alternated, 2026-12-06, this machine busy with other work); what the cache lacks is fetched as before.
	npm ci --prefer-offline --no-audit --no-fund --loglevel=error
}
