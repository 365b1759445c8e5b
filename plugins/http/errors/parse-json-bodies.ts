import type { FastifyInstance } from 'fastify';
import { JsonTextError, parseJsonText } from '../input/parse-json-text.js';
import { HttpError } from './http-error.js';

/**
 * Replaces fastify's JSON parser so a malformed body is answered with what is wrong and where
 * (fastify's own says only "not valid JSON"). Keys that could poison prototypes, and nesting no
 * input needs, are refused.
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
      done(null, parseJsonText(text));
    } catch (error) {
      if (error instanceof JsonTextError) done(new HttpError(400, 'invalid_json', `the body ${error.message}`), undefined);
      else done(error as Error, undefined);
    }
  });
}
