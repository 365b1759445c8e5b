import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-error.js';

/**
 * Replaces fastify's JSON parser so a malformed body is answered with what is wrong and where
 * (fastify's own says only "not valid JSON"). Keys that could poison prototypes are refused, as
 * fastify does.
 */
export function parseJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(new HttpError(400, 'invalid_json', 'the body is empty but its content-type is application/json'), undefined);
      return;
    }
    try {
      // The reviver costs a call per value: only a body that could name such a key needs it. A
      // \u escape can spell one ("\u005f_proto__"), so any escape sends the body through it too.
      const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
      done(null, suspicious ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text));
    } catch (error) {
      if (error instanceof HttpError) done(error, undefined);
      else done(new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)) {
    throw new HttpError(400, 'invalid_json', `the body may not hold the key "${key}"`);
  }
  return value;
}
