import { featureRatio, type Results, type Sizes } from './results.js';
import { fmt } from './util.js';

export interface Target {
  target: string;
  measured: string;
  ratio: number | null;
  met: boolean | null;
}

type Rate = number | undefined;

/** One row: met when `measured` ≥ `factor` × `reference` (both in `unit`); the ratio is measured / reference. */
function atLeast(out: Target[], target: string, measured: Rate, reference: Rate, factor: number, unit = 'jobs/s'): void {
  if (measured === undefined || reference === undefined || !Number.isFinite(reference)) return;
  out.push({ target, measured: `${fmt(measured)} vs ${fmt(reference)} ${unit}`, ratio: measured / reference, met: measured >= factor * reference });
}

/**
 * The targets of the benchmark issues (docs/BENCHMARKS.md "Targets"), judged on one run's results:
 * each a ratio within the run, so both sides shared the machine's changes of speed.
 */
export function targets(results: Results, sizes: Sizes): Target[] {
  const t = results.throughput;
  const out: Target[] = [];
  const at = (id: string, c: number) => t[id]?.[c]?.jobsPerSecond;
  const best = (ids: string[], c: number) => Math.max(...ids.map((id) => at(id, c) ?? Number.NaN).filter((n) => !Number.isNaN(n)));
  for (const c of [8, 32].filter((c) => sizes.concurrencies.includes(c))) {
    atLeast(out, `PostgreSQL processing ≥ 1.25× graphile-worker's best, c=${c}`, at('remotetask-pg', c), best(['graphile-worker', 'graphile-worker-batched'], c), 1.25);
  }
  for (const c of sizes.concurrencies) atLeast(out, `PostgreSQL processing ≥ 60% of its floor, c=${c}`, at('remotetask-pg', c), at('floor-pg', c), 0.6);
  const sqlitePeers = ['plainjob', 'liteque', 'sidequest-sqlite'];
  for (const c of sizes.concurrencies) atLeast(out, `SQLite processing ≥ 3× the best SQLite peer, c=${c}`, at('remotetask-sqlite', c), best(sqlitePeers, c), 3);
  for (const c of sizes.concurrencies) atLeast(out, `SQLite processing ≥ 60% of its floor, c=${c}`, at('remotetask-sqlite', c), at('floor-sqlite', c), 0.6);
  // The earlier benchmark issue's latency targets, still held.
  const l = results.latency;
  const gwP50 = Math.min(...['graphile-worker', 'graphile-worker-batched'].map((id) => l[id]?.p50 ?? Number.NaN).filter((n) => !Number.isNaN(n)));
  const pgP50 = l['remotetask-pg']?.p50;
  if (pgP50 !== undefined && Number.isFinite(gwP50)) {
    out.push({ target: "PostgreSQL add-to-start p50 ≤ graphile-worker's", measured: `${fmt(pgP50, 2)} vs ${fmt(gwP50, 2)} ms`, ratio: pgP50 / gwP50, met: pgP50 <= gwP50 });
  }
  const sqliteP50 = l['remotetask-sqlite']?.p50;
  if (sqliteP50 !== undefined) out.push({ target: 'SQLite add-to-start p50 < 2 ms', measured: `${fmt(sqliteP50, 2)} ms`, ratio: sqliteP50 / 2, met: sqliteP50 < 2 });
  const e = results.enqueue;
  atLeast(out, "SQLite enqueue one at a time ≥ plainjob's", e['remotetask-sqlite']?.oneAtATime, e['plainjob']?.oneAtATime, 1);
  atLeast(out, `SQLite enqueue in batches of ${sizes.batchSize} ≥ plainjob's`, e['remotetask-sqlite']?.batched, e['plainjob']?.batched, 1);
  const h = results.http;
  atLeast(out, 'REST add ≥ 0.6× the fastify hello world', h?.['remotetask-sqlite']?.requestsPerSecond, h?.['fastify-hello']?.requestsPerSecond, 0.6, 'req/s');
  const ideal = (32 * 1000) / sizes.taskMs;
  for (const id of ['remotetask-pg', 'remotetask-sqlite']) {
    const io = results.io?.[id]?.jobsPerSecond;
    if (io !== undefined) out.push({ target: `${id}: ${sizes.taskMs} ms jobs at c=32, efficiency ≥ 95%`, measured: `${fmt(io)} of ${fmt(ideal)} jobs/s`, ratio: io / ideal, met: io >= 0.95 * ideal });
  }
  for (const id of ['remotetask-pg', 'remotetask-sqlite']) {
    atLeast(out, `${id}: ${sizes.finished.toLocaleString('en-US')} finished jobs in the table ≥ 80% of empty (c=32)`, results.finished[id]?.jobsPerSecond, at(id, 32), 0.8);
    atLeast(out, `${id}: ${sizes.backlog.toLocaleString('en-US')} queued jobs in the table ≥ 80% of empty (c=32)`, results.backlog?.[id]?.jobsPerSecond, at(id, 32), 0.8);
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
  // The cost of features (issue of job control): the throughput with the feature on every job.
  const costs: [feature: string, most: number][] = [['keys and priorities', 0.1], ['retention sweep', 0.15]];
  for (const [feature, most] of costs) {
    for (const [id, r] of Object.entries(results.features?.[feature] ?? {})) {
      const ratio = featureRatio(r);
      const cost = 1 - ratio;
      const rounds = r.ratios ? `; median of ${r.ratios.length} rounds' ratios` : '';
      out.push({ target: `${id}: ${feature} cost ≤ ${most * 100}% of the throughput`, measured: `${fmt(r.with)} vs ${fmt(r.without)} jobs/s (cost ${fmt(cost * 100, 1)}%${rounds})`,
        ratio, met: cost <= most });
    }
  }
  return out;
}
