import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

type Schema = Record<string, unknown>;

const OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: true, strict: false } as const;

/** A JSON body has its own types: nothing is coerced (`["echo"]` is no string, `"5"` no number). */
const bodyAjv = addFormats.default(new Ajv({ ...OPTIONS, coerceTypes: false }));
/** A path or query holds only text: numbers and booleans are read from it, one value becomes a list. */
const textAjv = addFormats.default(new Ajv({ ...OPTIONS, coerceTypes: 'array' }));

const INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;
const NUMBER = /^-?(0|[1-9][0-9]{0,15})(\.[0-9]{1,16})?$/;

const typesOf = (schema: Schema | undefined): unknown[] => {
  const type = schema?.type;
  return Array.isArray(type) ? type : [type];
};

/**
 * Ajv reads `0x10`, `1e3` and ` 7` as numbers; a path or query number is written in plain decimals
 * here, so a typo is an error rather than another job's id. The problems found, as Ajv's errors.
 */
function plainNumberProblems(schema: Schema, data: unknown): ErrorObject[] {
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties || typeof data !== 'object' || data === null) return [];
  const problems: ErrorObject[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const value = (data as Record<string, unknown>)[name];
    const items = Array.isArray(value) ? value : [value];
    const itemSchema = typesOf(property).includes('array') ? (property.items as Schema | undefined) : property;
    const types = typesOf(itemSchema);
    const pattern = types.includes('integer') ? INTEGER : types.includes('number') ? NUMBER : undefined;
    if (!pattern) continue;
    if (items.some((item) => typeof item === 'string' && !pattern.test(item))) {
      problems.push({
        instancePath: `/${name}`,
        schemaPath: `#/properties/${name}`,
        keyword: 'type',
        params: {},
        message: `must be a ${pattern === INTEGER ? 'whole number' : 'number'} in plain decimal digits (at most 16), got "${String(items.find((item) => typeof item === 'string' && !pattern.test(item)))}"`,
      });
    }
  }
  return problems;
}

/** Fastify's request validation with these two rules; the error handler words the problems. */
export const strictValidatorCompiler: FastifySchemaCompiler<Schema> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return bodyAjv.compile(schema);
  const validate: ValidateFunction = textAjv.compile(schema);
  const checked = (data: unknown): boolean => {
    const problems = plainNumberProblems(schema, data);
    const valid = problems.length === 0 && validate(data);
    checked.errors = problems.length > 0 ? problems : validate.errors;
    return valid;
  };
  checked.errors = null as ErrorObject[] | null | undefined;
  return checked;
};
