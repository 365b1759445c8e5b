/**
 * What cross-process job events cost on PostgreSQL, and how fast they arrive.
 *
 * 1. Throughput: the same kernel drains JOBS queued echo jobs (multi processor, c=32) with its
 *    events published to the other processes and without, rounds alternating in one run (nobody
 *    else subscribes: as a worker of a fleet).
 * 2. Delivery: how long a `completed` event takes from the worker's transition (the event's time)
 *    to a subscriber in another process (bench/lib/event-subscriber.ts, its own store instance and
 *    connections, through the database): while the worker runs a steady stream of jobs added one
 *    at a time (LATENCY_RATE a second), and while it drains a backlog of JOBS at full speed.
 *
 * It prints the figures and writes them into docs/BENCHMARKS.md between the `fleet-events`
 * markers (`--no-docs`: print only).
 *
 *     npx tsx bench/event-relay-cost.ts [--jobs 20000] [--rounds 3] [--latency-jobs 2000] [--no-docs]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createKernel, type Kernel, type NewJob } from '../core/index.js';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { captureLog } from '../test/helpers/capture-log.js';
import { REPO_ROOT, startServer } from './lib/child.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number of at least 1, not "${argv[at + 1]}"`);
  return value;
};
const JOBS = option('jobs', 20_000);
const ROUNDS = option('rounds', 3);
const LATENCY_JOBS = option('latency-jobs', 2_000);
/** Jobs added a second in the steady round: well below what one worker drains, so no backlog builds. */
const LATENCY_RATE = 200;
const WRITE_DOCS = !argv.includes('--no-docs');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface Delivery { p50: number; p99: number; max: number; events: number; jobsPerSecond: number }

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('event_relay_cost');
  const schema = 'bench';
  const config = () => ({
    store: { kind: 'postgres' as const, url: database.url, schema, poolSize: 10 },
    plugins: ['echo'],
    sites: { '': { services: { S: { processor: 'multi' as const, maxConcurrency: 32 } } } },
    autostart: [] as string[],
  });
  const cleaner = await createKernel(config(), { logger: captureLog().logger });
  const figures: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const newJobs = (count: number): NewJob[] => {
    const now = Date.now();
    return Array.from({ length: count }, (_, n) => ({
      service: '@S', task: 'echo', input: { n }, status: 'queued', maxAttempts: 1, created: now, runAt: 0, schedule: null,
    }));
  };
  /** Resolves once the kernel's own processor completed `count` jobs. */
  const completions = (kernel: Kernel, count: number) => new Promise<void>((resolve) => {
    let completed = 0;
    const stop = kernel.events.on((event, _id, local) => {
      if (local && event.type === 'completed' && ++completed === count) {
        stop();
        resolve();
      }
    });
  });
  let delivery: { steady: Delivery; backlog: Delivery };
  try {
    // Round 0 warms up (JIT, prepared statements, the table's pages) and is not counted.
    for (let round = -1; round < ROUNDS * 2; round++) {
      const relay = round % 2 === 0 ? 'on' : 'off';
      const kernel: Kernel = await createKernel(config(), { logger: captureLog().logger });
      if (relay === 'off') kernel.events.publishTo(undefined);
      for (let at = 0; at < JOBS; at += 5_000) await kernel.store.insertMany(newJobs(Math.min(5_000, JOBS - at)));
      const finished = completions(kernel, JOBS);
      const started = performance.now();
      await kernel.getService('@S').startProcessing();
      await finished;
      const seconds = (performance.now() - started) / 1000;
      if (round >= 0) figures[relay].push(JOBS / seconds);
      await kernel.close();
      await cleaner.store.clean('@S', ['completed']);
      console.log(`round ${round + 1}${round < 0 ? ' (warm-up)' : ''}: events to other processes ${relay}: ${Math.round(JOBS / seconds)} jobs/s`);
    }

    /** Runs `load` on a worker kernel while a subscriber process collects the delivery times of `count` completed events. */
    const measure = async (count: number, load: (kernel: Kernel) => Promise<void>): Promise<Delivery> => {
      const subscriber = await startServer(join(REPO_ROOT, 'bench', 'lib', 'event-subscriber.ts'), {
        BENCH_PG_URL: database.url, BENCH_PG_SCHEMA: schema, BENCH_EXPECT: String(count),
      });
      let out = '';
      const latencies = new Promise<number[]>((resolve, reject) => {
        subscriber.process.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /LATENCIES (\[.*\])\n/.exec(out);
          if (match) resolve(JSON.parse(match[1]!) as number[]);
        });
        subscriber.process.on('exit', (code) => reject(new Error(`the subscriber exited (${code}) before it saw ${count} events`)));
      });
      const kernel = await createKernel(config(), { logger: captureLog().logger });
      const started = performance.now();
      await load(kernel);
      const seconds = (performance.now() - started) / 1000;
      const sorted = (await latencies).sort((a, b) => a - b);
      await subscriber.stop();
      await kernel.close();
      await cleaner.store.clean('@S', ['completed']);
      return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1)!, events: sorted.length, jobsPerSecond: count / seconds };
    };
    const steady = await measure(LATENCY_JOBS, async (kernel) => {
      const finished = completions(kernel, LATENCY_JOBS);
      const service = kernel.getService('@S');
      await service.startProcessing();
      // A steady stream: each job added on its own, LATENCY_RATE a second.
      const started = performance.now();
      for (let n = 0; n < LATENCY_JOBS; n++) {
        const due = started + (n * 1000) / LATENCY_RATE - performance.now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        await service.add('echo', { n });
      }
      await finished;
    });
    console.log(`steady stream: p50 ${steady.p50} ms, p99 ${steady.p99} ms (${steady.events} events)`);
    const backlog = await measure(JOBS, async (kernel) => {
      for (let at = 0; at < JOBS; at += 5_000) await kernel.store.insertMany(newJobs(Math.min(5_000, JOBS - at)));
      const finished = completions(kernel, JOBS);
      await kernel.getService('@S').startProcessing();
      await finished;
    });
    console.log(`backlog drain: p50 ${backlog.p50} ms, p99 ${backlog.p99} ms (${backlog.events} events, ${Math.round(backlog.jobsPerSecond)} jobs/s)`);
    delivery = { steady, backlog };
  } finally {
    await cleaner.close();
    await database.drop();
  }
  const on = median(figures.on);
  const off = median(figures.off);
  console.log(`median: on ${Math.round(on)} jobs/s, off ${Math.round(off)} jobs/s, on/off ${(on / off).toFixed(3)}`);
  if (WRITE_DOCS) writeDocs(docsText(figures, delivery));
}

function docsText(figures: Record<'on' | 'off', number[]>, delivery: { steady: Delivery; backlog: Delivery }): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const row = (relay: 'on' | 'off') => `| events to other processes ${relay} | ${n(median(figures[relay]))} jobs/s | ${figures[relay].map(n).join(', ')} |`;
  const ratio = median(figures.on) / median(figures.off);
  const { steady, backlog } = delivery;
  return `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npx tsx bench/event-relay-cost.ts${argv.length ? ` ${argv.join(' ')}` : ''}\`
on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.versions.node}, a machine shared with other work (single
rounds move by ±30 %). One kernel drains ${n(JOBS)} queued echo jobs (multi processor, c=32), rounds
alternating with its events published to the other processes (\`remotetask_events\` NOTIFY) and without,
${ROUNDS} of each in one run after a warm-up round:

| | median of ${ROUNDS} rounds | rounds |
|---|---|---|
${row('on')}
${row('off')}

On/off ${ratio.toFixed(2)} (the aim: within 10 %). Per job the worker adds two JSON texts (\`started\`,
\`completed\`) and a share of one NOTIFY statement; at most one such statement is in flight. A process
that nobody watches does not parse the other processes' events.

Delivery of \`completed\` events, from the worker's transition (the event's time) to a subscriber in
another process (its own store instance and connections):

| | p50 | p99 | max | events |
|---|---|---|---|---|
| steady stream, jobs added one at a time, ${LATENCY_RATE}/s | ${steady.p50} ms | ${steady.p99} ms | ${steady.max} ms | ${n(steady.events)} |
| backlog of ${n(JOBS)} drained at full speed (${n(backlog.jobsPerSecond)} jobs/s) | ${backlog.p50} ms | ${backlog.p99} ms | ${backlog.max} ms | ${n(backlog.events)} |

The backlog row is the figure under full load: events queue behind the worker's own NOTIFY batches
and the subscriber's parsing.`;
}

function writeDocs(text: string): void {
  const file = join(REPO_ROOT, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const start = '<!-- fleet-events:start -->';
  const end = '<!-- fleet-events:end -->';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${start} … ${end} markers to write the figures between`);
  writeFileSync(file, `${doc.slice(0, a + start.length)}\n${text}\n${doc.slice(b)}`);
  console.log(`written into ${file}`);
}

await main();
