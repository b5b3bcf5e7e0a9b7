# syntax=docker/dockerfile:1
# postguard: build stage compiles TypeScript; runtime stage has production dependencies only and runs as non-root.
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
    POSTGUARD_POLICIES=/app/policies
WORKDIR /app
RUN groupadd --system postguard && useradd --system --gid postguard --home /var/lib/postguard postguard \
 && mkdir -p /var/lib/postguard && chown postguard:postguard /var/lib/postguard
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY policies ./policies
USER postguard
VOLUME ["/var/lib/postguard"]
EXPOSE 2525 8025
# Healthy when the SMTP listener greets with 220.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "const s=require('net').connect(2525,'127.0.0.1');s.setTimeout(4000,()=>process.exit(1));s.on('data',d=>process.exit(String(d).startsWith('220')?0:1));s.on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
