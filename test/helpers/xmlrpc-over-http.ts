import { XMLParser } from 'fast-xml-parser';

/** A value as XML-RPC request text: whole numbers as <int>, null as <nil/>, objects as <struct>. */
export function xmlrpcValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil/>';
  if (typeof value === 'boolean') return `<boolean>${value ? 1 : 0}</boolean>`;
  if (typeof value === 'number') return Number.isInteger(value) ? `<int>${value}</int>` : `<double>${value}</double>`;
  if (typeof value === 'string') return `<string>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string>`;
  if (Array.isArray(value)) return `<array><data>${value.map((item) => `<value>${xmlrpcValue(item)}</value>`).join('')}</data></array>`;
  return `<struct>${Object.entries(value as Record<string, unknown>)
    .map(([name, member]) => `<member><name>${name}</name><value>${xmlrpcValue(member)}</value></member>`)
    .join('')}</struct>`;
}

export function xmlrpcCall(method: string, params: unknown[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((param) => `<param><value>${xmlrpcValue(param)}</value></param>`)
    .join('')}</params></methodCall>`;
}

const parser = new XMLParser({ parseTagValue: false });

/** An XML-RPC response value read back into JSON values. */
function toJs(value: Record<string, unknown>): unknown {
  const [type] = Object.keys(value);
  const inner = value[type] as never;
  switch (type) {
    case 'int':
    case 'i4':
    case 'i8':
    case 'double':
      return Number(inner);
    case 'boolean':
      return inner === '1';
    case 'nil':
      return null;
    case 'string':
      return inner === undefined ? '' : String(inner);
    case 'array': {
      const data = (inner as { data: { value?: unknown } }).data?.value;
      return (data === undefined ? [] : Array.isArray(data) ? data : [data]).map((item) => toJs(item as Record<string, unknown>));
    }
    case 'struct': {
      const members = (inner as { member?: unknown }).member;
      const list = (members === undefined ? [] : Array.isArray(members) ? members : [members]) as Array<{ name: string; value: Record<string, unknown> }>;
      return Object.fromEntries(list.map((member) => [member.name, toJs(member.value)]));
    }
    default:
      return inner;
  }
}

/** An XML-RPC response body read back into its value, or its fault as { faultCode, faultString }. */
export function readXmlrpcResponse(body: string): Omit<XmlrpcAnswer, 'status'> {
  const parsed = parser.parse(body).methodResponse;
  if (parsed.fault) return { fault: toJs(parsed.fault.value) as XmlrpcAnswer['fault'] };
  return { value: toJs(parsed.params.param.value) };
}

export interface XmlrpcAnswer {
  /** The HTTP status: 200 for values and faults alike. */
  status: number;
  value?: unknown;
  fault?: { faultCode: number; faultString: string };
}

/** Calls `method` at `endpoint` (`http://…/xmlrpc/{address}`) over HTTP, with `authorization` when given. */
export async function callXmlrpc(endpoint: string, method: string, params: unknown[] = [], authorization?: string): Promise<XmlrpcAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', ...(authorization ? { authorization } : {}) },
    body: xmlrpcCall(method, params),
  });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status };
  return { status: 200, ...readXmlrpcResponse(text) };
}
