/**
 * The one configuration module: every setting the system reads, typed, documented and validated at start.
 * Defaults make `npm start` work on one machine with nothing configured (embedded engine, embedded PGlite).
 * A bad value stops the start with a message naming the setting and what is allowed.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const httpUrl = z
  .string()
  .url('must be a URL such as http://host:8080')
  .refine((v) => /^https?:\/\//.test(v), 'must start with http:// or https://');

const postgresUrl = z
  .string()
  .refine(
    (v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v),
    'must be a URL such as postgres://user:password@host:5432/database',
  )
  .refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid URL');

/** Every setting, with its documentation. The README's configuration table is checked against this list. */
export const settings = {
  NODE_ENV: {
    schema: z.enum(['development', 'test', 'production']).default('development'),
    doc: 'development | test | production. Production refuses built-in secrets and does not seed demo data.',
  },
  HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    doc: 'Interface the server listens on (0.0.0.0 in containers).',
  },
  PORT: { schema: port.default(3000), doc: 'HTTP port of the app (0 picks a free one).' },
  PUBLIC_URL: {
    schema: httpUrl.optional(),
    doc: 'Address residents and staff reach the app at, used in rating links. Default http://localhost:PORT.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'Log level of the structured (JSON) logs.',
  },
  DATABASE_URL: {
    schema: postgresUrl.optional(),
    doc: 'PostgreSQL server (postgres://user:password@host:5432/db). Unset: embedded PGlite in DATA_DIR.',
  },
  DATABASE_PREPARED_STATEMENTS: {
    schema: bool.default(true),
    doc: "Send the app's SQL as named (prepared) statements, parsed and planned once per connection. Turn off behind a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).",
  },
  DATA_DIR: {
    schema: z.string().min(1).default('.data'),
    doc: 'Folder for the embedded database, generated development keys and attachments.',
  },
  ENGINE: {
    schema: z.enum(['embedded', 'camunda']).default('embedded'),
    doc: 'embedded: the built-in engine serves /v2 on this server. camunda: a Camunda 8.8 cluster at ZEEBE_REST_ADDRESS.',
  },
  ZEEBE_REST_ADDRESS: {
    schema: httpUrl.optional(),
    doc: 'Camunda REST address (the SDK appends /v2). Required when ENGINE=camunda; embedded: this server.',
  },
  CAMUNDA_AUTH_STRATEGY: {
    schema: z.enum(['NONE', 'BASIC', 'OAUTH', 'BEARER']).default('BASIC'),
    doc: 'How the SDK authenticates to the engine. The embedded engine accepts BASIC with ENGINE_API_USERNAME/PASSWORD.',
  },
  CAMUNDA_BASIC_AUTH_USERNAME: { schema: z.string().optional(), doc: 'SDK basic-auth user (Camunda cluster).' },
  CAMUNDA_BASIC_AUTH_PASSWORD: { schema: z.string().optional(), doc: 'SDK basic-auth password (Camunda cluster).' },
  CAMUNDA_OAUTH_URL: { schema: httpUrl.optional(), doc: 'OAuth token URL for CAMUNDA_AUTH_STRATEGY=OAUTH.' },
  CAMUNDA_CLIENT_ID: { schema: z.string().optional(), doc: 'OAuth client id for CAMUNDA_AUTH_STRATEGY=OAUTH.' },
  CAMUNDA_CLIENT_SECRET: { schema: z.string().optional(), doc: 'OAuth client secret for CAMUNDA_AUTH_STRATEGY=OAUTH.' },
  CAMUNDA_TOKEN_AUDIENCE: { schema: z.string().optional(), doc: 'OAuth audience for CAMUNDA_AUTH_STRATEGY=OAUTH.' },
  ENGINE_API_USERNAME: {
    schema: z.string().min(1).default('engine'),
    doc: 'Embedded engine: the user its /v2 API accepts (basic auth). Only the app and its workers hold it.',
  },
  ENGINE_API_PASSWORD: {
    schema: z.string().min(12, 'must be at least 12 characters').optional(),
    doc: 'Embedded engine: the password of ENGINE_API_USERNAME. Unset: generated and kept in DATA_DIR (not in production).',
  },
  ENGINE_STEP_THREAD: {
    schema: bool.default(true),
    doc: "Embedded engine: run the process instances' steps on a thread of their own within ENGINE_STEP_BUDGET_MS, so that a step that runs away does not hold up the requests this process answers (false: on the same thread, no budget).",
  },
  ENGINE_STEP_BUDGET_MS: {
    schema: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(100, 'must be at least 100 (a cold step of the petition model takes tens of milliseconds)')
      .max(600_000, 'must be at most 600000 (ten minutes)')
      .default(5000),
    doc: "Embedded engine with ENGINE_STEP_THREAD: the longest one step of one instance may run (ms); past it the step thread is ended, a new one takes the other instances' steps, and the step becomes an incident on its instance.",
  },
  SESSION_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    doc: 'Signs session cookies. Unset: generated and kept in DATA_DIR (required in production).',
  },
  PII_ENCRYPTION_KEY: {
    schema: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (a 256-bit key)')
      .optional(),
    doc: 'AES-256 key (64 hex chars) encrypting ID and phone numbers. Unset: generated and kept in DATA_DIR (required in production).',
  },
  SMS_PROVIDER: {
    schema: z.enum(['outbox', 'http', 'aliyun']).default('outbox'),
    doc: 'outbox: messages are kept for staff to read. http: a generic HTTP gateway. aliyun: Alibaba Cloud SMS.',
  },
  SMS_HTTP_URL: { schema: httpUrl.optional(), doc: 'Generic SMS gateway endpoint (SMS_PROVIDER=http).' },
  SMS_HTTP_TOKEN: { schema: z.string().optional(), doc: 'Bearer token for the generic SMS gateway.' },
  ALIYUN_SMS_ACCESS_KEY_ID: {
    schema: z.string().optional(),
    doc: 'Alibaba Cloud SMS access key id (SMS_PROVIDER=aliyun).',
  },
  ALIYUN_SMS_ACCESS_KEY_SECRET: { schema: z.string().optional(), doc: 'Alibaba Cloud SMS access key secret.' },
  ALIYUN_SMS_SIGN_NAME: { schema: z.string().optional(), doc: 'Alibaba Cloud SMS signature (签名).' },
  ALIYUN_SMS_TEMPLATE_CODE: {
    schema: z.string().optional(),
    doc: 'Alibaba Cloud SMS template code (SMS_…) of an approved template whose whole content is the variable ${content}.',
  },
  ALIYUN_SMS_ENDPOINT: { schema: httpUrl.default('https://dysmsapi.aliyuncs.com'), doc: 'Alibaba Cloud SMS endpoint.' },
  WORKERS_IN_APP: {
    schema: bool.optional(),
    doc: 'Run the job workers inside the app. Default: true with ENGINE=embedded, false with ENGINE=camunda (use `npm run workers`).',
  },
  APP_PROCESSES: {
    schema: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1 or more')
      .max(64, 'must be 64 or fewer')
      .default(1),
    doc: 'Processes answering on PORT (one per core helps when reads are the load). The first runs the engine, the workers and the start-up tasks; the others answer requests, reading from the database and passing commands to the first. Above 1 needs PostgreSQL (DATABASE_URL).',
  },
  MAX_REQUESTS_IN_FLIGHT: {
    schema: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .default(128),
    doc: 'API requests one process works on at once; past it a request is refused at once with 503 and Retry-After rather than queued for seconds (0: no limit).',
  },
  DEPLOY_MODELS: {
    schema: bool.default(true),
    doc: 'Deploy the models, decisions and forms on start: the version an admin deployed last from the modeler, else the file in bpmn/ (idempotent: unchanged ones are not new versions).',
  },
  DEMO_SEED: {
    schema: bool.optional(),
    doc: 'Seed a demo community on an empty database. Default: true outside production, never in production.',
  },
  BUSINESS_TIMEZONE: {
    schema: z.string().default('Asia/Shanghai'),
    doc: 'Time zone of deadlines and working days.',
  },
  METRICS_TOKEN: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    doc: 'Bearer token Prometheus sends to scrape GET /metrics (Authorization: Bearer <token>). Unset: there is no /metrics (404).',
  },
} as const;

type Settings = typeof settings;
export type RawConfig = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export interface Config extends RawConfig {
  PUBLIC_URL: string;
  DEMO_SEED: boolean;
  WORKERS_IN_APP: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const shape = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.schema])) as {
  [K in keyof Settings]: Settings[K]['schema'];
};

/** Reads and validates the configuration from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most deployment tools.
  const input = Object.fromEntries(Object.keys(settings).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0]);
        const got = input[key];
        const shown =
          key.includes('SECRET') || key.includes('PASSWORD') || key.includes('KEY') || key.includes('TOKEN')
            ? '(hidden)'
            : JSON.stringify(got);
        return `${key} ${i.message} (got ${shown})`;
      }),
    );
  }
  const raw = parsed.data as RawConfig;
  const problems: string[] = [];
  const production = raw.NODE_ENV === 'production';
  if (raw.ENGINE === 'camunda' && !raw.ZEEBE_REST_ADDRESS) {
    problems.push('ZEEBE_REST_ADDRESS is required when ENGINE=camunda (e.g. http://camunda:8080)');
  }
  if (raw.CAMUNDA_AUTH_STRATEGY === 'OAUTH') {
    for (const k of ['CAMUNDA_OAUTH_URL', 'CAMUNDA_CLIENT_ID', 'CAMUNDA_CLIENT_SECRET'] as const) {
      if (!raw[k]) problems.push(`${k} is required when CAMUNDA_AUTH_STRATEGY=OAUTH`);
    }
  }
  if (raw.ENGINE === 'camunda' && raw.CAMUNDA_AUTH_STRATEGY === 'BASIC') {
    for (const k of ['CAMUNDA_BASIC_AUTH_USERNAME', 'CAMUNDA_BASIC_AUTH_PASSWORD'] as const) {
      if (!raw[k]) problems.push(`${k} is required when ENGINE=camunda and CAMUNDA_AUTH_STRATEGY=BASIC`);
    }
  }
  if (raw.APP_PROCESSES > 1 && !raw.DATABASE_URL) {
    problems.push(
      'APP_PROCESSES above 1 needs PostgreSQL (DATABASE_URL): the embedded PGlite database can be opened by one process only',
    );
  }
  if (raw.SMS_PROVIDER === 'http' && !raw.SMS_HTTP_URL)
    problems.push('SMS_HTTP_URL is required when SMS_PROVIDER=http');
  if (raw.SMS_PROVIDER === 'aliyun') {
    for (const k of [
      'ALIYUN_SMS_ACCESS_KEY_ID',
      'ALIYUN_SMS_ACCESS_KEY_SECRET',
      'ALIYUN_SMS_SIGN_NAME',
      'ALIYUN_SMS_TEMPLATE_CODE',
    ] as const) {
      if (!raw[k]) problems.push(`${k} is required when SMS_PROVIDER=aliyun`);
    }
  }
  if (production) {
    for (const k of ['SESSION_SECRET', 'PII_ENCRYPTION_KEY'] as const) {
      if (!raw[k]) problems.push(`${k} is required when NODE_ENV=production`);
    }
    if (raw.ENGINE === 'embedded' && !raw.ENGINE_API_PASSWORD) {
      problems.push('ENGINE_API_PASSWORD is required when NODE_ENV=production and ENGINE=embedded');
    }
    if (raw.DEMO_SEED === true) problems.push('DEMO_SEED cannot be true when NODE_ENV=production');
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw.BUSINESS_TIMEZONE });
  } catch {
    problems.push(`BUSINESS_TIMEZONE must be an IANA time zone such as Asia/Shanghai (got "${raw.BUSINESS_TIMEZONE}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...raw,
    PUBLIC_URL: raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`,
    DEMO_SEED: raw.DEMO_SEED ?? !production,
    WORKERS_IN_APP: raw.WORKERS_IN_APP ?? raw.ENGINE === 'embedded',
  };
}
