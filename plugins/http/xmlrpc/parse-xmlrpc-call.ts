import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HttpError } from '../errors/http-error.js';
import { isRefusedKey, refusedKeyMessage } from '../input/refused-key.js';
import { decodeXmlText } from './decode-xml-text.js';
import { isDecimalNumber } from './is-decimal-number.js';
import { FAULT_CODES, XmlrpcFault } from './xmlrpc-fault.js';

export interface XmlrpcCall {
  methodName: string;
  params: unknown[];
}

/** fast-xml-parser's preserveOrder shape: `{ tag: children, ':@'?: attributes }`, `{ '#text': … }`, `{ '#cdata': [{ '#text': … }] }`. */
type XmlNode = Record<string, unknown>;

/** Nesting deeper than this is no job input anyone means, and would only cost stack. */
const MAX_DEPTH = 32;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // Entities stay as written; decodeXmlText decodes the predefined ones and refuses the rest.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Each level of values is three tags (value, array, data / value, struct, member) inside four of
  // the call's: deep enough for MAX_DEPTH and its clear message, the parser stops anything deeper.
  maxNestedTags: 4 + 3 * (MAX_DEPTH + 2),
});

const invalidCall = (message: string) => new XmlrpcFault(FAULT_CODES.INVALID_CALL, `not an XML-RPC call: ${message}`);

function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata');
}

function elementsOf(children: XmlNode[]): Array<{ tag: string; children: XmlNode[] }> {
  return children.flatMap((node) => {
    const tag = tagOf(node);
    return tag === undefined ? [] : [{ tag, children: node[tag] as XmlNode[] }];
  });
}

/** The text of an element without child elements: text decoded, CDATA as written. */
function textOf(children: XmlNode[], where: string): string {
  if (elementsOf(children).length > 0) throw invalidCall(`<${where}> holds elements where text belongs`);
  return children
    .map((node) =>
      '#cdata' in node ? ((node['#cdata'] as XmlNode[]).map((part) => String(part['#text'] ?? '')).join('')) : decodeXmlText(String(node['#text'] ?? '')),
    )
    .join('');
}

/** The only child element of `children` named `tag` (whitespace around it is fine). */
function onlyChild(children: XmlNode[], tag: string, parent: string): XmlNode[] {
  const elements = elementsOf(children);
  const found = elements.filter((element) => element.tag === tag);
  if (found.length !== 1 || elements.length !== 1) throw invalidCall(`<${parent}> must hold exactly one <${tag}>`);
  return found[0].children;
}

/** A value as a message shows it: a long one cut short. */
const shorten = (text: string, max = 40) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

function parseInteger(text: string, type: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalidCall(`<${type}>${shorten(text)}</${type}> is not a whole number`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw invalidCall(`<${type}>${shorten(trimmed)}</${type}> is beyond ±2^53, which JSON input cannot hold exactly`);
  return value;
}

function parseDouble(text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!isDecimalNumber(trimmed) || !Number.isFinite(value)) {
    throw invalidCall(`<double>${shorten(trimmed)}</double> is not a finite number`);
  }
  return value;
}

/** `19980717T14:08:55` (XML-RPC's form) or `1998-07-17T14:08:55` → `1998-07-17T14:08:55`, as text: job input is JSON. */
function parseDateTime(text: string): string {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match) throw invalidCall(`<dateTime.iso8601>${shorten(text)}</dateTime.iso8601> is not an ISO 8601 time like 19980717T14:08:55`);
  const [, year, month, day, hour, minute, second, fraction = '', zone = ''] = match;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone}`;
}

function parseValue(children: XmlNode[], depth: number): unknown {
  if (depth > MAX_DEPTH) throw invalidCall(`values are nested deeper than ${MAX_DEPTH} levels`);
  const elements = elementsOf(children);
  // A value without a type element is a string (XML-RPC's default), whitespace included.
  if (elements.length === 0) return textOf(children, 'value');
  if (elements.length > 1) throw invalidCall('a <value> holds one type element, e.g. <value><int>1</int></value>');
  const [{ tag, children: inner }] = elements;
  switch (tag) {
    case 'int':
    case 'i4':
    case 'i8':
      return parseInteger(textOf(inner, tag), tag);
    case 'boolean': {
      const text = textOf(inner, tag).trim();
      if (text !== '0' && text !== '1') throw invalidCall(`<boolean>${text}</boolean> must be 0 or 1`);
      return text === '1';
    }
    case 'string':
      return textOf(inner, tag);
    case 'double':
      return parseDouble(textOf(inner, tag));
    case 'dateTime.iso8601':
      return parseDateTime(textOf(inner, tag));
    case 'base64': {
      // Job input is JSON: bytes travel as their base64 text.
      const text = textOf(inner, tag).replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw invalidCall('<base64> holds something that is not base64');
      return text;
    }
    case 'nil':
      if (inner.length > 0 && textOf(inner, tag).trim() !== '') throw invalidCall('<nil/> must be empty');
      return null;
    case 'struct':
      return Object.fromEntries(
        elementsOf(inner).map((member) => {
          if (member.tag !== 'member') throw invalidCall(`<struct> holds <${member.tag}>; only <member> belongs there`);
          const parts = elementsOf(member.children);
          const name = parts.filter((part) => part.tag === 'name');
          const value = parts.filter((part) => part.tag === 'value');
          if (name.length !== 1 || value.length !== 1 || parts.length !== 2) throw invalidCall('a <member> holds one <name> and one <value>');
          const key = textOf(name[0].children, 'name');
          const parsed = parseValue(value[0].children, depth + 1);
          if (isRefusedKey(key, parsed)) throw invalidCall(`a <struct> ${refusedKeyMessage(key)}`);
          return [key, parsed];
        }),
      );
    case 'array': {
      const data = onlyChild(inner, 'data', 'array');
      return elementsOf(data).map((item) => {
        if (item.tag !== 'value') throw invalidCall(`<data> holds <${item.tag}>; only <value> belongs there`);
        return parseValue(item.children, depth + 1);
      });
    }
    default:
      throw invalidCall(`<${tag}> is not an XML-RPC type (int, i4, i8, boolean, string, double, dateTime.iso8601, base64, struct, array, nil)`);
  }
}

/**
 * Reads an XML-RPC `<methodCall>`. XML that is not well-formed, or has a DOCTYPE or entity
 * declarations (the door to XXE and billion-laughs expansion), is refused with an HttpError 400
 * before it is parsed; well-formed XML that is no valid call is an XmlrpcFault (-32600).
 */
export function parseXmlrpcCall(xml: string): XmlrpcCall {
  // `<!` starts only comments, CDATA and declarations; declarations are what we refuse.
  const declaration = /<!(?!--|\[CDATA\[)\s*([A-Za-z]*)/.exec(xml);
  if (declaration) {
    throw new HttpError(
      400,
      'xml_declarations_refused',
      `XML with a DOCTYPE or entity declarations is refused (found <!${declaration[1]}): XML-RPC needs neither, and they allow entity-expansion and XXE attacks`,
    );
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    // The parser's message may quote the document (every open tag): a few hundred characters say enough.
    throw new HttpError(400, 'invalid_xml', `the body is not well-formed XML: ${shorten(msg, 300)} (line ${line}${col ? `, column ${col}` : ''})`);
  }
  let document: XmlNode[];
  try {
    document = parser.parse(xml) as XmlNode[];
  } catch (error) {
    throw new HttpError(400, 'invalid_xml', `the body is not well-formed XML: ${shorten((error as Error).message, 300)}`);
  }
  const roots = elementsOf(document);
  if (roots.length !== 1 || roots[0].tag !== 'methodCall') {
    throw invalidCall(`the document must be one <methodCall>, got ${roots.map((root) => `<${root.tag}>`).join(', ') || 'no element'}`);
  }
  const parts = elementsOf(roots[0].children);
  const nameElements = parts.filter((part) => part.tag === 'methodName');
  if (nameElements.length !== 1) throw invalidCall('<methodCall> must hold one <methodName>');
  const methodName = textOf(nameElements[0].children, 'methodName').trim();
  if (!/^[A-Za-z0-9_.:/]+$/.test(methodName)) throw invalidCall(`"${shorten(methodName)}" is not a method name`);
  const paramsElements = parts.filter((part) => part.tag === 'params');
  if (paramsElements.length > 1 || parts.length !== 1 + paramsElements.length) {
    throw invalidCall('<methodCall> holds one <methodName> and at most one <params>');
  }
  const params = paramsElements.length === 0
    ? []
    : elementsOf(paramsElements[0].children).map((param) => {
        if (param.tag !== 'param') throw invalidCall(`<params> holds <${param.tag}>; only <param> belongs there`);
        return parseValue(onlyChild(param.children, 'value', 'param'), 1);
      });
  return { methodName, params };
}
