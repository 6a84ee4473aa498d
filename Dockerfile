# The app and the job workers in one image (docker-compose.yml runs it twice: `app`, and `workers` with another
# command). Two stages: the build stage has every dependency and builds the pages (Vite, a dev dependency); the
# runtime stage has production dependencies only and runs the TypeScript sources with tsx (a production
# dependency), as `npm start` does after its build step.

# --- build: all dependencies, the pages --------------------------------------------------------------------------
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
# npm as used to write package-lock.json (it honours package.json's allowScripts).
RUN npm install -g npm@11.19.1
COPY package.json package-lock.json ./
# The fixes applied to dependencies after install (patch-package, the postinstall script).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web

# --- runtime: production dependencies, sources, built pages, non-root ---------------------------------------------
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
# What `node --import tsx server/main.ts` and `server/workers-main.ts` load: the sources, the models deployed on start,
# the TypeScript settings tsx reads (decorators), and the pages built above.
COPY tsconfig.json ./
COPY platform ./platform
COPY domain ./domain
COPY server ./server
COPY api ./api
COPY engine ./engine
COPY workers ./workers
COPY migrations ./migrations
COPY bpmn ./bpmn
COPY --from=build /app/dist/web ./dist/web
# DATA_DIR (attachments) belongs to the unprivileged user; the sources do not.
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
# Not `npm start`: it builds the pages first, with Vite, which is a dev dependency.
CMD ["node", "--import", "tsx", "server/main.ts"]
