/** One Server-Sent Event as it came over the wire. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when it had none. */
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads a text/event-stream body into events, per the HTML standard's parsing rules: `field: value`
 * lines (one optional space after the colon), comments (`:`), `data` lines joined by newlines, an
 * event dispatched at each blank line, CRLF, CR or LF line ends.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
      let lineEnd: RegExpExecArray | null;
      const lineBreak = /\r\n|\r(?!$)|\n/g;
      let consumed = 0;
      while ((lineEnd = lineBreak.exec(buffer)) !== null) {
        const line = buffer.slice(consumed, lineEnd.index);
        consumed = lineEnd.index + lineEnd[0].length;
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), ...(id === undefined ? {} : { id }) };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'id' && !fieldValue.includes('\0')) id = fieldValue;
      }
      buffer = buffer.slice(consumed);
      if (done) return;
    }
  } finally {
    // Ends the response when the consumer stops early (break, return, throw).
    await reader.cancel().catch(() => {});
  }
}
