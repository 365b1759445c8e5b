import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema, Task } from './task.js';

export interface SchemaProblem {
  /** JSON pointer into the input, `` for the input itself. */
  path: string;
  message: string;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  if (typeof schema === 'boolean') return ajv.compile(schema);
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Checks input against the task's input schema; returns the problems (empty when it fits). */
export function validateTaskInput(task: Task, input: unknown): SchemaProblem[] {
  if (task.inputSchema === undefined) return [];
  const validate = validatorFor(task.inputSchema);
  if (validate(input)) return [];
  return (validate.errors ?? []).map((error) => ({
    path: error.instancePath,
    message:
      error.keyword === 'additionalProperties'
        ? `unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`
        : (error.message ?? 'is invalid'),
  }));
}
