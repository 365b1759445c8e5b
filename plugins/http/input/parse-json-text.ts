import { isRefusedKey, refusedKeyMessage } from './refused-key.js';

/** Deeper than this is no job input anyone means; JSON.parse and the schema checks recurse. */
export const MAX_JSON_DEPTH = 64;

/** JSON text that is refused; the message follows what holds it: "the body is not valid JSON: …". */
export class JsonTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonTextError';
  }
}

/** How deeply arrays and objects nest in JSON text: one pass, strings skipped. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: the next character is escaped
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x5d || char === 0x7d) depth--;
  }
  return deepest;
}

function refuseKeys(key: string, value: unknown): unknown {
  if (isRefusedKey(key, value)) throw new JsonTextError(refusedKeyMessage(key));
  return value;
}

/**
 * Parses JSON text as job input: nesting deeper than {@link MAX_JSON_DEPTH} and prototype keys are
 * refused with a JsonTextError, as is text that is not JSON (with JSON.parse's words).
 */
export function parseJsonText(text: string): unknown {
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new JsonTextError(`nests arrays and objects ${depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted`);
  // The reviver costs a call per value: only text that could name such a key needs it. A \u
  // escape can spell one ("\u005f_proto__"), so any escape sends the text through it too.
  const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, refuseKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof JsonTextError) throw error;
    throw new JsonTextError(`is not valid JSON: ${(error as Error).message}`);
  }
}
