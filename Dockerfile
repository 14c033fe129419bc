# syntax=docker/dockerfile:1
# One build, two images: the API (default target `api`) and the worker (target `worker`). Each
# has its own command and a HEALTHCHECK on the port that process serves: the API's PORT (8080),
# the worker's WORKER_HTTP_PORT (9090). Node 26 is the Active LTS line (to 2029-04-30); pinned to
# a minor so that rebuilds take its patch releases and nothing else.
ARG NODE_IMAGE=node:26.13-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json openapi.yaml ./
COPY --chown=root:root src/web ./src/web
# `exdiag run …` inside a container, for support engineers.
RUN chmod 0755 dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/exdiag
USER node

FROM runtime AS worker
ENV WORKER_HTTP_PORT=9090
EXPOSE 9090
# WORKER_HTTP_PORT=0 turns the listener off, and with it the check.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "const p=process.env.WORKER_HTTP_PORT??'9090';if(p==='0')process.exit(0);fetch('http://127.0.0.1:'+p+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/worker.js"]

FROM runtime AS api
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
