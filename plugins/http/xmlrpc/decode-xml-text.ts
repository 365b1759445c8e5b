import { HttpError } from '../errors/http-error.js';

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const notWellFormed = (message: string) => new HttpError(400, 'invalid_xml', `the body is not well-formed XML: ${message}`);

function isXmlChar(point: number): boolean {
  return point === 0x9 || point === 0xa || point === 0xd || (point >= 0x20 && point <= 0xd7ff) || (point >= 0xe000 && point <= 0xfffd) || (point >= 0x10000 && point <= 0x10ffff);
}

/**
 * Decodes the five predefined entities and character references of XML text. The parser is told to
 * leave entities alone so that no other entity is ever expanded: any other name is an error.
 */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<\s]*)(;?)/g, (whole, name: string, semicolon: string) => {
    if (!semicolon) throw notWellFormed(`a bare "&" in text (write it as &amp;)`);
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name];
    const hex = /^#x([0-9a-fA-F]{1,6})$/.exec(name);
    const decimal = /^#([0-9]{1,7})$/.exec(name);
    if (hex || decimal) {
      const point = hex ? parseInt(hex[1], 16) : parseInt(decimal![1], 10);
      if (!isXmlChar(point)) throw notWellFormed(`the character reference ${whole} is not a character XML allows`);
      return String.fromCodePoint(point);
    }
    throw notWellFormed(`the entity ${whole} is not defined (only &amp; &lt; &gt; &quot; &apos; and character references are)`);
  });
}
