const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Connection failures read as such, with the server (`host:port`) but without the URL's password. */
export function explainError(server: string, error: unknown): unknown {
  if (!isUnreachable(error)) return error;
  return new Error(`PostgreSQL at ${server} is not reachable: ${reasonOf(error as Error)}`, { cause: error });
}

function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  return /Connection terminated|timeout expired|connection timeout/i.test(error.message);
}

/** Node reports "localhost" refusals as an AggregateError whose own message is empty. */
function reasonOf(error: Error): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  return error.message || String((error as { code?: unknown }).code ?? error.name);
}

/** `host:port` of the URL, never its password. */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || decodeURIComponent(parsed.searchParams.get('host') ?? '') || 'localhost';
    return `${host}:${parsed.port || '5432'}`;
  } catch {
    return 'the configured URL';
  }
}
