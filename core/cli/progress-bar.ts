const WIDTH = 30;

/** `[#########---------------]  30% converting` */
export function formatProgressBar(fraction: number, message?: string): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(clamped * WIDTH);
  const percent = `${Math.round(clamped * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent}${message ? ` ${message}` : ''}`;
}

/**
 * Shows a job's progress on a stream (stderr): redrawn in place on a terminal, one line per change
 * otherwise (logs, pipes, tests).
 */
export class ProgressBar {
  #shown = false;
  #last = '';

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr) {}

  update(fraction: number, message?: string): void {
    const line = formatProgressBar(fraction, message);
    if (line === this.#last) return;
    this.#last = line;
    this.#shown = true;
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Clears the bar on a terminal, so what follows starts on a clean line. */
  done(): void {
    if (this.#shown && this.stream.isTTY) this.stream.write('\r\x1b[2K');
    this.#shown = false;
  }
}
