/**
 * remotetask's benchmark against graphile-worker, pg-boss, Sidequest, plainjob, liteque and BullMQ,
 * and against each database's floor (a minimal queue loop in raw SQL).
 *
 *   npm run bench                 # the full run (about 25 minutes on 2 cores)
 *   npm run bench -- --quick      # smaller counts, under three minutes
 *   npm run bench -- --only=throughput,latency --systems=remotetask-pg,graphile-worker
 *   npm run bench -- --from=bench/results/latest.json   # the report and chart again, no measuring
 *
 * Prints Markdown tables, writes bench/results/latest.json and the chart (bench/results/throughput.svg;
 * docs/images/bench-throughput.svg too on a full run). Every system gets a fresh database (dropped
 * and recreated), file or Redis key space per measurement. Local addresses only.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { throughputChart } from './lib/chart.js';
import { REPO_ROOT } from './lib/child.js';
import { busyShare, describeMachine, waitForQuiet } from './lib/machine.js';
import { dropDatabase, serverVersion } from './lib/pg-admin.js';
import { PROCESS_WORKERS, processesThroughput } from './lib/processes.js';
import { chartPanels, report, type ReportContext } from './lib/report.js';
import { emptyResults, type Results, type Sizes } from './lib/results.js';
import { runHttp, runMemory } from './lib/server-workloads.js';
import type { SystemFactory } from './lib/system.js';
import { targets } from './lib/targets.js';
import { fmt } from './lib/util.js';
import { enqueue, latency, throughput, type ThroughputOptions, type ThroughputResult } from './lib/workloads.js';
import { REDIS_HOST, REDIS_PORT } from './systems/bullmq.js';
import { allSystems, features, FLOOR_OF, tries, WORKLOADS, type SystemEntry, type Try, type Workload } from './systems/registry.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string', default: join(REPO_ROOT, 'bench', 'results', 'latest.json') },
    /** Print the report of a results file again and redraw its chart (after a change to either), without measuring. */
    from: { type: 'string' },
  },
});
const quick = args.quick!;
// A quick run leaves out the settings tried (thirty more measurements) unless --only names them.
const only = new Set<Workload>((args.only?.split(',') as Workload[] | undefined) ?? WORKLOADS.filter((w) => !(quick && w === 'tries')));
for (const w of only) if (!WORKLOADS.includes(w)) throw new Error(`--only: unknown workload ${w}; the workloads are ${WORKLOADS.join(', ')}`);
const wantSystems = args.systems ? new Set(args.systems.split(',')) : undefined;

const SIZES: Sizes = quick
  ? { enqueueOne: 300, enqueueBatches: 20, batchSize: 100, enqueueMaxMs: 2_000, jobs: 2_000, maxMs: 15_000, slowMaxMs: 5_000,
      latencyJobs: 30, latencyMaxMs: 3_000, finished: 20_000, backlog: 20_000, backlogJobs: 1_000, ioJobs: 320, taskMs: 10,
      payloadJobs: 300, payloadBytes: 16_384, services: 100, servicesJobs: 1_000, processes: [1, 2, 4], processJobs: 2_000,
      triesJobs: 1_000, triesConcurrencies: [8, 32], triesMaxMs: 3_000, httpSeconds: 2, memoryJobs: 20_000, concurrencies: [1, 8, 32], reps: 1, featureJobs: 2_000, featureReps: 1 }
  : { enqueueOne: 3_000, enqueueBatches: 200, batchSize: 100, enqueueMaxMs: 10_000, jobs: 20_000, maxMs: 90_000, slowMaxMs: 20_000,
      latencyJobs: 500, latencyMaxMs: 20_000, finished: 1_000_000, backlog: 1_000_000, backlogJobs: 20_000, ioJobs: 5_000, taskMs: 10,
      payloadJobs: 5_000, payloadBytes: 16_384, services: 100, servicesJobs: 20_000, processes: [1, 2, 4], processJobs: 20_000,
      triesJobs: 10_000, triesConcurrencies: [8, 32], triesMaxMs: 10_000, httpSeconds: 10, memoryJobs: 1_000_000, concurrencies: [1, 8, 32], reps: 3, featureJobs: 50_000, featureReps: 9 };

const scratch = join(tmpdir(), 'remotetask-bench');
const SLOW_SHARE = 10;
const ALL = allSystems(scratch);
const TRIES = tries(scratch);
for (const id of wantSystems ?? []) {
  if (!ALL.some((s) => s.id === id) && !TRIES.some((t) => t.of === id)) throw new Error(`--systems: unknown system ${id}; the systems are ${ALL.map((s) => s.id).join(', ')}`);
}
const systems = ALL.filter((s) => !wantSystems || wantSystems.has(s.id));
const ctx: ReportContext = { sizes: SIZES, quick, systems: ALL, floorOf: FLOOR_OF, tries: TRIES };

const log = (line: string) => process.stderr.write(`${line}\n`);
// A peer's stray rejection (a connection closed under it) is reported, not fatal to the whole run.
process.on('unhandledRejection', (reason) => log(`  (unhandled rejection: ${(reason as Error)?.message ?? String(reason)})`));
const results: Results = emptyResults();

/** Runs one measurement after the machine is quiet; records how busy it was and any failure. */
async function measure<T>(key: string, fn: () => Promise<T>): Promise<T | undefined> {
  const before = await waitForQuiet(0.25, quick ? 0 : 20_000);
  results.busy[key] = Math.round(before * 100) / 100;
  try {
    return await fn();
  } catch (error) {
    results.errors[key] = (error as Error).message;
    log(`  ${key}: FAILED ${(error as Error).message}`);
    return undefined;
  }
}

const taking = (w: Workload) => systems.filter((s) => s.workloads.includes(w));
const runsOf = (all: ThroughputResult[]) => all.map((x) => fmt(x.jobsPerSecond)).join(', ');
const limit = (s: SystemEntry) => (s.slow ? SIZES.slowMaxMs : SIZES.maxMs);
/** A slow system gets a tenth of the jobs (at least 100), so that it finishes them all within its limit. */
const jobsFor = (s: SystemFactory, jobs: number) => ((s as SystemEntry).slow ? Math.max(quick ? 50 : 100, Math.ceil(jobs / SLOW_SHARE)) : jobs);

/** The run with the median rate. */
function median(runs: ThroughputResult[]): ThroughputResult | undefined {
  if (runs.length === 0) return undefined;
  return [...runs].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond)[Math.floor((runs.length - 1) / 2)];
}

async function runEnqueue() {
  log('## enqueue');
  for (const s of taking('enqueue')) {
    const r = await measure(`enqueue/${s.id}`, () =>
      enqueue(s, { one: SIZES.enqueueOne, batches: SIZES.enqueueBatches, batchSize: SIZES.batchSize, maxMs: SIZES.enqueueMaxMs }),
    );
    if (r) results.enqueue[s.id] = r;
    if (r) log(`  ${s.label}: one ${fmt(r.oneAtATime)}/s, batches ${fmt(r.batched)}/s`);
  }
}

/**
 * Round robin: each round runs every system once at each setting, so that the systems share the
 * machine's changes of speed (minutes long on a shared host) instead of each getting its own
 * stretch of them; each figure is the median of its rounds (slow systems: one round).
 */
async function roundRobin<K extends string | number>(
  name: string, measured: SystemFactory[], keys: K[], reps: number, run: (s: SystemFactory, key: K) => Promise<ThroughputResult>,
): Promise<Record<string, Record<string, ThroughputResult>>> {
  const runs = new Map<string, ThroughputResult[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (const key of keys) {
      for (const s of measured) {
        if ((s as SystemEntry).slow && rep > 0) continue;
        const r = await measure(`${name}/${s.id}/${key}`, () => run(s, key));
        if (r) runs.set(`${s.id}/${key}`, [...(runs.get(`${s.id}/${key}`) ?? []), r]);
      }
    }
  }
  const out: Record<string, Record<string, ThroughputResult>> = {};
  for (const s of measured) {
    for (const key of keys) {
      const all = runs.get(`${s.id}/${key}`) ?? [];
      const r = median(all);
      if (!r) continue;
      (out[s.id] ??= {})[String(key)] = { ...r, runs: all.map((x) => Math.round(x.jobsPerSecond)) };
      log(`  ${s.label} ${name} ${key}: ${fmt(r.jobsPerSecond)} jobs/s${r.timedOut ? ' (time limit)' : ''} (runs: ${runsOf(all)})`);
    }
  }
  return out;
}

async function runThroughput() {
  log(`## throughput (${SIZES.jobs.toLocaleString('en-US')} jobs)`);
  const measured = taking('throughput');
  // Untimed warm-up: the JIT, the connection pools and the database's caches get going first
  // (not in a quick run, which checks that everything runs rather than how fast).
  for (const s of quick ? [] : measured) await throughput(s, { jobs: Math.min(2_000, SIZES.jobs / 4), concurrency: 8, maxMs: s.slow ? 2_000 : 10_000 }).catch(() => undefined);
  const out = await roundRobin('c', measured, SIZES.concurrencies, SIZES.reps, (s, c) =>
    throughput(s, { jobs: jobsFor(s, SIZES.jobs), concurrency: c, maxMs: limit(s as SystemEntry) }),
  );
  Object.assign(results.throughput, out);
}

/** A c=32 workload, one figure per system: `opts` says what differs from the plain throughput run. */
async function runColumn(w: Workload, title: string, reps: number, opts: Partial<ThroughputOptions> & { jobs: number }) {
  log(`## ${title}`);
  const out = await roundRobin(w, taking(w), [32], reps, (s) =>
    throughput(s, { concurrency: 32, maxMs: limit(s as SystemEntry), log, ...opts, jobs: jobsFor(s, opts.jobs) }),
  );
  const column = Object.fromEntries(Object.entries(out).map(([id, row]) => [id, row[32]]));
  if (w === 'finished') results.finished = column;
  else if (w === 'backlog' || w === 'io' || w === 'payload' || w === 'services') results[w] = column;
}

async function runProcesses() {
  log(`## PostgreSQL worker processes (${SIZES.processes.join(', ')}; c=32 each; ${SIZES.processJobs.toLocaleString('en-US')} jobs)`);
  const measured = taking('processes').filter((s) => PROCESS_WORKERS[s.id]);
  const out = await roundRobin('processes', measured, SIZES.processes, 1, (s, p) =>
    processesThroughput(s, { processes: p, jobs: SIZES.processJobs, concurrency: 32, maxMs: SIZES.maxMs }),
  );
  results.processes = out as Results['processes'];
}

async function runTries() {
  log(`## settings tried (${SIZES.triesJobs.toLocaleString('en-US')} jobs, c=${SIZES.triesConcurrencies.join(', ')})`);
  const measured = TRIES.filter((t) => !wantSystems || wantSystems.has(t.of));
  const out = await roundRobin('tries', measured, SIZES.triesConcurrencies, 1, (t, c) =>
    throughput(t, { jobs: jobsFor(ALL.find((s) => s.id === (t as Try).of) ?? t, SIZES.triesJobs), concurrency: c, maxMs: SIZES.triesMaxMs }),
  );
  results.tries = out as Results['tries'];
}

/**
 * The cost of each feature: c=32 throughput of each system with the feature used and without, run
 * as a pair in each round (which goes first alternates from round to round). This machine's speed
 * drifts by a quarter from one minute to the next; the two runs of a pair share the drift, so the
 * cost is 1 − the median of the pairs' ratios, and the spread of those ratios is shown beside it.
 */
async function runFeatures() {
  const n = (x: number) => x.toLocaleString('en-US');
  for (const entry of features(scratch)) {
    const rows = entry.systems.filter((s) => !wantSystems || wantSystems.has(s.id));
    if (rows.length === 0) continue;
    log(`## feature: ${entry.feature} (c=32, ${n(SIZES.featureJobs)} jobs, ${SIZES.featureReps} rounds of pairs${entry.finishedBefore ? `, ${n(SIZES.finished)} finished jobs first` : ''})`);
    const run = (s: SystemFactory) =>
      measure(`feature/${s.id}`, () =>
        throughput(s, { jobs: SIZES.featureJobs, concurrency: 32, maxMs: SIZES.maxMs, log, finishedBefore: entry.finishedBefore ? SIZES.finished : undefined }),
      );
    for (const s of rows) {
      const used: SystemFactory = { ...s, id: `${s.id}+feature`, label: `${s.label} with ${entry.feature}` };
      const plain: SystemFactory = { id: s.id, label: `${s.label} without`, backend: s.backend, create: s.without };
      const pairs: { with: number; without: number }[] = [];
      for (let rep = 0; rep < SIZES.featureReps; rep++) {
        const first = await run(rep % 2 === 0 ? used : plain);
        const second = await run(rep % 2 === 0 ? plain : used);
        if (!first || !second) continue;
        const [w, wo] = rep % 2 === 0 ? [first, second] : [second, first];
        pairs.push({ with: w.jobsPerSecond, without: wo.jobsPerSecond });
        log(`    round ${rep + 1}: without ${fmt(wo.jobsPerSecond)}, with ${fmt(w.jobsPerSecond)} jobs/s (ratio ${fmt(w.jobsPerSecond / wo.jobsPerSecond, 3)})`);
      }
      if (pairs.length === 0) continue;
      const ratios = pairs.map((pair) => pair.with / pair.without).sort((a, b) => a - b);
      const middle = (xs: number[]) => { const sorted = [...xs].sort((a, b) => a - b); const k = Math.floor(sorted.length / 2); return sorted.length % 2 ? sorted[k] : (sorted[k - 1] + sorted[k]) / 2; };
      const ratio = middle(ratios);
      ((results.features ??= {})[entry.feature] ??= {})[s.id] = {
        with: middle(pairs.map((pair) => pair.with)), without: middle(pairs.map((pair) => pair.without)),
        ratio, ratios: ratios.map((r) => Math.round(r * 1000) / 1000),
      };
      log(`  ${s.label}: ${entry.feature} costs ${fmt((1 - ratio) * 100, 1)} % of the throughput (median of ${ratios.length} pair ratios, ${fmt(ratios[0], 3)}–${fmt(ratios[ratios.length - 1], 3)}; ${s.use})`);
    }
  }
}

async function runLatency() {
  log('## latency');
  for (const s of taking('latency')) {
    const r = await measure(`latency/${s.id}`, () =>
      latency(s, { jobs: SIZES.latencyJobs, maxMs: SIZES.latencyMaxMs, idleMs: 5, warmup: quick ? 5 : 50 }),
    );
    if (r) results.latency[s.id] = r;
    if (r) log(`  ${s.label}: p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms (${r.samples} jobs)`);
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

/** bench/node_modules must hold the versions bench/package.json pins (an older install is not reused silently). */
function checkInstalled(): void {
  const pinned = JSON.parse(readFileSync(join(REPO_ROOT, 'bench', 'package.json'), 'utf8')).devDependencies as Record<string, string>;
  const wrong = Object.entries(pinned).filter(([pkg, version]) => versionOf(pkg) !== version.replace(/^npm:.*@/, ''));
  if (wrong.length > 0) {
    throw new Error(`bench/node_modules does not match bench/package.json (${wrong.map(([p, v]) => `${p}: ${versionOf(p)}, pinned ${v}`).join('; ')}): run npm --prefix bench install`);
  }
}

async function versions() {
  const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = '?';
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  } catch {}
  redis.disconnect();
  const packages = ['graphile-worker', 'pg-boss', 'sidequest', '@sidequest/postgres-backend', '@sidequest/sqlite-backend', '@sidequest/engine',
    'bullmq', 'ioredis', 'plainjob', 'liteque', 'drizzle-orm', 'autocannon', 'fastify', 'pg', 'better-sqlite3'];
  return {
    postgres: await serverVersion().catch(() => '?'),
    redis: redisVersion,
    remotetask: JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version,
    ...Object.fromEntries(packages.map((p) => [p, versionOf(p)])),
  };
}

/** The chart beside the results, and on a full run into the docs. */
function writeChart(quickRun: boolean): void {
  const panels = chartPanels(results, ctx);
  if (panels.every((p) => p.rows.length === 0)) return;
  const { jobs, concurrencies } = ctx.sizes;
  const svg = throughputChart(`Processing throughput, ${jobs.toLocaleString('en-US')} no-op jobs (${quickRun ? 'quick run' : 'full run'})`, concurrencies, panels);
  writeFileSync(join(REPO_ROOT, 'bench', 'results', 'throughput.svg'), svg);
  if (!quickRun) {
    mkdirSync(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'docs', 'images', 'bench-throughput.svg'), svg);
  }
}

/** A full run's report into docs/BENCHMARKS.md, between its results markers, under a line saying when, where and with what. */
function writeDocsResults(text: string, saved: { date: string; elapsedS?: number; machine: Record<string, unknown>; versions: Record<string, string> }): void {
  const file = join(REPO_ROOT, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${start} … ${end} markers to write the results between`);
  const m = saved.machine;
  const v = Object.entries(saved.versions).map(([k, x]) => `${k} ${x}`).join(', ');
  const head = `Full run of ${saved.date.slice(0, 16).replace('T', ' ')} UTC, ${saved.elapsedS ?? '?'} s. Machine: ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}. Versions: ${v}.`;
  const body = text.replace(/\n_full run, [^\n]*_$/, '');
  writeFileSync(file, `${doc.slice(0, a + start.length)}\n${head}\n\n${body}\n${doc.slice(b)}`);
}

// ---- main ---------------------------------------------------------------------------------------

mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
if (args.from) {
  const saved = JSON.parse(readFileSync(args.from, 'utf8'));
  if (saved.quick !== quick) throw new Error(`${args.from} is a ${saved.quick ? 'quick' : 'full'} run: pass --quick accordingly`);
  Object.assign(results, saved.results);
  // The run's own sizes (the tables name them), with today's for anything it did not record.
  ctx.sizes = { ...SIZES, ...saved.sizes };
  const targetRows = targets(results, ctx.sizes);
  writeFileSync(args.from, `${JSON.stringify({ ...saved, targets: targetRows }, null, 2)}\n`);
  // A run limited by --only or --systems is not the whole picture: its chart stays beside the results.
  writeChart(saved.quick || saved.partial);
  const text = report(results, saved, targetRows, ctx);
  if (!saved.quick && !saved.partial) writeDocsResults(text, saved);
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

checkInstalled();
const started = Date.now();
const partial = Boolean(args.only || args.systems);
const meta = { date: new Date().toISOString(), quick, partial, sizes: SIZES, machine: describeMachine(), versions: await versions(), busyAtStart: await busyShare(1000) };
log(`remotetask benchmark (${quick ? 'quick' : 'full'}): ${JSON.stringify(meta.versions)}`);
try {
  if (only.has('enqueue')) await runEnqueue();
  if (only.has('throughput')) await runThroughput();
  if (only.has('latency')) await runLatency();
  const n = (x: number) => x.toLocaleString('en-US');
  if (only.has('finished')) await runColumn('finished', `throughput with ${n(SIZES.finished)} finished jobs (c=32)`, SIZES.reps, { jobs: SIZES.jobs, finishedBefore: SIZES.finished });
  if (only.has('backlog')) await runColumn('backlog', `throughput with ${n(SIZES.backlog)} queued jobs (c=32)`, 1, { jobs: SIZES.backlogJobs, queuedBefore: SIZES.backlog });
  if (only.has('io')) await runColumn('io', `I/O-bound jobs (${SIZES.taskMs} ms each, c=32)`, 1, { jobs: SIZES.ioJobs, taskMs: SIZES.taskMs });
  if (only.has('payload')) await runColumn('payload', `${n(SIZES.payloadBytes)}-byte payloads (c=32)`, 1, { jobs: SIZES.payloadJobs, payloadBytes: SIZES.payloadBytes });
  if (only.has('services')) {
    await runColumn('services', `${SIZES.services} services sharing one store`, 1, { jobs: SIZES.servicesJobs, services: SIZES.services, concurrency: 1 });
  }
  if (only.has('processes')) await runProcesses();
  if (only.has('tries')) await runTries();
  if (only.has('features')) await runFeatures();
  if (only.has('memory')) await measure('memory', () => runMemory(results, SIZES.memoryJobs, scratch, log));
  if (only.has('http')) await measure('http', () => runHttp(results, SIZES.httpSeconds, scratch, measure, log));
} finally {
  for (const db of ['bench_remotetask', 'bench_graphile', 'bench_pgboss', 'bench_sidequest', 'bench_floor']) await dropDatabase(db).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
}
const targetRows = targets(results, SIZES);
const elapsedS = Math.round((Date.now() - started) / 1000);
writeFileSync(args.out!, `${JSON.stringify({ ...meta, elapsedS, results, targets: targetRows }, null, 2)}\n`);
writeChart(quick || partial);
const text = report(results, meta, targetRows, ctx);
if (!quick && !partial) writeDocsResults(text, { ...meta, elapsedS });
process.stdout.write(`${text}\n`);
log(`done in ${elapsedS} s; results in ${args.out}`);
process.exit(0);
