import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../plugins/http/errors/http-error.js';
import { parseXmlrpcCall } from '../plugins/http/xmlrpc/parse-xmlrpc-call.js';
import { escapeXml, serializeXmlrpcFault, serializeXmlrpcResponse } from '../plugins/http/xmlrpc/serialize-xmlrpc-response.js';
import { FAULT_CODES, XmlrpcFault } from '../plugins/http/xmlrpc/xmlrpc-fault.js';

const call = (params: string, method = 'add') =>
  `<?xml version="1.0"?>\n<methodCall>\n  <methodName>${method}</methodName>\n  <params>${params}</params>\n</methodCall>`;
const param = (value: string) => `<param><value>${value}</value></param>`;

/** The first parameter of a call holding one value. */
const valueOf = (value: string) => parseXmlrpcCall(call(param(value))).params[0];

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseXmlrpcCall', () => {
  it('reads the method name and every parameter', () => {
    expect(parseXmlrpcCall(call(param('<string>echo</string>') + param('<int>7</int>')))).toEqual({ methodName: 'add', params: ['echo', 7] });
    expect(parseXmlrpcCall('<methodCall><methodName>listMethods</methodName></methodCall>')).toEqual({ methodName: 'listMethods', params: [] });
  });

  it('reads every XML-RPC type', () => {
    expect(valueOf('<int>-12</int>')).toBe(-12);
    expect(valueOf('<i4>42</i4>')).toBe(42);
    expect(valueOf('<i8>9007199254740991</i8>')).toBe(9007199254740991);
    expect(valueOf('<boolean>1</boolean>')).toBe(true);
    expect(valueOf('<boolean>0</boolean>')).toBe(false);
    expect(valueOf('<double>-1.5e3</double>')).toBe(-1500);
    for (const [text, value] of [['5.', 5], ['.5', 0.5], ['+.5E-1', 0.05], [' 7 ', 7], ['0', 0]] as const) expect(valueOf(`<double>${text}</double>`), text).toBe(value);
    for (const text of ['.', 'e5', '1e', '1e+', '1.2.3', '--1', '0x10', '1_0', 'Infinity', '1e400', '']) {
      expect((thrown(() => valueOf(`<double>${text}</double>`)) as XmlrpcFault).faultString, text).toMatch(/is not a finite number/);
    }
    expect(valueOf('<string>  spaced  </string>')).toBe('  spaced  ');
    expect(valueOf('untyped text')).toBe('untyped text');
    expect(valueOf('')).toBe('');
    expect(valueOf('<string/>')).toBe('');
    expect(valueOf('<nil/>')).toBeNull();
    expect(valueOf('<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>')).toBe('1998-07-17T14:08:55');
    expect(valueOf('<base64>aGVs\n bG8=</base64>')).toBe('aGVsbG8=');
    expect(valueOf('<array><data><value><int>1</int></value><value>two</value><value><array><data/></array></value></data></array>')).toEqual([1, 'two', []]);
    expect(valueOf('<struct><member><name>a</name><value><int>1</int></value></member><member><name>b</name><value><struct></struct></value></member></struct>')).toEqual({ a: 1, b: {} });
  });

  it('decodes the predefined entities and character references, and keeps CDATA as written', () => {
    expect(valueOf('<string>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#60; &#x3E; &#x1F600;</string>')).toBe(`a & b <c> "d" 'e' < > 😀`);
    expect(valueOf('<string><![CDATA[<raw> &amp;]]> tail</string>')).toBe('<raw> &amp; tail');
    expect(valueOf('<string>line&#13;\nnext</string>')).toBe('line\r\nnext');
  });

  it('refuses a struct member named __proto__, or constructor with a prototype, as the REST API refuses such keys', () => {
    for (const [name, inner] of [['__proto__', '<int>1</int>'], ['constructor', '<struct><member><name>prototype</name><value><int>1</int></value></member></struct>']]) {
      const fault = thrown(() => valueOf(`<struct><member><name>${name}</name><value>${inner}</value></member></struct>`)) as XmlrpcFault;
      expect(fault).toBeInstanceOf(XmlrpcFault);
      expect(fault.faultCode).toBe(-32600);
      expect(fault.faultString).toMatch(new RegExp(`may not hold the key "${name}"`));
    }
    // The word alone is no threat: a member "constructor" holding a string is kept.
    expect(valueOf('<struct><member><name>constructor</name><value><string>x</string></value></member></struct>')).toEqual({ constructor: 'x' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a DOCTYPE before parsing anything, billion laughs included', () => {
    const lol = '<!ENTITY lol "lol">' + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${lol}]><methodCall><methodName>add</methodName><params>${param('<string>&lol9;</string>')}</params></methodCall>`;
    const error = thrown(() => parseXmlrpcCall(bomb)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('xml_declarations_refused');
    expect(error.message).toMatch(/DOCTYPE or entity declarations is refused/);
  });

  it('refuses external entities (XXE) and entity declarations without a DOCTYPE keyword too', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>`;
    expect((thrown(() => parseXmlrpcCall(xxe)) as HttpError).code).toBe('xml_declarations_refused');
    expect((thrown(() => parseXmlrpcCall('<!ENTITY a "b"><methodCall/>')) as HttpError).code).toBe('xml_declarations_refused');
  });

  it('refuses entities it does not know instead of expanding them', () => {
    const error = thrown(() => valueOf('<string>&lol;</string>')) as HttpError;
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/the entity &lol; is not defined/);
    expect((thrown(() => valueOf('<string>a & b</string>')) as HttpError).message).toMatch(/not well-formed XML/);
    expect((thrown(() => valueOf('<string>&#0;</string>')) as HttpError).message).toMatch(/not a character XML allows/);
  });

  it('says where XML is not well-formed', () => {
    const error = thrown(() => parseXmlrpcCall('<methodCall><methodName>add</methodName>\n<params></methodCall>')) as HttpError;
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('invalid_xml');
    expect(error.message).toMatch(/not well-formed XML: .*line 2/);
    expect((thrown(() => parseXmlrpcCall('not xml at all')) as HttpError).code).toBe('invalid_xml');
  });

  it('answers well-formed XML that is no XML-RPC call with fault -32600', () => {
    const cases = [
      '<methodResponse/>',
      '<methodCall><params/></methodCall>',
      call(param('<int>one</int>')),
      call(param('<boolean>yes</boolean>')),
      call(param('<double>NaN</double>')),
      call(param('<i8>99999999999999999999</i8>')),
      call(param('<date>today</date>')),
      call(param('<int>1</int><int>2</int>')),
      call(param('<struct><member><name>a</name></member></struct>')),
      call('<param><value>a</value><value>b</value></param>'),
      call(param('<nil>x</nil>')),
    ];
    for (const xml of cases) {
      const fault = thrown(() => parseXmlrpcCall(xml)) as XmlrpcFault;
      expect(fault, xml).toBeInstanceOf(XmlrpcFault);
      expect(fault.faultCode).toBe(FAULT_CODES.INVALID_CALL);
      expect(fault.faultString).toMatch(/^not an XML-RPC call: /);
    }
  });

  it('refuses values nested beyond 32 levels rather than recursing without end', () => {
    const nested = (levels: number) => '<array><data><value>'.repeat(levels) + 'x' + '</value></data></array>'.repeat(levels);
    expect(valueOf(nested(30))).toEqual(JSON.parse('['.repeat(30) + '"x"' + ']'.repeat(30)));
    expect((thrown(() => valueOf(nested(33))) as XmlrpcFault).faultString).toMatch(/nested deeper than 32 levels/);
    const error = thrown(() => valueOf(nested(5000))) as HttpError;
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/Maximum nested tags exceeded/);
  });
});

describe('serializing responses', () => {
  const parser = new XMLParser({ parseTagValue: false, trimValues: false });

  it('writes JSON values as XML-RPC values', () => {
    const xml = serializeXmlrpcResponse({ n: 1, big: 2 ** 40, x: 1.5, t: true, s: 'a', none: null, list: [1, 'b'] });
    expect(xml).toContain('<member><name>n</name><value><int>1</int></value></member>');
    expect(xml).toContain(`<member><name>big</name><value><i8>${2 ** 40}</i8></value></member>`);
    expect(xml).toContain('<member><name>x</name><value><double>1.5</double></value></member>');
    expect(xml).toContain('<member><name>t</name><value><boolean>1</boolean></value></member>');
    expect(xml).toContain('<member><name>none</name><value><nil/></value></member>');
    expect(xml).toContain('<array><data><value><int>1</int></value><value><string>b</string></value></data></array>');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><params><param><value>')).toBe(true);
  });

  it('escapes markup, keeps carriage returns and replaces characters XML cannot carry', () => {
    expect(escapeXml('<a href="x">&</a>')).toBe('&lt;a href="x"&gt;&amp;&lt;/a&gt;');
    expect(escapeXml('line\r\nnext')).toBe('line&#13;\nnext');
    expect(escapeXml('bell\u0007 lone\uD800 pair😀')).toBe('bell\uFFFD lone\uFFFD pair😀');
    const tricky = '</string></value><value><int>1</int>';
    const parsed = parser.parse(serializeXmlrpcResponse(tricky));
    expect(parsed.methodResponse.params.param.value.string).toBe(tricky);
    expect(parseXmlrpcCall(call(param(serializeXmlrpcResponse(tricky).match(/<value>(.*)<\/value>/)![1]))).params[0]).toBe(tricky);
  });

  it('writes faults with faultCode and faultString', () => {
    const xml = serializeXmlrpcFault(1, 'job 9 <does not> exist');
    expect(xml).toContain('<fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member>');
    expect(xml).toContain('<member><name>faultString</name><value><string>job 9 &lt;does not&gt; exist</string></value></member>');
  });
});
