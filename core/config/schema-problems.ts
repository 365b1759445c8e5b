import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** Checks configs: every error, with the data it was about (for "got …"). */
export const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });

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

/** One schema problem as a sentence naming its key; `prefix` is where the checked object sits in the config. */
export function describeSchemaError(error: ErrorObject, prefix: (string | number)[] = []): string {
  const at = [...prefix, ...segmentsOf(error.instancePath)];
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

/** What `validate` found wrong with `value`, one sentence per problem, each naming its key under `prefix`. */
export function schemaProblems(validate: ValidateFunction, value: unknown, prefix: (string | number)[] = []): string[] {
  if (validate(value)) return [];
  const problems = new Set<string>();
  for (const error of validate.errors ?? []) {
    // `if`/`then` wrappers repeat what the inner errors already say.
    if (error.keyword === 'if' || error.keyword === 'allOf') continue;
    problems.add(describeSchemaError(error, prefix));
  }
  return [...problems];
}
