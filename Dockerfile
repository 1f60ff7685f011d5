# syntax=docker/dockerfile:1
# n8n (the official image, 2.x line) with n8n-nodes-doris-sinker installed the way n8n's
# community-node installer lays a package out:
#   /home/node/.n8n/nodes/package.json                          lists the package as a dependency
#   /home/node/.n8n/nodes/node_modules/n8n-nodes-doris-sinker   dist/ + package.json + its production deps
# so its node types are n8n-nodes-doris-sinker.kafkaTrigger / .dorisSchema / .dorisStreamLoad, the
# same names as after an install from npm. A copy also sits in /opt/doris-sinker/nodes for
# deployments that mount a volume over /home/node/.n8n (deployments/kubernetes: an init container
# copies it into the volume with deployments/docker/seed-nodes-folder.sh).
#
#   docker build -t n8n-doris-sinker:0.1.0 .     (the tag deployments/kubernetes/deployment.yaml runs)
#   docker run -p 5678:5678 -p 127.0.0.1:9090:9090 n8n-doris-sinker:0.1.0
ARG N8N_VERSION=2.40.7
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency of the package needs an install script, and the build must not
# run code from the registry.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json gulpfile.js index.ts ./
COPY src ./src
COPY nodes ./nodes
COPY credentials ./credentials
RUN npm run build

# The package as npm would install it: what `files` in package.json ships, plus production
# dependencies. n8n-workflow is a peer dependency that n8n itself provides, so it is left out
# (--omit=peer) and linked to n8n's own copy in the final stage.
WORKDIR /out/nodes/node_modules/n8n-nodes-doris-sinker
RUN cp /src/package.json /src/package-lock.json ./ \
	&& cp -r /src/dist ./dist \
	&& rm -rf ./dist/test ./dist/bench \
	&& npm ci --omit=dev --omit=peer --no-audit --no-fund --ignore-scripts \
	&& rm package-lock.json \
	&& node -e 'const v=require("./package.json").version; require("fs").writeFileSync("/out/nodes/package.json", JSON.stringify({name:"installed-nodes",private:true,dependencies:{"n8n-nodes-doris-sinker":v}},null,2)+"\n")'
COPY deployments/docker/seed-nodes-folder.sh /out/seed-nodes-folder.sh

FROM n8nio/n8n:${N8N_VERSION}
COPY --from=build --chown=node:node /out/nodes /opt/doris-sinker/nodes
COPY --from=build --chown=node:node /out/seed-nodes-folder.sh /opt/doris-sinker/seed-nodes-folder.sh
# Lays the package into the user folder (and links n8n-workflow to n8n's own copy, so the nodes'
# error classes are the ones n8n checks with instanceof). Fails the build if n8n moved its copy.
RUN sh /opt/doris-sinker/seed-nodes-folder.sh /home/node/.n8n
# Expression isolates only for executions that evaluate expressions; finished executions' input
# dropped from the database every minute instead of every 15; a 16 MB young generation for n8n,
# whose per-execution garbage otherwise keeps ~100 MB more resident (README, "Tuning n8n").
# A NODE_OPTIONS of your own replaces this one: keep the flag in it.
ENV N8N_UNVERIFIED_PACKAGES_ENABLED=true \
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true \
	NODE_OPTIONS=--max-semi-space-size=16 \
	EXECUTIONS_DATA_PRUNE_HARD_DELETE_INTERVAL=1 \
	DORIS_SINKER_METRICS=true \
	DORIS_SINKER_METRICS_PORT=9090 \
	DORIS_SINKER_METRICS_HOST=0.0.0.0
EXPOSE 9090
