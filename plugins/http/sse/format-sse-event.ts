/** One Server-Sent Event: `event: <name>`, its `id:` when given, its data on `data:` lines, ended by a blank line. */
export function formatSseEvent(name: string, data: unknown, id?: string): string {
  const lines = JSON.stringify(data).split('\n');
  return `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}${lines.map((line) => `data: ${line}`).join('\n')}\n\n`;
}

/** A comment line: clients ignore it; proxies see traffic and keep the connection open. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/\n/g, ' ')}\n\n`;
}
