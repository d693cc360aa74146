# registry-janitor: `janitor daemon` by default; any other command by overriding the arguments,
# e.g. `docker run -v $PWD/janitor.yaml:/etc/janitor/config.yaml IMAGE` (daemon) or a Kubernetes
# CronJob with command [node, /app/bin/janitor.js, apply]. The entrypoint runs node itself (PID 1,
# exec form, no npx or shell in between), so SIGTERM reaches the daemon.
# (Not built in this repository's CI: there is no Docker engine there. See README, Deployment.)

FROM node:20-slim AS build
WORKDIR /app
# `npm ci` runs the `prepare` script, which compiles src/ into dist/, so the sources come first.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
# The config is mounted here (a ConfigMap, a volume); --config in the arguments overrides it. The
# tool never runs apply or the daemon on repositories nobody named: without a config it exits 2.
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    JANITOR_CONFIG=/etc/janitor/config.yaml
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The image's unprivileged `node` user (uid 1000); the tool needs no file system writes.
USER node
EXPOSE 9464
ENTRYPOINT ["node", "/app/bin/janitor.js", "daemon"]
# Listen on every interface inside the container so Prometheus and the kubelet can reach it.
CMD ["--metrics-addr", "0.0.0.0:9464"]
