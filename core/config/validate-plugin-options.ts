import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../tasks/task.js';
import { ajv, keyPath, schemaProblems } from './schema-problems.js';

/** What a plugin says its options may hold (see `Plugin.options`). */
export interface OptionsSpec {
  schema: JsonSchema;
  check?(options: never, key: (...segments: (string | number)[]) => string): string[];
}

const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(spec: OptionsSpec): ValidateFunction {
  const key = typeof spec.schema === 'object' ? spec.schema : spec;
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(spec.schema)));
  return validate;
}

/**
 * Checks a plugin's options against its spec; `at` is where they sit in the config (`['http']`,
 * or `['plugins', 2, 1]`). Returns one message per problem, each naming its key, as the config's
 * own checks do.
 */
export function validatePluginOptions(spec: OptionsSpec | undefined, options: unknown, at: (string | number)[]): string[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return [`${keyPath(at)} must be an object of the plugin's options, got ${JSON.stringify(options)}`];
  }
  if (!spec) return [];
  const problems = schemaProblems(validatorOf(spec), options, at);
  // The semantic checks may assume the shape: they run once it is right.
  if (problems.length > 0 || !spec.check) return problems;
  return spec.check(options as never, (...segments) => keyPath([...at, ...segments]));
}
