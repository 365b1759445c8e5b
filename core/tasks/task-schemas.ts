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

function problemsOf(schema: JsonSchema | undefined, value: unknown): SchemaProblem[] {
  if (schema === undefined) return [];
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => ({
    path: error.instancePath,
    message:
      error.keyword === 'additionalProperties'
        ? `unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`
        : (error.message ?? 'is invalid'),
  }));
}

/** Checks input against the task's input schema; returns the problems (empty when it fits). */
export function validateTaskInput(task: Task, input: unknown): SchemaProblem[] {
  return problemsOf(task.inputSchema, input);
}

/** Checks a result against the task's output schema; returns the problems (empty when it fits). */
export function validateTaskOutput(task: Task, result: unknown): SchemaProblem[] {
  return problemsOf(task.outputSchema, result);
}
