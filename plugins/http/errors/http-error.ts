const HTTP_ERROR = Symbol.for('remotetask.http.HttpError');

/** An error the API answers with its own status and code: `{ error: { code, message, details? } }`. */
export class HttpError extends Error {
  readonly [HTTP_ERROR] = true;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /**
   * Recognised by a brand, not `instanceof`: a plugin loaded through another module graph (tsx's
   * loader, its own copy of remotetask) throws its own copy of this class.
   */
  static is(error: unknown): error is HttpError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[HTTP_ERROR] === true;
  }
}
