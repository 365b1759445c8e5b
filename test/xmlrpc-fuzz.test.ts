/**
 * The XML-RPC endpoint fed generated documents over a real socket for a bounded time: nested
 * values, long numbers, odd encodings, entities, CDATA and random damage. Every answer is a
 * well-formed methodResponse (a result or a fault) or a JSON error of the API, never a 500, each
 * within a generous bound; the server is healthy afterwards. 1 MiB values show that reading a
 * document takes linear time: a quadratic check takes minutes on them, here each is answered
 * within the same bound while a health check waits behind it.
 *
 * REMOTETASK_FUZZ_MS runs it longer (default 4 s); REMOTETASK_FUZZ_SEED replays a run.
 */
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedTestKernel, serveHttpTestKernel } from './helpers/http-test-kernel.js';

const FUZZ_MS = Number(process.env.REMOTETASK_FUZZ_MS ?? 4_000);
const SEED = Number(process.env.REMOTETASK_FUZZ_SEED ?? Date.now() % 1_000_000);
/** Far above a linear read of 1 MiB on a loaded machine, far below a quadratic one (minutes). */
const ANSWER_BOUND_MS = 5_000;
const MIB = 1024 * 1024;

let served: ServedTestKernel;
let base: string;

beforeAll(async () => {
  served = await serveHttpTestKernel({ http: { bodyLimit: MIB + 4096 } });
  base = served.base;
});
afterAll(async () => {
  await served?.close();
});

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}
type Random = ReturnType<typeof generator>;

const TEXTS = ['plain', '', '  spaced  ', 'a &amp; b', '&lt;tag&gt;', '&#x1F600;', '&#0;', '&bogus;', '& bare', 'äöü €', '\u0001', '<![CDATA[<raw>]]>', ']]>', '&#xD800;', '\uFEFF'];
const NUMBERS = ['0', '-1', '+7', '2147483648', '9007199254740993', '1.5', '.5', '5.', '-1e10', '1e400', 'NaN', 'Infinity', '0x10', '1_000', '', ' 3 '];

function digits(random: Random, length: number): string {
  let text = '';
  while (text.length < length) text += String(random.int(1e9)).padStart(9, '0');
  return text.slice(0, length);
}

function value(random: Random, depth: number): string {
  const kind = depth > 40 ? random.int(6) : random.int(9);
  switch (kind) {
    case 0:
      return `<int>${random.next() < 0.2 ? digits(random, 1 + random.int(5000)) : random.pick(NUMBERS)}</int>`;
    case 1:
      return `<double>${random.next() < 0.3 ? `${digits(random, random.int(4000))}${random.pick(['', '.', 'e', 'x', '.5e+3', 'e-'])}${digits(random, random.int(50))}` : random.pick(NUMBERS)}</double>`;
    case 2:
      return `<string>${random.pick(TEXTS)}</string>`;
    case 3:
      return random.pick(['<boolean>1</boolean>', '<boolean>2</boolean>', '<nil/>', '<nil>x</nil>', '<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>', '<dateTime.iso8601>yesterday</dateTime.iso8601>']);
    case 4:
      return random.pick(['<base64>aGVsbG8=</base64>', '<base64>not base64!</base64>', `<base64>${'QUJD'.repeat(random.int(2000))}</base64>`]);
    case 5:
      return random.pick(TEXTS);
    case 6:
    case 7: {
      const members = Array.from({ length: random.int(4) }, () => {
        const name = random.pick(['a', 'b', '__proto__', 'constructor', 'prototype', '', 'x&amp;y']);
        return `<member><name>${name}</name><value>${value(random, depth + 1)}</value></member>`;
      });
      return `<struct>${members.join('')}</struct>`;
    }
    default:
      return `<array><data>${Array.from({ length: random.int(4) }, () => `<value>${value(random, depth + 1)}</value>`).join('')}</data></array>`;
  }
}

/** Nested far past the limit in one chain: arrays in arrays, or structs in structs. */
function deep(random: Random): string {
  const levels = 20 + random.int(200);
  const [open, close] = random.next() < 0.5
    ? ['<array><data><value>', '</value></data></array>']
    : ['<struct><member><name>n</name><value>', '</value></member></struct>'];
  return `${open.repeat(levels)}<int>1</int>${close.repeat(levels)}`;
}

function document(random: Random): string {
  const method = random.pick(['add', 'add', 'getStatus', 'getResult', 'listMethods', 'system.methodHelp', 'nope', '', 'a b', '&amp;']);
  const params = Array.from({ length: random.int(3) }, () => `<param><value>${random.next() < 0.1 ? deep(random) : value(random, 1)}</value></param>`);
  const declaration = random.pick(['', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="UTF-16"?>', '\uFEFF<?xml version="1.0"?>', '<!DOCTYPE x>']);
  let xml = `${declaration}<methodCall><methodName>${method}</methodName><params>${params.join('')}</params></methodCall>`;
  // Damage some: cut it short, drop or insert a character.
  const damage = random.int(8);
  if (damage === 0) xml = xml.slice(0, random.int(xml.length));
  else if (damage === 1) {
    const at = random.int(xml.length);
    xml = xml.slice(0, at) + xml.slice(at + 1);
  } else if (damage === 2) {
    const at = random.int(xml.length);
    xml = xml.slice(0, at) + random.pick(['<', '>', '&', '"', ']]>', '<!--', '\u0000', '\uFFFF', '<?pi?>']) + xml.slice(at);
  }
  return xml;
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function post(xml: string | Buffer, contentType = 'text/xml'): Promise<Answer> {
  const response = await fetch(`${base}/xmlrpc/@RootTaskService`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: xml,
    signal: AbortSignal.timeout(ANSWER_BOUND_MS),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** An answer the endpoint may give: a well-formed methodResponse (HTTP 200), or the API's JSON error for a 4xx. */
function expectWellFormed(answer: Answer, input: string): void {
  const context = `seed ${SEED}, input: ${input.slice(0, 300)}`;
  if (answer.status === 200) {
    expect(answer.type, context).toMatch(/^text\/xml/);
    expect(XMLValidator.validate(answer.text), context).toBe(true);
    expect(answer.text, context).toMatch(/<methodResponse>(<params><param><value>|<fault><value><struct>)/);
    expect(answer.text, context).not.toMatch(/<int>-32603<\/int>/); // the internal-error fault
  } else {
    expect([400, 413, 415], `${answer.status} ${answer.text.slice(0, 300)} — ${context}`).toContain(answer.status);
    const { error } = JSON.parse(answer.text);
    expect(typeof error.code, context).toBe('string');
    expect(error.message.length, context).toBeLessThan(2000);
  }
}

async function healthy(): Promise<void> {
  const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(ANSWER_BOUND_MS) });
  expect(response.status).toBe(200);
}

describe('XML-RPC fuzzing', () => {
  it(`answers every generated document with a response, a fault or a 4xx, within ${ANSWER_BOUND_MS} ms each (seed ${SEED})`, async () => {
    const random = generator(SEED);
    const end = Date.now() + FUZZ_MS;
    let sent = 0;
    while (Date.now() < end || sent < 50) {
      const xml = document(random);
      expectWellFormed(await post(xml), xml);
      sent++;
    }
    // Raw bytes: a UTF-16 body and invalid UTF-8.
    for (const bytes of [Buffer.from('<methodCall><methodName>listMethods</methodName></methodCall>', 'utf16le'), Buffer.from([0x3c, 0xff, 0xfe, 0x3e, 0xc3, 0x28])]) {
      expectWellFormed(await post(bytes), bytes.toString('hex'));
    }
    await healthy();
    expect(sent).toBeGreaterThanOrEqual(50);
  }, FUZZ_MS + 60_000);

  const wrap = (inner: string) => `<methodCall><methodName>add</methodName><params><param><value><string>echo</string></value></param><param><value>${inner}</value></param></params></methodCall>`;
  const room = MIB - wrap('').length - 64;
  const huge: Record<string, string> = {
    'a <double> of 1 MiB of digits that ends wrong': wrap(`<double>${'1'.repeat(room)}x</double>`),
    'a <double> of 1 MiB of digits': wrap(`<double>${'1'.repeat(room)}</double>`),
    'a <double> of 1 MiB of digits around a point and an exponent': wrap(`<double>${'1'.repeat(room / 2)}.${'1'.repeat(room / 2 - 8)}e+1x</double>`),
    'an <int> of 1 MiB of digits': wrap(`<int>${'9'.repeat(room)}</int>`),
    'a <dateTime.iso8601> of 1 MiB of digits': wrap(`<dateTime.iso8601>${'1'.repeat(room)}</dateTime.iso8601>`),
    'a <string> of 1 MiB of entities': wrap(`<string>${'&amp;'.repeat(Math.floor(room / 5))}</string>`),
    'a <base64> of 1 MiB with a bad end': wrap(`<base64>${'QUJD'.repeat(Math.floor(room / 4) - 1)}QU!=</base64>`),
    'a method name of 1 MiB of spaces': `<methodCall><methodName>${' '.repeat(room)}a b</methodName></methodCall>`,
    'a tag name of 1 MiB': `<${'a'.repeat(room)}>`,
    '1 MiB of "<"': '<'.repeat(room),
  };
  for (const [name, xml] of Object.entries(huge)) {
    it(`reads ${name} in linear time: answered, and a health check behind it too`, async () => {
      expect(xml.length).toBeGreaterThan(MIB - 1024);
      expect(xml.length).toBeLessThanOrEqual(MIB);
      const [answer] = await Promise.all([post(xml), healthy()]);
      expectWellFormed(answer, xml);
      if (answer.status === 200) expect(answer.text).toMatch(/<fault>|<int>\d+<\/int>/);
      await healthy();
    }, 4 * ANSWER_BOUND_MS);
  }
});
