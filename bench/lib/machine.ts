import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { sleep } from './util.js';

function cpuTimes() {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** The share of the machine's CPU time (0..1) that was busy over `ms`. */
export async function busyShare(ms = 500): Promise<number> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  const total = b.total - a.total;
  return total <= 0 ? 0 : 1 - (b.idle - a.idle) / total;
}

/**
 * Waits (up to `maxWaitMs`) until other work on the machine is below `threshold` busy, so that a
 * measurement does not share the two cores with a test suite. Returns the busy share last seen.
 */
export async function waitForQuiet(threshold = 0.2, maxWaitMs = 30_000): Promise<number> {
  const end = Date.now() + maxWaitMs;
  let share = await busyShare(maxWaitMs > 0 ? 300 : 100);
  while (share > threshold && Date.now() < end) share = await busyShare(500);
  return share;
}

export function describeMachine() {
  const tryRun = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', timeout: 5_000 }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    kernel: tryRun('uname', ['-sr']),
  };
}
