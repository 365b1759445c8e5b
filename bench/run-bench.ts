/**
 * remotetask's benchmark against graphile-worker, pg-boss, plainjob and BullMQ.
 *
 *   npm run bench                 # the full run (about 15 minutes on 2 cores)
 *   npm run bench -- --quick      # smaller counts, under two minutes
 *   npm run bench -- --only=throughput,latency --systems=remotetask-pg,graphile-worker
 *
 * Prints Markdown tables and writes bench/results/latest.json. Every system gets a fresh database
 * (dropped and recreated), file or Redis key space per workload. Local addresses only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { bundleServer } from './lib/bundle.js';
import { REPO_ROOT, rssOf, startServer } from './lib/child.js';
import { busyShare, describeMachine, waitForQuiet } from './lib/machine.js';
import { dropDatabase, serverVersion } from './lib/pg-admin.js';
import type { SystemFactory } from './lib/system.js';
import { fmt, sleep } from './lib/util.js';
import { enqueue, latency, throughput, type EnqueueResult, type LatencyResult, type ThroughputResult } from './lib/workloads.js';
import { BullmqSystem, REDIS_HOST, REDIS_PORT } from './systems/bullmq.js';
import { GraphileSystem } from './systems/graphile.js';
import { PgBossSystem } from './systems/pgboss.js';
import { PlainjobSystem } from './systems/plainjob.js';
import { BENCH_SERVICE, RemotetaskSystem } from './systems/remotetask.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string', default: join(REPO_ROOT, 'bench', 'results', 'latest.json') },
    /** Print the report of a results file again (after a change to the report), without measuring. */
    from: { type: 'string' },
  },
});
const quick = args.quick!;
const WORKLOADS = ['enqueue', 'throughput', 'latency', 'finished', 'http', 'memory'] as const;
type Workload = (typeof WORKLOADS)[number];
const only = new Set<Workload>((args.only?.split(',') as Workload[] | undefined) ?? WORKLOADS);
const wantSystems = args.systems ? new Set(args.systems.split(',')) : undefined;

const SIZES = quick
  ? { enqueueOne: 500, enqueueBatches: 50, batchSize: 100, enqueueMaxMs: 2_000, jobs: 3_000, maxMs: 15_000, slowMaxMs: 2_000,
      latencyJobs: 100, latencyMaxMs: 4_000, finished: 50_000, httpSeconds: 2, memoryJobs: 50_000, concurrencies: [1, 8, 32], reps: 1 }
  : { enqueueOne: 5_000, enqueueBatches: 200, batchSize: 100, enqueueMaxMs: 15_000, jobs: 20_000, maxMs: 90_000, slowMaxMs: 20_000,
      latencyJobs: 1_000, latencyMaxMs: 30_000, finished: 1_000_000, httpSeconds: 10, memoryJobs: 1_000_000, concurrencies: [1, 8, 32], reps: 5 };

const scratch = join(tmpdir(), 'remotetask-bench');
const GW_BATCH = { localQueueSize: 2_000, completeJobBatchDelay: 0 };

const ALL: (SystemFactory & { slow?: boolean; workloads: Workload[] })[] = [
  { id: 'remotetask-pg', label: 'remotetask (PostgreSQL)', backend: 'postgres', workloads: ['enqueue', 'throughput', 'latency', 'finished'],
    create: () => new RemotetaskSystem({ kind: 'postgres', database: 'bench_remotetask' }) },
  { id: 'graphile-worker', label: 'graphile-worker (defaults)', backend: 'postgres', workloads: ['enqueue', 'throughput', 'latency'],
    create: () => new GraphileSystem({}, 'graphile-worker (defaults)') },
  { id: 'graphile-worker-batched', label: `graphile-worker (localQueue ${GW_BATCH.localQueueSize}, completeJobBatchDelay ${GW_BATCH.completeJobBatchDelay})`,
    backend: 'postgres', workloads: ['throughput', 'latency'],
    create: () => new GraphileSystem(GW_BATCH, 'graphile-worker (batched)') },
  { id: 'pg-boss', label: 'pg-boss (N × work, batchSize 1)', backend: 'postgres', slow: true, workloads: ['enqueue', 'throughput', 'latency', 'finished'],
    create: () => new PgBossSystem({ mode: 'workers' }) },
  { id: 'pg-boss-batched', label: 'pg-boss (1 × work, batchSize N)', backend: 'postgres', slow: true, workloads: ['throughput'],
    create: () => new PgBossSystem({ mode: 'batch' }, 'pg-boss (batched)') },
  { id: 'remotetask-sqlite', label: 'remotetask (SQLite)', backend: 'sqlite', workloads: ['enqueue', 'throughput', 'latency', 'finished'],
    create: () => new RemotetaskSystem({ kind: 'sqlite', dir: join(scratch, 'remotetask') }) },
  { id: 'plainjob', label: 'plainjob (SQLite)', backend: 'sqlite', workloads: ['enqueue', 'throughput', 'latency', 'finished'],
    create: () => new PlainjobSystem(join(scratch, 'plainjob')) },
  { id: 'bullmq', label: 'BullMQ (Redis)', backend: 'redis', workloads: ['enqueue', 'throughput', 'latency'],
    create: () => new BullmqSystem() },
];
const systems = ALL.filter((s) => !wantSystems || wantSystems.has(s.id));

const log = (line: string) => process.stderr.write(`${line}\n`);
// A peer's stray rejection (a connection closed under it) is reported, not fatal to the whole run.
process.on('unhandledRejection', (reason) => log(`  (unhandled rejection: ${(reason as Error)?.message ?? String(reason)})`));
const results: {
  enqueue: Record<string, EnqueueResult>;
  throughput: Record<string, Record<number, ThroughputResult>>;
  latency: Record<string, LatencyResult>;
  finished: Record<string, ThroughputResult>;
  http?: Record<string, { requestsPerSecond: number; p50: number; p99: number; errors: number; non2xx: number; total: number }>;
  memory?: Record<string, { jobs: number; rssMiB: number; peakMiB: number }>;
  busy: Record<string, number>;
  errors: Record<string, string>;
} = { enqueue: {}, throughput: {}, latency: {}, finished: {}, busy: {}, errors: {} };

/** Runs one measurement after the machine is quiet; records how busy it was and any failure. */
async function measure<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
  const before = await waitForQuiet(0.25, quick ? 300 : 20_000);
  results.busy[key] = Math.round(before * 100) / 100;
  try {
    return await fn();
  } catch (error) {
    results.errors[key] = (error as Error).message;
    log(`  ${key}: FAILED ${(error as Error).message}`);
    return undefined;
  }
}

async function runEnqueue() {
  log('## enqueue');
  for (const s of systems.filter((s) => s.workloads.includes('enqueue'))) {
    const r = await measure(`enqueue/${s.id}`, () =>
      enqueue(s, { one: SIZES.enqueueOne, batches: SIZES.enqueueBatches, batchSize: SIZES.batchSize, maxMs: SIZES.enqueueMaxMs }),
    );
    if (r) results.enqueue[s.id] = r;
    if (r) log(`  ${s.label}: one ${fmt(r.oneAtATime)}/s, batches ${fmt(r.batched)}/s`);
  }
}

async function runThroughput() {
  log(`## throughput (${SIZES.jobs.toLocaleString('en-US')} jobs)`);
  const measured = systems.filter((s) => s.workloads.includes('throughput'));
  for (const s of measured) {
    results.throughput[s.id] = {};
    // Untimed warm-up: the JIT, the connection pools and the database's caches get going first.
    await throughput(s, { jobs: Math.min(5_000, SIZES.jobs / 4), concurrency: 8, maxMs: s.slow ? 2_000 : 20_000 }).catch(() => undefined);
  }
  // Round robin: each round runs every system once at each concurrency, so that the systems share
  // the machine's changes of speed (minutes long on a shared host) instead of each getting its own
  // stretch of them; each figure is the median of its rounds.
  const runs = new Map<string, ThroughputResult[]>();
  for (let rep = 0; rep < SIZES.reps; rep++) {
    for (const concurrency of SIZES.concurrencies) {
      for (const s of measured) {
        if (s.slow && rep > 0) continue;
        const r = await measure(`throughput/${s.id}/${concurrency}`, () =>
          throughput(s, { jobs: SIZES.jobs, concurrency, maxMs: s.slow ? SIZES.slowMaxMs : SIZES.maxMs }),
        );
        if (r) runs.set(`${s.id}/${concurrency}`, [...(runs.get(`${s.id}/${concurrency}`) ?? []), r]);
      }
    }
  }
  for (const s of measured) {
    for (const concurrency of SIZES.concurrencies) {
      const all = runs.get(`${s.id}/${concurrency}`) ?? [];
      const r = median(all);
      if (r) results.throughput[s.id][concurrency] = { ...r, runs: all.map((x) => Math.round(x.jobsPerSecond)) };
      if (r) log(`  ${s.label} c=${concurrency}: ${fmt(r.jobsPerSecond)} jobs/s${r.timedOut ? ' (time limit)' : ''} (runs: ${all.map((x) => fmt(x.jobsPerSecond)).join(', ')})`);
    }
  }
}

/** The run with the median rate. */
function median(runs: ThroughputResult[]): ThroughputResult | undefined {
  if (runs.length === 0) return undefined;
  return [...runs].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond)[Math.floor((runs.length - 1) / 2)];
}

async function runLatency() {
  log('## latency');
  for (const s of systems.filter((s) => s.workloads.includes('latency'))) {
    const r = await measure(`latency/${s.id}`, () =>
      latency(s, { jobs: SIZES.latencyJobs, maxMs: s.slow ? SIZES.slowMaxMs : SIZES.latencyMaxMs, idleMs: 5, warmup: s.slow ? 2 : 50 }),
    );
    if (r) results.latency[s.id] = r;
    if (r) log(`  ${s.label}: p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms (${r.samples} jobs)`);
  }
}

async function runFinished() {
  log(`## throughput with ${SIZES.finished.toLocaleString('en-US')} finished jobs (c=32)`);
  const measured = systems.filter((s) => s.workloads.includes('finished'));
  const runs = new Map<string, ThroughputResult[]>();
  // Round robin, as for the throughput above.
  for (let rep = 0; rep < SIZES.reps; rep++) {
    for (const s of measured) {
      if (s.slow && rep > 0) continue;
      const r = await measure(`finished/${s.id}`, () =>
        throughput(s, { jobs: SIZES.jobs, concurrency: 32, maxMs: s.slow ? SIZES.slowMaxMs : SIZES.maxMs, finishedBefore: SIZES.finished, log }),
      );
      if (r) runs.set(s.id, [...(runs.get(s.id) ?? []), r]);
    }
  }
  for (const s of measured) {
    const all = runs.get(s.id) ?? [];
    const r = median(all);
    if (r) results.finished[s.id] = { ...r, runs: all.map((x) => Math.round(x.jobsPerSecond)) };
    if (r) log(`  ${s.label}: ${fmt(r.jobsPerSecond)} jobs/s${r.timedOut ? ' (time limit)' : ''} (runs: ${all.map((x) => fmt(x.jobsPerSecond)).join(', ')})`);
  }
}

async function cannon(url: string, opts: Partial<autocannon.Options>) {
  const r = await autocannon({ url, connections: 32, pipelining: 1, duration: SIZES.httpSeconds, ...opts });
  return {
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  };
}

async function runHttp() {
  log(`## HTTP (autocannon, 32 connections, ${SIZES.httpSeconds} s each)`);
  results.http = {};
  const hello = await startServer(await bundleServer('bench/servers/hello-server.ts'));
  try {
    await cannon(`${hello.url}/`, { duration: 1 }); // warm-up
    const r = await measure('http/hello', () => cannon(`${hello.url}/`, {}));
    if (r) results.http['fastify-hello'] = r;
    if (r) log(`  fastify hello world: ${fmt(r.requestsPerSecond)} req/s`);
  } finally {
    await hello.stop();
  }
  const dir = join(scratch, 'http');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `http-${Date.now()}.db`);
  const server = await startServer(await bundleServer('bench/servers/remotetask-server.ts'), { BENCH_STORE: `sqlite:${file}` });
  try {
    const url = `${server.url}/api/services/${encodeURIComponent(BENCH_SERVICE)}/jobs`;
    const request = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'noop', input: { n: 1 } }) };
    await cannon(url, { ...request, duration: 1 });
    const r = await measure('http/remotetask', () => cannon(url, request));
    if (r) results.http['remotetask-sqlite'] = r;
    if (r) log(`  remotetask POST jobs (SQLite): ${fmt(r.requestsPerSecond)} req/s, non-2xx ${r.non2xx}, errors ${r.errors}`);
  } finally {
    await server.stop();
  }
}

async function runMemory() {
  log(`## memory of a server process holding ${SIZES.memoryJobs.toLocaleString('en-US')} jobs (SQLite)`);
  results.memory = {};
  const serverFile = await bundleServer('bench/servers/remotetask-server.ts');
  for (const jobs of [0, SIZES.memoryJobs / 10, SIZES.memoryJobs]) {
    const system = new RemotetaskSystem({ kind: 'sqlite', dir: join(scratch, `memory-${jobs}`) });
    await system.open(1);
    if (jobs > 0) await system.prefillFinished(jobs);
    await system.close();
    const server = await startServer(serverFile, {
      BENCH_STORE: `sqlite:${join(scratch, `memory-${jobs}`, 'remotetask.db')}`,
      BENCH_PROCESSING: '4',
    });
    try {
      const base = `${server.url}/api/services/${encodeURIComponent(BENCH_SERVICE)}`;
      // A little real use: pages of jobs, a sort by completion time, a job added and run.
      for (let i = 0; i < 20; i++) {
        await fetch(`${base}/jobs?limit=100`).then((r) => r.arrayBuffer());
        await fetch(`${base}/jobs?limit=100&sort=-completed`).then((r) => r.arrayBuffer());
        await fetch(`${base}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"noop","input":{"n":1}}' }).then((r) => r.arrayBuffer());
      }
      await sleep(1_000);
      const m = rssOf(server.pid);
      results.memory[String(jobs)] = { jobs, ...m };
      log(`  ${jobs.toLocaleString('en-US')} jobs: RSS ${fmt(m.rssMiB, 1)} MiB (peak ${fmt(m.peakMiB, 1)} MiB)`);
    } finally {
      await server.stop();
    }
  }
}

function versionOf(pkg: string): string {
  for (const base of [join(REPO_ROOT, 'bench', 'node_modules'), join(REPO_ROOT, 'node_modules')]) {
    try {
      return JSON.parse(readFileSync(join(base, pkg, 'package.json'), 'utf8')).version;
    } catch {}
  }
  return '?';
}

async function versions() {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = '?';
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  } catch {}
  redis.disconnect();
  return {
    postgres: await serverVersion().catch(() => '?'),
    redis: redisVersion,
    remotetask: JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version,
    'graphile-worker': versionOf('graphile-worker'),
    'pg-boss': versionOf('pg-boss'),
    bullmq: versionOf('bullmq'),
    ioredis: versionOf('ioredis'),
    plainjob: versionOf('plainjob'),
    autocannon: versionOf('autocannon'),
    fastify: versionOf('fastify'),
    pg: versionOf('pg'),
    'better-sqlite3': versionOf('better-sqlite3'),
  };
}

// ---- report -------------------------------------------------------------------------------------

interface Target {
  target: string;
  measured: string;
  ratio: number | null;
  met: boolean | null;
}

function targets(): Target[] {
  const t = results.throughput;
  const out: Target[] = [];
  const best = (ids: string[], c: number) => Math.max(...ids.map((id) => t[id]?.[c]?.jobsPerSecond ?? Number.NaN).filter((n) => !Number.isNaN(n)));
  for (const c of SIZES.concurrencies) {
    const rt = t['remotetask-pg']?.[c]?.jobsPerSecond;
    const gw = best(['graphile-worker', 'graphile-worker-batched'], c);
    if (rt !== undefined && Number.isFinite(gw)) {
      out.push({ target: `PostgreSQL throughput ≥ graphile-worker's best, c=${c}`, measured: `${fmt(rt)} vs ${fmt(gw)} jobs/s`, ratio: rt / gw, met: rt >= gw });
    }
    const boss = best(['pg-boss', 'pg-boss-batched'], c);
    if (rt !== undefined && Number.isFinite(boss)) {
      out.push({ target: `PostgreSQL throughput ≥ 3× pg-boss's, c=${c}`, measured: `${fmt(rt)} vs ${fmt(boss)} jobs/s`, ratio: rt / boss, met: rt >= 3 * boss });
    }
  }
  for (const c of SIZES.concurrencies) {
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
      out.push({ target: `${id}: throughput with ${SIZES.finished.toLocaleString('en-US')} finished jobs ≥ 80% of empty (c=32)`,
        measured: `${fmt(full)} vs ${fmt(empty)} jobs/s`, ratio: full / empty, met: full >= 0.8 * empty });
    }
  }
  const m = results.memory;
  const big = m?.[String(SIZES.memoryJobs)];
  const tenth = m?.[String(SIZES.memoryJobs / 10)];
  if (big && tenth && m?.['0']) {
    // Independent of the jobs stored: ten times the jobs may not cost more than 10 MiB more (SQLite's
    // page cache, at most 16 MiB, fills up to its bound with the first hundred thousand jobs).
    // The peak resident size (VmHWM), not the current one: the kernel may have reclaimed pages since.
    out.push({ target: `server RSS with ${SIZES.memoryJobs.toLocaleString('en-US')} jobs < 150 MB, and not growing with the jobs`,
      measured: `peak ${fmt(big.peakMiB * 1.048576, 1)} MB (${fmt(big.peakMiB, 1)} MiB; ${(SIZES.memoryJobs / 10).toLocaleString('en-US')} jobs: ${fmt(tenth.peakMiB, 1)} MiB; empty: ${fmt(m['0'].peakMiB, 1)} MiB)`,
      ratio: (big.peakMiB * 1.048576) / 150,
      met: big.peakMiB * 1.048576 < 150 && big.peakMiB - tenth.peakMiB < 10 });
  }
  return out;
}

function report(meta: Record<string, unknown>, targetRows: Target[]): string {
  const lines: string[] = [];
  const label = (id: string) => ALL.find((s) => s.id === id)?.label ?? id;
  const cs = SIZES.concurrencies;
  if (Object.keys(results.throughput).length > 0 || Object.keys(results.finished).length > 0) {
    lines.push(`### Processing throughput (jobs/s; ${SIZES.jobs.toLocaleString('en-US')} queued no-op jobs; higher is better)`, '');
    lines.push(`| system | ${cs.map((c) => `c=${c}`).join(' | ')} | c=32, ${SIZES.finished.toLocaleString('en-US')} finished jobs in the table |`);
    lines.push(`|---|${cs.map(() => '--:').join('|')}|--:|`);
    for (const s of ALL) {
      const row = results.throughput[s.id];
      const fin = results.finished[s.id];
      if (!row && !fin) continue;
      const cell = (r?: ThroughputResult) => (r ? `${fmt(r.jobsPerSecond)}${r.timedOut ? '†' : ''}` : '—');
      lines.push(`| ${label(s.id)} | ${cs.map((c) => cell(row?.[c])).join(' | ')} | ${cell(fin)} |`);
    }
    lines.push('', '† stopped at its time limit: the figure is the rate until then.', '');
  }
  if (Object.keys(results.enqueue).length > 0) {
    lines.push('### Enqueue throughput (jobs/s; no worker running)', '');
    lines.push(`| system | one at a time (awaited) | batches of ${SIZES.batchSize} |`, '|---|--:|--:|');
    for (const [id, r] of Object.entries(results.enqueue)) lines.push(`| ${label(id)} | ${fmt(r.oneAtATime)} | ${fmt(r.batched)} |`);
    lines.push('');
  }
  if (Object.keys(results.latency).length > 0) {
    lines.push('### Latency from add to task start on an idle worker (ms; lower is better)', '');
    lines.push('| system | p50 | p99 | max | jobs |', '|---|--:|--:|--:|--:|');
    for (const [id, r] of Object.entries(results.latency)) {
      lines.push(`| ${label(id)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.max, 2)} | ${r.samples}${r.timedOut ? '†' : ''} |`);
    }
    lines.push('');
  }
  if (results.http) {
    lines.push(`### HTTP (autocannon, 32 connections, ${SIZES.httpSeconds} s)`, '');
    lines.push('| server | requests/s | p50 ms | p99 ms | non-2xx | errors |', '|---|--:|--:|--:|--:|--:|');
    const names: Record<string, string> = { 'fastify-hello': 'fastify hello world (GET /)', 'remotetask-sqlite': 'remotetask POST /api/services/@Bench/jobs (SQLite)' };
    for (const [id, r] of Object.entries(results.http)) {
      lines.push(`| ${names[id] ?? id} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.non2xx} | ${r.errors} |`);
    }
    lines.push('');
  }
  if (results.memory) {
    lines.push('### Server memory (resident set of a `remotetask` server process, SQLite store)', '');
    lines.push('| jobs in the store | RSS MiB | peak RSS MiB |', '|--:|--:|--:|');
    for (const r of Object.values(results.memory)) lines.push(`| ${r.jobs.toLocaleString('en-US')} | ${fmt(r.rssMiB, 1)} | ${fmt(r.peakMiB, 1)} |`);
    lines.push('');
  }
  if (targetRows.length > 0) {
    lines.push('### Targets', '', '| target | measured | ratio | met |', '|---|---|--:|:-:|');
    for (const row of targetRows) lines.push(`| ${row.target} | ${row.measured} | ${row.ratio === null ? '—' : fmt(row.ratio, 2)} | ${row.met ? 'yes' : 'no'} |`);
    lines.push('');
  }
  const errors = Object.entries(results.errors);
  if (errors.length > 0) {
    lines.push('### Failures', '');
    for (const [key, message] of errors) lines.push(`- ${key}: ${message}`);
    lines.push('');
  }
  lines.push(`_${quick ? 'quick run' : 'full run'}, ${String(meta.date)}; machine: ${JSON.stringify(meta.machine)}_`);
  return lines.join('\n');
}

// ---- main ---------------------------------------------------------------------------------------

if (args.from) {
  const saved = JSON.parse(readFileSync(args.from, 'utf8'));
  if (saved.quick !== quick) throw new Error(`${args.from} is a ${saved.quick ? 'quick' : 'full'} run: pass --quick accordingly`);
  Object.assign(results, saved.results);
  const targetRows = targets();
  writeFileSync(args.from, `${JSON.stringify({ ...saved, targets: targetRows }, null, 2)}\n`);
  process.stdout.write(`${report(saved, targetRows)}\n`);
  process.exit(0);
}

const started = Date.now();
const meta = { date: new Date().toISOString(), quick, sizes: SIZES, machine: describeMachine(), versions: await versions(), busyAtStart: await busyShare(1000) };
log(`remotetask benchmark (${quick ? 'quick' : 'full'}): ${JSON.stringify(meta.versions)}`);
try {
  if (only.has('enqueue')) await runEnqueue();
  if (only.has('throughput')) await runThroughput();
  if (only.has('latency')) await runLatency();
  if (only.has('finished')) await runFinished();
  if (only.has('memory')) await measure('memory', runMemory);
  if (only.has('http')) await measure('http', runHttp);
} finally {
  for (const db of ['bench_remotetask', 'bench_graphile', 'bench_pgboss']) await dropDatabase(db).catch(() => undefined);
}
const targetRows = targets();
const elapsedS = Math.round((Date.now() - started) / 1000);
mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(args.out!, `${JSON.stringify({ ...meta, elapsedS, results, targets: targetRows }, null, 2)}\n`);
process.stdout.write(`${report(meta, targetRows)}\n`);
log(`done in ${elapsedS} s; results in ${args.out}`);
process.exit(0);
