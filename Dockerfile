# Worker image: compiled TypeScript plus a prebuilt workflow bundle (no bundling at start-up).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && node dist/src/build/bundle-workflows.js dist/workflow-bundle.js && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The dashboard's page script and style, served as they are (replica-fleet ui).
COPY --from=build /app/src/dashboard/assets ./src/dashboard/assets
COPY bin ./bin
COPY package.json ./
USER node
# 9464: the worker's /metrics, /healthz, /readyz; 8788: the webhook ingress.
EXPOSE 9464 8788
ENTRYPOINT ["node", "bin/replica-fleet.js"]
CMD ["worker"]
