#!/bin/sh
# Copies the sinker package from the image (/opt/doris-sinker/nodes) into <user folder>/nodes, the
# folder n8n's community-node installer uses, and links n8n-workflow to n8n's own copy.
# Used by the Dockerfile at build time and by the Kubernetes init container at every start, when a
# volume hides the image's /home/node/.n8n (an image upgrade then upgrades the package on the volume).
# Other community packages in the folder are kept; nodes/package.json gains our dependency.
# POSIX sh: the n8n image is Alpine (busybox) with node on PATH.
set -eu
USER_FOLDER="${1:-/home/node/.n8n}"
SRC="${SEED_SOURCE:-/opt/doris-sinker/nodes}"
DEST="$USER_FOLDER/nodes"
PKG=n8n-nodes-doris-sinker
N8N_WORKFLOW="${N8N_WORKFLOW_DIR:-/usr/local/lib/node_modules/n8n/node_modules/n8n-workflow}"

if [ ! -d "$N8N_WORKFLOW" ]; then
	echo "seed-nodes-folder: n8n-workflow not found at $N8N_WORKFLOW (set N8N_WORKFLOW_DIR)" >&2
	exit 1
fi
mkdir -p "$DEST/node_modules"
rm -rf "$DEST/node_modules/$PKG.tmp"
cp -R "$SRC/node_modules/$PKG" "$DEST/node_modules/$PKG.tmp"
rm -rf "$DEST/node_modules/$PKG"
mv "$DEST/node_modules/$PKG.tmp" "$DEST/node_modules/$PKG"
ln -sfn "$N8N_WORKFLOW" "$DEST/node_modules/n8n-workflow"
if [ -f "$DEST/package.json" ]; then
	node -e '
		const fs = require("fs");
		const [dest, src] = process.argv.slice(1);
		const have = JSON.parse(fs.readFileSync(dest, "utf8"));
		const ours = JSON.parse(fs.readFileSync(src, "utf8")).dependencies;
		have.dependencies = { ...(have.dependencies || {}), ...ours };
		fs.writeFileSync(dest, JSON.stringify(have, null, 2) + "\n");
	' "$DEST/package.json" "$SRC/package.json"
else
	cp "$SRC/package.json" "$DEST/package.json"
fi
echo "seed-nodes-folder: $PKG in $DEST"
