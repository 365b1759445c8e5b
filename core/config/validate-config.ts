import { ScheduleError, validateSchedule } from '../jobs/validate-schedule.js';
import { parseDirective } from '../service/parse-directive.js';
import { ConfigError } from './config-error.js';
import { ajv, keyPath, schemaProblems } from './schema-problems.js';
import { retentionProblems } from '../service/retention/retention-options.js';
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
  // Checked by retentionProblems (durations like "7d" need more than a schema says).
  retention: true,
  // Fleet-wide limits by task name (docs/limits-and-queues.md); the service checks them again.
  limits: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      anyOf: [{ required: ['concurrency'] }, { required: ['rate'] }],
      properties: {
        concurrency: positiveInteger,
        rate: {
          type: 'object',
          required: ['count', 'per'],
          additionalProperties: false,
          properties: {
            count: positiveInteger,
            per: { anyOf: [positiveInteger, { type: 'string', pattern: '^[0-9]{1,9}(ms|s|m|h)$' }] },
          },
        },
        partitionBy: { type: 'string', minLength: 1 },
      },
    },
  },
};

/** Core's own keys; any other key is a plugin's (see validatePluginOptions, at boot). */
const configSchema = {
  type: 'object',
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
  },
};

const validateShape = ajv.compile(configSchema);

/** Checks a config's shape and meaning; throws a ConfigError naming the file and every bad key. */
export function validateConfig(config: unknown, file?: string): RemotetaskConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(file, [`the config must be an object, got ${JSON.stringify(config)}`]);
  }
  const problems = schemaProblems(validateShape, config);
  const typed = config as RemotetaskConfig;
  for (const [site, siteConfig] of Object.entries(typed.sites ?? {})) {
    if (site !== '' && !/^[\w.-]+$/.test(site)) {
      problems.push(`${keyPath(['sites', site])}: a site name may hold letters, digits, "_", "." and "-" ("" is the root site)`);
    }
    for (const [service, serviceConfig] of Object.entries(siteConfig?.services ?? {})) {
      if (!/^[\w.-]+$/.test(service)) {
        problems.push(`${keyPath(['sites', site, 'services', service])}: a service name may hold letters, digits, "_", "." and "-"`);
      }
      if (serviceConfig?.retention !== undefined) {
        problems.push(...retentionProblems(serviceConfig.retention, keyPath(['sites', site, 'services', service, 'retention'])));
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
  if (typed.defaults?.retention !== undefined) problems.push(...retentionProblems(typed.defaults.retention, 'defaults.retention'));
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
