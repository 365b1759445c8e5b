/** Small helpers shared by the benchmark's workloads and adapters. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds, fractional, monotonic. */
export const now = () => performance.now();

/** The p-th percentile (0..100) of the samples, nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passed; returns whether it became true. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 2): Promise<boolean> {
  const end = now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (now() > end) return false;
    await sleep(everyMs);
  }
}

/** Runs `fn` with a deadline; rejects with a clear message when it passes. */
export async function withDeadline<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The payload every job carries: small, like a real job's reference to its work (`{"n": i}`), or
 * padded to about `bytes` of JSON for the large-payload workload.
 */
export const payload = (i: number, bytes = 0) => (bytes > 0 ? { n: i, pad: 'x'.repeat(Math.max(0, bytes - 20)) } : { n: i });

/**
 * Where no-op tasks report that they started: every adapter's task calls `ran()`. The counter
 * lives in this process, so counting runs costs the systems under test nothing.
 */
export const probe = {
  runs: 0,
  /** How long each task waits (an I/O-bound task), in ms; 0: a no-op task, which returns at once. */
  taskMs: 0,
  waiters: [] as { at: number; resolve: (t: number) => void }[],
  /** A task started: counted, and a promise of its wait when tasks wait (undefined otherwise: no-op tasks stay synchronous). */
  ran(): Promise<void> | undefined {
    this.count();
    return this.taskMs > 0 ? sleep(this.taskMs) : undefined;
  },
  count(): void {
    const t = now();
    this.runs++;
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => this.runs >= w.at);
      if (ready.length > 0) {
        this.waiters = this.waiters.filter((w) => this.runs < w.at);
        for (const w of ready) w.resolve(t);
      }
    }
  },
  reset(taskMs = 0): void {
    this.runs = 0;
    this.taskMs = taskMs;
    this.waiters = [];
  },
  /** Resolves with the time the `count`-th run started. */
  untilRuns(count: number): Promise<number> {
    if (this.runs >= count) return Promise.resolve(now());
    return new Promise((resolve) => this.waiters.push({ at: count, resolve }));
  },
};

export function fmt(n: number | undefined | null, digits = 0): string {
  if (n === undefined || n === null || Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
