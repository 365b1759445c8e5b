const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);
/** PostgreSQL's "not now": shutting down, starting up, crashed, too many connections (class 08: the connection failed). */
const SERVER_NOT_READY = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * Whether an error is the store's server not being reachable (down, restarting, refusing
 * connections): it may come up later, so a boot waits and a request gets a 503, not a 500.
 */
export function isStoreUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_NOT_READY.has(code) || code.startsWith('08'))) return true;
    if (/is not reachable|Connection terminated|timeout exceeded when trying to connect/i.test(cause.message)) return true;
  }
  return false;
}
