/**
 * The deployment files, checked without Docker (there is no Docker engine where the tests run): docker-compose.yml
 * parses; images are pinned; every service has a health check and waits for its dependencies to be healthy; the app's
 * and the workers' environment, with .env.example's values put in, passes the configuration module itself in
 * ENGINE=camunda + production mode; host ports do not clash; data lives in named volumes; heaps fit their limits and
 * the limits add up to the stated total. Also the Dockerfile (multi-stage, production dependencies, non-root, health
 * check) and .env.example (every variable compose reads, and no other).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, settings, ConfigError } from '../../../platform/config';

const ROOT = join(__dirname, '..', '..', '..');
const read = (name: string) => readFileSync(join(ROOT, name), 'utf8');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: string[];
  mem_limit?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  'x-memory-total'?: string;
}

/** KEY=VALUE lines of an env file (comments and blank lines skipped, surrounding quotes removed). */
export function parseEnvFile(text: string): Env {
  const env: Env = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** The variables a compose file reads: ${VAR}, ${VAR:-default}, ${VAR:?message}, $VAR ($$ is a literal $). */
export function variablesOf(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g))
    names.add(m[1] ?? m[2]);
  return names;
}

/** Compose's interpolation, as `docker compose config` does it, against the given variables. */
export function interpolate(value: string, vars: Env): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      if (bare) return vars[bare] ?? '';
      const v = vars[name!];
      const unset = v === undefined || (colon === ':' && v === '');
      if (op === '?' && unset) throw new Error(`required variable ${name} is missing: ${arg}`);
      if (op === '-' && unset) return arg ?? '';
      return v ?? '';
    },
  );
}

function environmentOf(service: Service, vars: Env): Env {
  const raw = service.environment ?? {};
  const entries: Array<[string, string]> = Array.isArray(raw)
    ? raw.map((e) => {
        const i = e.indexOf('=');
        return [e.slice(0, i), e.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, interpolate(v, vars)]));
}

/** "2048m", "2g", "512M" in MiB. */
function mebibytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg])b?$/i.exec(String(size).trim());
  if (!m) throw new Error(`not a memory size: ${size}`);
  const n = Number(m[1]);
  return { k: n / 1024, m: n, g: n * 1024 }[m[2].toLowerCase() as 'k' | 'm' | 'g'];
}

/** The -Xmx of a JVM option string or --max-old-space-size of NODE_OPTIONS, in MiB. */
function heapOf(options: string | undefined): number | undefined {
  const jvm = /-Xmx(\d+)([kmg])/i.exec(options ?? '');
  if (jvm) return mebibytes(`${jvm[1]}${jvm[2]}`);
  const node = /--max-old-space-size=(\d+)/.exec(options ?? '');
  return node ? Number(node[1]) : undefined;
}

/** name:MAJOR.MINOR.PATCH[-variant]; PostgreSQL's own versions have two parts (17.5 is a release, 17 floats). */
const PINNED = /^(?:postgres:\d+\.\d+|[a-z0-9./_-]+:v?\d+\.\d+\.\d+)(?:-[A-Za-z0-9._-]+)?$/;

describe('docker-compose.yml', () => {
  const text = read('docker-compose.yml');
  const compose = parse(text, { merge: true }) as Compose;
  const example = parseEnvFile(read('.env.example'));
  const services = compose.services;
  const env = (name: string) => environmentOf(services[name], example);

  it('parses, with the services of a Camunda 8.8 cluster, PostgreSQL, the app and its workers', () => {
    expect(Object.keys(services).sort()).toEqual([
      'app',
      'connectors',
      'elasticsearch',
      'orchestration',
      'postgres',
      'workers',
    ]);
    expect(services.orchestration.image).toMatch(/^camunda\/camunda:8\.8\.\d+$/);
    expect(services.connectors.image).toMatch(/^camunda\/connectors-bundle:8\.8\.\d+$/);
  });

  it('when an image is named, then it is pinned to an explicit version; the app and workers are built from the Dockerfile under one pinned tag', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(PINNED) });
    }
    expect(services.app.build).toBeDefined();
    expect(services.workers.build).toBeDefined();
    expect(services.workers.image).toBe(services.app.image);
    expect(services.workers.command).toEqual(['node', 'dist/app/server/workers-main.js']);
  });

  it('when a service runs, then it has a health check, and it waits for every service it depends on to be healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, test: s.healthcheck?.disable ? undefined : s.healthcheck?.test }).toEqual({
        name,
        test: expect.anything(),
      });
      if (!s.depends_on) continue;
      expect({ name, dependsOn: Array.isArray(s.depends_on) ? 'a list without conditions' : 'conditions' }).toEqual({
        name,
        dependsOn: 'conditions',
      });
      for (const [dependency, how] of Object.entries(s.depends_on)) {
        expect({ name, dependency, condition: how.condition }).toEqual({
          name,
          dependency,
          condition: 'service_healthy',
        });
        expect(services[dependency]?.healthcheck?.test).toBeDefined();
      }
    }
    // the start-up order of the guide
    const needs = (name: string) => Object.keys(services[name].depends_on ?? {}).sort();
    expect(needs('orchestration')).toEqual(['elasticsearch']);
    expect(needs('connectors')).toEqual(['orchestration']);
    expect(needs('app')).toEqual(['orchestration', 'postgres']);
    expect(needs('workers')).toEqual(['app', 'orchestration', 'postgres']);
    // the app's health check asks its readiness endpoint on the port it listens on
    expect(JSON.stringify(services.app.healthcheck!.test)).toContain(`127.0.0.1:${env('app').PORT}/readyz`);
  });

  it.each(['app', 'workers'])(
    'when the %s service starts, then its environment with .env.example filled in passes the configuration module in ENGINE=camunda production mode',
    (name) => {
      const e = env(name);
      // every name it sets is a setting of platform/config.ts (a misspelt one would be silently ignored)
      const known = new Set([...Object.keys(settings), 'NODE_OPTIONS']);
      expect(Object.keys(e).filter((k) => !known.has(k))).toEqual([]);
      let config;
      try {
        config = loadConfig(e);
      } catch (error) {
        throw new Error(`${name}: ${error instanceof ConfigError ? error.message : String(error)}`, { cause: error });
      }
      expect(config).toMatchObject({
        NODE_ENV: 'production',
        ENGINE: 'camunda',
        ZEEBE_REST_ADDRESS: 'http://orchestration:8080',
        CAMUNDA_AUTH_STRATEGY: 'BASIC',
        WORKERS_IN_APP: false,
        DEMO_SEED: false,
        PUBLIC_URL: example.PUBLIC_URL,
      });
      // the database is the postgres service, with its password
      const db = new URL(config.DATABASE_URL!);
      expect(db.hostname).toBe('postgres');
      expect(decodeURIComponent(db.password)).toBe(env('postgres').POSTGRES_PASSWORD);
      expect(db.pathname).toBe(`/${env('postgres').POSTGRES_DB}`);
      // the cluster knows the user it signs in as, with that password
      const orchestration = env('orchestration');
      const user = Object.keys(orchestration).find(
        (k) => /USERS_\d+_USERNAME$/.test(k) && orchestration[k] === config.CAMUNDA_BASIC_AUTH_USERNAME,
      );
      expect(user).toBeDefined();
      expect(orchestration[user!.replace('USERNAME', 'PASSWORD')]).toBe(config.CAMUNDA_BASIC_AUTH_PASSWORD);
      // and the host name it calls is the cluster's service on its REST port
      expect(services.orchestration.ports!.some((p) => p.endsWith(':8080'))).toBe(true);
    },
  );

  it('when the app service starts, then it listens on all interfaces on the published port and deploys the models', () => {
    const config = loadConfig(env('app'));
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.DEPLOY_MODELS).toBe(true);
    expect(services.app.ports!.map((p) => interpolate(p, example).split(':').pop())).toContain(String(config.PORT));
  });

  it('when the stack runs, then no two services publish the same host port', () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => {
        const parts = interpolate(p, example).split(':');
        if (parts.length < 2) throw new Error(`${name}: port ${p} publishes a random host port`);
        return {
          name,
          host: `${parts.length === 3 ? parts[0] : '0.0.0.0'}:${parts[parts.length - 2]}`,
          port: parts[parts.length - 2],
        };
      }),
    );
    const ports = published.map((p) => p.port);
    expect(ports.filter((p, i) => ports.indexOf(p) !== i)).toEqual([]);
    // the management API and the data stores are reachable from the host's loopback only
    for (const internal of ['9600', '9200', '26500', '8086']) {
      expect(published.find((p) => p.port === internal)?.host).toBe(`127.0.0.1:${internal}`);
    }
    expect(services.postgres.ports).toBeUndefined();
  });

  it('when containers are recreated, then their data survives in declared named volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const mounts = (name: string) =>
      (services[name].volumes ?? []).map((v) => ({ source: v.split(':')[0], target: v.split(':')[1] }));
    for (const name of Object.keys(services)) {
      for (const { source } of mounts(name)) {
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declared).toContain(source);
      }
    }
    const named = (service: string, target: string) =>
      expect(mounts(service).find((m) => m.target === target && declared.includes(m.source))).toBeDefined();
    named('postgres', '/var/lib/postgresql/data');
    named('orchestration', '/usr/local/camunda/data');
    named('elasticsearch', '/usr/share/elasticsearch/data');
    named('app', env('app').DATA_DIR);
  });

  it('when every service is at its limit, then the heaps fit inside and the limits add up to the stated total', () => {
    const heaps: Record<string, number | undefined> = {
      orchestration: heapOf(env('orchestration').JAVA_TOOL_OPTIONS),
      elasticsearch: heapOf(env('elasticsearch').ES_JAVA_OPTS),
      connectors: heapOf(env('connectors').JAVA_TOOL_OPTIONS),
      app: heapOf(env('app').NODE_OPTIONS),
      workers: heapOf(env('workers').NODE_OPTIONS),
    };
    let total = 0;
    for (const [name, s] of Object.entries(services)) {
      expect({ name, limit: s.mem_limit }).toEqual({ name, limit: expect.any(String) });
      const limit = mebibytes(s.mem_limit!);
      total += limit;
      if (name in heaps) {
        expect({ name, heap: heaps[name] }).toEqual({ name, heap: expect.any(Number) });
        expect(heaps[name]!).toBeLessThan(limit);
      }
    }
    expect(compose['x-memory-total']).toBeDefined();
    expect(total).toBe(mebibytes(compose['x-memory-total']!));
    // the comment at the top and the guide state the same total
    expect(text).toContain(`add up to ${compose['x-memory-total']}`);
    expect(read('docs/DEPLOYMENT.md')).toContain(compose['x-memory-total']);
  });
});

describe('.env.example', () => {
  const text = read('docker-compose.yml');
  const example = parseEnvFile(read('.env.example'));

  it('when compose reads a variable, then .env.example lists it, and lists no other', () => {
    const used = [...variablesOf(text)].sort();
    expect(used.filter((v) => !(v in example))).toEqual([]);
    expect(Object.keys(example).filter((v) => !used.includes(v))).toEqual([]);
  });

  it('when a variable is required, then its example is a placeholder, not empty', () => {
    const required = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const name of required)
      expect({ name, value: example[name] }).toEqual({ name, value: expect.stringMatching(/./) });
    expect(required).toEqual(
      expect.arrayContaining([
        'POSTGRES_PASSWORD',
        'SESSION_SECRET',
        'PII_ENCRYPTION_KEY',
        'CAMUNDA_APP_PASSWORD',
        'PUBLIC_URL',
      ]),
    );
  });

  it('when .env is missing a required secret, then compose refuses to start, naming it', () => {
    const rest = Object.fromEntries(Object.entries(example).filter(([k]) => k !== 'SESSION_SECRET'));
    const compose = parse(text, { merge: true }) as Compose;
    expect(() => environmentOf(compose.services.app, rest)).toThrow(/SESSION_SECRET/);
  });

  it('is committed, and the real .env is ignored by git and docker', () => {
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['.env', 'node_modules', '.git']));
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^FROM\s/i.test(l));
  const runtime = lines.slice(stages[stages.length - 1]?.i ?? 0);
  const build = lines.slice(stages[0]?.i ?? 0, stages[1]?.i);

  it('when built, then it has a build stage with every dependency and the pages, and a runtime stage from pinned images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const { l } of stages) expect(l.split(/\s+/)[1]).toMatch(PINNED);
    expect(build.some((l) => /^RUN .*npm ci(?!.*--omit=dev)/.test(l))).toBe(true);
    expect(build.some((l) => /^RUN .*npm run build(\s|$)/.test(l))).toBe(true);
  });

  it('when it runs, then only production dependencies are installed, with the compiled app, the built pages and the models', () => {
    expect(runtime.some((l) => /^RUN .*npm ci .*--omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /^RUN .*npm ci(?!.*--omit=dev)/.test(l))).toBe(false);
    expect(runtime.some((l) => /^COPY --from=\S+ \S*dist\b/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY (\S+ )*bpmn\b/.test(l))).toBe(true);
    // no sources: the compiled JavaScript runs, without tsx
    for (const dir of ['server', 'api', 'engine', 'workers', 'platform', 'domain'])
      expect(runtime.some((l) => new RegExp(`^COPY (\\S+ )*${dir}\\b`).test(l))).toBe(false);
    expect(runtime.find((l) => /^CMD /.test(l))).toBe('CMD ["node", "dist/app/server/main.js"]');
  });

  it('when installed for production, then the browser packages, the build tools and tsx stay out', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    for (const name of [
      'tsx',
      'esbuild',
      'vite',
      'bpmn-js',
      'camunda-bpmn-js',
      'camunda-dmn-js',
      '@bpmn-io/form-js',
      'echarts',
      'qrcode',
    ])
      expect(pkg.dependencies[name]).toBeUndefined();
  });

  it('when it runs, then not as root, with the port exposed and a health check on the readiness endpoint', () => {
    const user = runtime.filter((l) => /^USER\s/.test(l)).pop();
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime).toContain('EXPOSE 3000');
    expect(runtime.find((l) => /^HEALTHCHECK /.test(l))).toMatch(/\/(readyz|healthz)/);
  });

  it('has a .dockerignore keeping local data and dependencies out of the context', () => {
    expect(existsSync(join(ROOT, '.dockerignore'))).toBe(true);
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data']));
  });
});
