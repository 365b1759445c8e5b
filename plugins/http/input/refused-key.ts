/**
 * The one rule for keys of job input, wherever it comes from (JSON bodies, XML-RPC structs,
 * dashboard forms): `__proto__`, and `constructor` holding a `prototype`, could poison the
 * prototypes of code that merges the input into its own objects. Fastify refuses the same keys.
 */
export function isRefusedKey(key: string, value: unknown): boolean {
  return key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype'));
}

/** Follows what holds it: "the body may not hold the key …". */
export const refusedKeyMessage = (key: string) => `may not hold the key "${key}" (it could poison prototypes)`;
