const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Escapes text for XML element content. A carriage return is written as a reference so parsers
 * keep it; characters XML 1.0 cannot carry at all (most control characters, lone surrogates)
 * become U+FFFD.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** A JSON value as XML-RPC: null → nil, whole numbers → int (i8 beyond 32 bits), objects → struct. */
export function serializeXmlrpcValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil/>';
  switch (typeof value) {
    case 'boolean':
      return `<boolean>${value ? 1 : 0}</boolean>`;
    case 'number':
      if (Number.isInteger(value)) return value >= INT32_MIN && value <= INT32_MAX ? `<int>${value}</int>` : Number.isSafeInteger(value) ? `<i8>${value}</i8>` : `<double>${value}</double>`;
      return `<double>${Number.isFinite(value) ? value : 0}</double>`;
    case 'string':
      return `<string>${escapeXml(value)}</string>`;
    case 'object':
      if (Array.isArray(value)) {
        return `<array><data>${value.map((item) => `<value>${serializeXmlrpcValue(item)}</value>`).join('')}</data></array>`;
      }
      return `<struct>${Object.entries(value)
        .map(([name, member]) => `<member><name>${escapeXml(name)}</name><value>${serializeXmlrpcValue(member)}</value></member>`)
        .join('')}</struct>`;
    default:
      return `<string>${escapeXml(String(value))}</string>`;
  }
}

export function serializeXmlrpcResponse(value: unknown): string {
  return `${XML_DECLARATION}<methodResponse><params><param><value>${serializeXmlrpcValue(value)}</value></param></params></methodResponse>\n`;
}

export function serializeXmlrpcFault(faultCode: number, faultString: string): string {
  return `${XML_DECLARATION}<methodResponse><fault><value>${serializeXmlrpcValue({ faultCode, faultString })}</value></fault></methodResponse>\n`;
}
