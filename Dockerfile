# The app and the job workers in one image (docker-compose.yml runs it twice: `app`, and `workers` with another
# command). Two stages: the build stage has every dependency and runs `npm run build` (the pages with Vite, the
# server side compiled to JavaScript with esbuild: dev dependencies, as are the browser packages); the runtime stage
# has production dependencies only and runs the compiled JavaScript, as `npm start` does after its build step.

# --- build: all dependencies, the pages, the compiled app --------------------------------------------------------------------------
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
# npm as used to write package-lock.json (it honours package.json's allowScripts).
RUN npm install -g npm@11.19.1
COPY package.json package-lock.json ./
# The fixes applied to dependencies after install (patch-package, the postinstall script).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies, compiled app, built pages, non-root ---------------------------------------------
FROM node:20.19.5-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
RUN npm install -g npm@11.19.1
COPY package.json package-lock.json ./
# The fixes applied to dependencies after install (patch-package, the postinstall script).
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The compiled app and the built pages (dist/), and the models, decisions, forms and element templates it deploys and
# serves from bpmn/ (read from the project's root, platform/paths.ts).
COPY --from=build /app/dist ./dist
COPY bpmn ./bpmn
# DATA_DIR (attachments) belongs to the unprivileged user; the app's files do not.
RUN mkdir -p /data && chown node:node /data
# As `npm start` runs node (package.json): an old generation of at most 512 MB, which also keeps V8 from letting up to
# four times the live heap pile up as garbage, and glibc's mmap threshold fixed at its default, so that the 16 MB of
# each password hash (scrypt, on libuv's threads) goes back to the system instead of staying in four threads' arenas
# (BENCHMARKS.md, "The app's memory under bench:e2e"). docker-compose.yml sets NODE_OPTIONS per service.
ENV NODE_OPTIONS=--max-old-space-size=512 \
    MALLOC_MMAP_THRESHOLD_=131072
USER node
EXPOSE 3000
# Ready when the database and the engine answer (/readyz; /healthz is liveness only).
HEALTHCHECK --interval=15s --timeout=10s --start-period=60s --retries=10 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Not `npm start`: it builds first, with Vite and esbuild, which are dev dependencies.
CMD ["node", "dist/app/server/main.js"]
