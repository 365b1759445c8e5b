/** What a `Range` header asks of a file of `size` bytes. */
export type RangeRequest =
  /** No range, or one to ignore (another unit, several ranges): send the whole file. */
  | { kind: 'whole' }
  /** Bytes `start`..`end`, both inclusive: 206. */
  | { kind: 'part'; start: number; end: number }
  /** A bytes range that is malformed or lies past the end: 416. */
  | { kind: 'unsatisfiable' };

/**
 * Reads a `Range` header (RFC 9110 §14) for a file of `size` bytes. One byte range is served;
 * other units are ignored, and so are several ranges at once (the whole file is a valid answer).
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!match) return { kind: 'whole' };
  const specs = match[1]!.split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length === 0) return { kind: 'unsatisfiable' };
  if (specs.length > 1) return { kind: 'whole' };
  const range = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (!range) return { kind: 'unsatisfiable' };
  const [, first, last] = range as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'unsatisfiable' };
  if (first === '') {
    // A suffix: the last n bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || (last !== '' && Number(last) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}
