import type { Results, Sizes } from './results.js';
import { fmt } from './util.js';

export interface Target {
  target: string;
  measured: string;
  ratio: number | null;
  met: boolean | null;
}

/** The project's targets, judged on one run's results. */
export function targets(results: Results, sizes: Sizes): Target[] {
  const t = results.throughput;
  const out: Target[] = [];
  const best = (ids: string[], c: number) => Math.max(...ids.map((id) => t[id]?.[c]?.jobsPerSecond ?? Number.NaN).filter((n) => !Number.isNaN(n)));
  for (const c of sizes.concurrencies) {
    const rt = t['remotetask-pg']?.[c]?.jobsPerSecond;
    const gw = best(['graphile-worker', 'graphile-worker-batched'], c);
    if (rt !== undefined && Number.isFinite(gw)) {
      out.push({ target: `PostgreSQL throughput ≥ graphile-worker's best, c=${c}`, measured: `${fmt(rt)} vs ${fmt(gw)} jobs/s`, ratio: rt / gw, met: rt >= gw });
    }
    const boss = t['pg-boss']?.[c]?.jobsPerSecond;
    if (rt !== undefined && boss !== undefined) {
      out.push({ target: `PostgreSQL throughput ≥ 3× pg-boss's, c=${c}`, measured: `${fmt(rt)} vs ${fmt(boss)} jobs/s`, ratio: rt / boss, met: rt >= 3 * boss });
    }
  }
  for (const c of sizes.concurrencies) {
    const rt = t['remotetask-sqlite']?.[c]?.jobsPerSecond;
    const pj = t['plainjob']?.[c]?.jobsPerSecond;
    if (rt !== undefined && pj !== undefined) {
      out.push({ target: `SQLite throughput ≥ 2× plainjob's, c=${c}`, measured: `${fmt(rt)} vs ${fmt(pj)} jobs/s`, ratio: rt / pj, met: rt >= 2 * pj });
    }
  }
  const rt32 = t['remotetask-sqlite']?.[32]?.jobsPerSecond;
  if (rt32 !== undefined) out.push({ target: 'SQLite throughput ≥ 20,000 jobs/s at c=32', measured: `${fmt(rt32)} jobs/s`, ratio: rt32 / 20_000, met: rt32 >= 20_000 });
  const l = results.latency;
  const gwP50 = Math.min(...['graphile-worker', 'graphile-worker-batched'].map((id) => l[id]?.p50 ?? Number.NaN).filter((n) => !Number.isNaN(n)));
  if (l['remotetask-pg'] && Number.isFinite(gwP50)) {
    out.push({ target: "PostgreSQL add-to-start p50 ≤ graphile-worker's", measured: `${fmt(l['remotetask-pg'].p50, 2)} vs ${fmt(gwP50, 2)} ms`,
      ratio: l['remotetask-pg'].p50 / gwP50, met: l['remotetask-pg'].p50 <= gwP50 });
  }
  if (l['remotetask-sqlite']) {
    out.push({ target: 'SQLite add-to-start p50 < 2 ms', measured: `${fmt(l['remotetask-sqlite'].p50, 2)} ms`, ratio: l['remotetask-sqlite'].p50 / 2, met: l['remotetask-sqlite'].p50 < 2 });
  }
  const h = results.http;
  if (h?.['remotetask-sqlite'] && h['fastify-hello']) {
    const ratio = h['remotetask-sqlite'].requestsPerSecond / h['fastify-hello'].requestsPerSecond;
    out.push({ target: 'REST job submission ≥ ½ the hello-world req/s', measured: `${fmt(h['remotetask-sqlite'].requestsPerSecond)} vs ${fmt(h['fastify-hello'].requestsPerSecond)} req/s`, ratio, met: ratio >= 0.5 });
  }
  for (const id of ['remotetask-pg', 'remotetask-sqlite']) {
    const full = results.finished[id]?.jobsPerSecond;
    const empty = t[id]?.[32]?.jobsPerSecond;
    if (full !== undefined && empty !== undefined) {
      out.push({ target: `${id}: throughput with ${sizes.finished.toLocaleString('en-US')} finished jobs ≥ 80% of empty (c=32)`,
        measured: `${fmt(full)} vs ${fmt(empty)} jobs/s`, ratio: full / empty, met: full >= 0.8 * empty });
    }
  }
  const m = results.memory;
  const big = m?.[String(sizes.memoryJobs)];
  const tenth = m?.[String(sizes.memoryJobs / 10)];
  if (big && tenth && m?.['0']) {
    // Independent of the jobs stored: ten times the jobs may not cost more than 10 MiB more (SQLite's
    // page cache, at most 16 MiB, fills up to its bound with the first hundred thousand jobs).
    // The peak resident size (VmHWM), not the current one: the kernel may have reclaimed pages since.
    out.push({ target: `server RSS with ${sizes.memoryJobs.toLocaleString('en-US')} jobs < 150 MB, and not growing with the jobs`,
      measured: `peak ${fmt(big.peakMiB * 1.048576, 1)} MB (${fmt(big.peakMiB, 1)} MiB; ${(sizes.memoryJobs / 10).toLocaleString('en-US')} jobs: ${fmt(tenth.peakMiB, 1)} MiB; empty: ${fmt(m['0'].peakMiB, 1)} MiB)`,
      ratio: (big.peakMiB * 1.048576) / 150,
      met: big.peakMiB * 1.048576 < 150 && big.peakMiB - tenth.peakMiB < 10 });
  }
  return out;
}
