/**
 * What the client throws when a call fails: the server's answer (status, its error code and
 * message) or, with status 0 and code `connection_failed`, no answer at all.
 */
export class RemotetaskHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RemotetaskHttpError';
  }
}
