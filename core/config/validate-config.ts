import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { ScheduleError, validateSchedule } from '../jobs/validate-schedule.js';
import { parseDirective } from '../service/parse-directive.js';
import { ConfigError } from './config-error.js';
import type { RemotetaskConfig } from './define-config.js';

const positiveInteger = { type: 'integer', minimum: 1 };
const milliseconds = { type: 'number', minimum: 0 };

const cronJobSchema = {
  type: 'object',
  required: ['task'],
  additionalProperties: false,
  properties: {
    task: { type: 'string', minLength: 1 },
    input: true,
    minute: true,
    hour: true,
    dayOfMonth: true,
    month: true,
    dayOfWeek: true,
    cron: true,
    tz: true,
  },
};

const serviceProperties = {
  processor: { enum: ['simple', 'multi'] },
  maxConcurrency: positiveInteger,
  maxAttempts: positiveInteger,
  backoff: {
    type: 'object',
    additionalProperties: false,
    properties: { base: milliseconds, factor: { type: 'number', minimum: 1 }, max: milliseconds },
  },
  leaseMs: { type: 'integer', minimum: 100 },
  pollInterval: { type: 'integer', minimum: 10 },
  stopTimeout: milliseconds,
  abortGrace: milliseconds,
  timeout: { type: 'integer', minimum: 1 },
  isolation: {
    type: 'object',
    additionalProperties: false,
    properties: { threads: positiveInteger, processes: positiveInteger, memoryLimitMb: { type: 'integer', minimum: 16 } },
  },
  missedCron: { enum: ['run-once', 'skip'] },
};

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    store: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['sqlite', 'memory', 'postgres'] } },
      allOf: [
        {
          if: { properties: { kind: { const: 'sqlite' } } },
          then: { required: ['path'], additionalProperties: false, properties: { kind: true, path: { type: 'string', minLength: 1 } } },
        },
        {
          if: { properties: { kind: { const: 'memory' } } },
          then: { additionalProperties: false, properties: { kind: true } },
        },
        {
          if: { properties: { kind: { const: 'postgres' } } },
          then: {
            required: ['url'],
            additionalProperties: false,
            properties: { kind: true, url: { type: 'string', minLength: 1 }, schema: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$' }, poolSize: positiveInteger },
          },
        },
      ],
    },
    plugins: { type: 'array' },
    sites: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          services: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              properties: { ...serviceProperties, cron: { type: 'array', items: cronJobSchema } },
            },
          },
        },
      },
    },
    autostart: { type: 'array', items: { type: 'string' } },
    defaults: { type: 'object', additionalProperties: false, properties: serviceProperties },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: { level: { enum: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] }, format: { enum: ['pretty', 'json'] } },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        bodyLimit: positiveInteger,
        allowedHosts: { type: 'array', items: { type: 'string', minLength: 1 } },
        allowedOrigins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/]+$' } },
        trustProxy: { type: ['boolean', 'string', 'array'], items: { type: 'string' } },
        users: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['role'],
            additionalProperties: false,
            properties: {
              role: { enum: ['manager', 'viewer'] },
              passwordHash: { type: 'string', pattern: '^scrypt\\$' },
              passwordEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
              tokenHash: { type: 'string', pattern: '^(scrypt|sha256)\\$' },
              tokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            },
          },
        },
      },
    },
  },
};

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
const validateShape = ajv.compile(configSchema);

/** `sites.site1.services.X`, with `[""]` for keys that are not identifiers (the root site). */
export function keyPath(segments: (string | number)[]): string {
  return segments
    .map((segment, index) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(segment)
          ? `${index === 0 ? '' : '.'}${segment}`
          : `[${JSON.stringify(segment)}]`,
    )
    .join('');
}

function segmentsOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(error: ErrorObject): string {
  const at = segmentsOf(error.instancePath);
  const key = keyPath(at) || '(the config)';
  const got = JSON.stringify(error.data);
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return `${keyPath([...at, unknown])}: unknown key "${unknown}"${allowed.length ? ` (known keys: ${allowed.join(', ')})` : ''}`;
    }
    case 'enum':
      return `${key} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'required':
      return `${keyPath([...at, (error.params as { missingProperty: string }).missingProperty])} is required`;
    case 'type':
      return `${key} must be ${(error.params as { type: string }).type === 'integer' ? 'a whole number' : `of type ${(error.params as { type: string }).type}`}, got ${got}`;
    case 'minimum':
    case 'maximum':
      return `${key} must be ${error.keyword === 'minimum' ? '>=' : '<='} ${(error.params as { limit: number }).limit}, got ${got}`;
    default:
      return `${key} ${error.message}${error.data === undefined ? '' : `, got ${got}`}`;
  }
}

/** Checks a config's shape and meaning; throws a ConfigError naming the file and every bad key. */
export function validateConfig(config: unknown, file?: string): RemotetaskConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(file, [`the config must be an object, got ${JSON.stringify(config)}`]);
  }
  const problems: string[] = [];
  if (!validateShape(config)) {
    const seen = new Set<string>();
    for (const error of validateShape.errors ?? []) {
      // `if`/`then` wrappers repeat what the inner errors already say.
      if (error.keyword === 'if' || error.keyword === 'allOf') continue;
      const message = describe(error);
      if (!seen.has(message)) problems.push(message), seen.add(message);
    }
  }
  const typed = config as RemotetaskConfig;
  for (const [site, siteConfig] of Object.entries(typed.sites ?? {})) {
    if (site !== '' && !/^[\w.-]+$/.test(site)) {
      problems.push(`${keyPath(['sites', site])}: a site name may hold letters, digits, "_", "." and "-" ("" is the root site)`);
    }
    for (const [service, serviceConfig] of Object.entries(siteConfig?.services ?? {})) {
      if (!/^[\w.-]+$/.test(service)) {
        problems.push(`${keyPath(['sites', site, 'services', service])}: a service name may hold letters, digits, "_", "." and "-"`);
      }
      const cron = (serviceConfig as { cron?: unknown[] }).cron ?? [];
      cron.forEach((entry, index) => {
        if (typeof entry !== 'object' || entry === null) return;
        const { task: _task, input: _input, ...schedule } = entry as Record<string, unknown>;
        try {
          if ('delay' in schedule) throw new ScheduleError('a declared cron job takes field lists or a cron expression, not a delay');
          validateSchedule(schedule);
        } catch (error) {
          if (!(error instanceof ScheduleError)) throw error;
          problems.push(`${keyPath(['sites', site, 'services', service, 'cron', index])}: ${error.message}`);
        }
      });
    }
  }
  for (const [user, userConfig] of Object.entries(typed.http?.users ?? {})) {
    if (typeof userConfig !== 'object' || userConfig === null) continue;
    if (!/^[^:\s]+$/.test(user)) {
      problems.push(`${keyPath(['http', 'users', user])}: a user name may not be empty or hold ":" or spaces (HTTP Basic cannot send them)`);
    }
    const { passwordHash, passwordEnv, tokenHash, tokenEnv } = userConfig;
    if (passwordHash === undefined && passwordEnv === undefined && tokenHash === undefined && tokenEnv === undefined) {
      problems.push(`${keyPath(['http', 'users', user])} needs passwordHash, passwordEnv, tokenHash or tokenEnv`);
    }
    if (passwordHash !== undefined && passwordEnv !== undefined) {
      problems.push(`${keyPath(['http', 'users', user])}: give passwordHash or passwordEnv, not both`);
    }
    if (tokenHash !== undefined && tokenEnv !== undefined) {
      problems.push(`${keyPath(['http', 'users', user])}: give tokenHash or tokenEnv, not both`);
    }
  }
  (typed.autostart ?? []).forEach((directive, index) => {
    if (typeof directive !== 'string') return;
    try {
      parseDirective(directive);
    } catch (error) {
      problems.push(`${keyPath(['autostart', index])}: ${(error as Error).message}`);
    }
  });
  (Array.isArray(typed.plugins) ? typed.plugins : []).forEach((spec, index) => {
    const plugin = Array.isArray(spec) ? spec[0] : spec;
    const options = Array.isArray(spec) ? spec[1] : undefined;
    const isPluginObject = typeof plugin === 'object' && plugin !== null && typeof (plugin as { register?: unknown }).register === 'function';
    if (!(typeof plugin === 'string' && plugin.length > 0) && !isPluginObject) {
      problems.push(`${keyPath(['plugins', index])} must be a plugin name, a path, a plugin object or [plugin, options], got ${JSON.stringify(spec)}`);
    } else if (Array.isArray(spec) && (spec.length !== 2 || typeof options !== 'object' || options === null || Array.isArray(options))) {
      problems.push(`${keyPath(['plugins', index])} must be [plugin, { options }]`);
    }
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return typed;
}
