# syntax=docker/dockerfile:1
# postguard: build stage compiles TypeScript; runtime stage has production dependencies only and runs as non-root.
# Everything the process writes (state, keys, quarantine, the dir: outbox) is under /var/lib/postguard, a volume
# owned by the postguard user; /app (code and shipped policies) is root-owned and read-only to it.
# test/cli/docker-image.test.ts runs this file's ENV, ENTRYPOINT/CMD and HEALTHCHECK as an unprivileged user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    POSTGUARD_LISTEN=0.0.0.0:2525 \
    POSTGUARD_ADMIN_LISTEN=0.0.0.0:8025 \
    POSTGUARD_DATA_DIR=/var/lib/postguard \
    POSTGUARD_UPSTREAM=dir:/var/lib/postguard/outbox \
    POSTGUARD_POLICIES=/app/policies
WORKDIR /app
RUN groupadd --system postguard && useradd --system --gid postguard --home /var/lib/postguard postguard \
 && mkdir -p /var/lib/postguard && chown postguard:postguard /var/lib/postguard && chmod 0750 /var/lib/postguard
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY policies ./policies
# `docker exec CONTAINER postguard quarantine list` etc.
RUN chmod 0755 /app/dist/src/cli/main.js && ln -s /app/dist/src/cli/main.js /usr/local/bin/postguard
USER postguard
VOLUME ["/var/lib/postguard"]
EXPOSE 2525 8025
# Healthy when /readyz answers 200: the upstream (or outbox) takes mail and the quarantine store is writable.
# An SMTP greeting alone said "healthy" while every message got 451. The admin listener must be enabled.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.POSTGUARD_ADMIN_LISTEN||':8025').split(':').pop();fetch('http://127.0.0.1:'+p+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["serve"]
