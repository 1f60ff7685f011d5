# Sourced by scripts/env.sh. Installs that every checkout of this repository on the machine shares, the
# way npm's and Maven's caches are shared: n8n (about 2.9 GB, ~2,200 packages and two native modules
# compiled for Node 24), Node 24 itself and the deployment linters. A fresh clone's `npm test` spent
# 312-763 s installing n8n alone (2026-12-05/06, this project's 2-core machine; its npm ci and compilers
# took ~380 CPU seconds of the run), and the test files that start n8n waited for it. A second clone, a
# git worktree or a run after `git clean -dfx` now finds it installed.
#
# Each install is a folder named for exactly what it holds (version, lockfile digest, Node ABI) under
#   $DORIS_SINKER_CACHE, else $XDG_CACHE_HOME/n8n-nodes-doris-sinker, else ~/.cache/n8n-nodes-doris-sinker
# and the checkout's .cache/<name> is a symbolic link to it. DORIS_SINKER_CACHE=none keeps every install
# inside the checkout, as does a home folder that cannot be written. A .cache/<name> that is a real
# folder (an install made before, or by hand) is used as it is. Deleting the shared folder is safe: the
# next run installs again. The scripts that install into it hold a lock beside it (<folder>.lock), so
# two checkouts installing at once do not write into each other's files.

# shared_install NAME KEY: points .cache/NAME at the shared folder for KEY (created empty when new; a link
# to another KEY, such as an older version's, is replaced) and prints the folder to use.
shared_install() {
	local name="$1" key="$2" link="$ROOT/.cache/$1" base target
	base="${DORIS_SINKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-doris-sinker}"
	mkdir -p "$ROOT/.cache"
	if [ "$base" = none ] || { [ -d "$link" ] && [ ! -L "$link" ]; } || ! mkdir -p "$base/$name-$key" 2>/dev/null; then
		mkdir -p "$link"
		echo "$link"
		return
	fi
	target="$base/$name-$key"
	[ "$(readlink "$link" 2>/dev/null)" = "$target" ] || ln -sfn "$target" "$link"
	echo "$target"
}
