import type { ChartPanel } from './chart.js';
import { featureRatio, type Results, type Sizes } from './results.js';
import type { Target } from './targets.js';
import { fmt } from './util.js';
import type { ThroughputResult } from './workloads.js';

/** What the report needs to know of the systems: their rows, in order. */
export interface ReportSystem {
  id: string;
  label: string;
  backend: string;
  floor?: boolean;
  /** Runs a tenth of the jobs, one round: marked ‡. */
  slow?: boolean;
  /** A shorter label for the chart. */
  short?: string;
}

export interface ReportContext {
  sizes: Sizes;
  quick: boolean;
  systems: ReportSystem[];
  /** The floor's id of each backend. */
  floorOf: Record<string, string>;
  tries: { id: string; of: string; label: string; setting: string }[];
}

const n = (x: number) => x.toLocaleString('en-US');
const name = (s: ReportSystem) => `${s.label}${s.slow ? ' ‡' : ''}`;
const cell = (r?: ThroughputResult) => (r ? `${fmt(r.jobsPerSecond)}${r.timedOut ? '†' : ''}` : '—');

/** A rate and its share of the floor's rate, e.g. `12,345 (61 %)`; the floor's own row shows its rate only. */
function withShare(r: ThroughputResult | undefined, floor: ThroughputResult | undefined, isFloor: boolean): string {
  if (!r) return '—';
  if (isFloor || !floor) return cell(r);
  const share = (r.jobsPerSecond / floor.jobsPerSecond) * 100;
  return `${cell(r)} (${fmt(share, share < 10 ? 1 : 0)} %)`;
}

const BACKEND_TITLES: Record<string, string> = { postgres: 'PostgreSQL', sqlite: 'SQLite', redis: 'Redis (in memory: a reference)' };

/** The panels of the throughput chart (one per backend), from the results. */
export function chartPanels(results: Results, ctx: ReportContext): ChartPanel[] {
  return Object.entries(BACKEND_TITLES).map(([backend, title]) => ({
    title,
    rows: ctx.systems
      .filter((s) => s.backend === backend && results.throughput[s.id])
      .map((s) => ({
        label: `${s.short ?? s.label}${s.slow ? ' ‡' : ''}`,
        floor: s.floor,
        values: Object.fromEntries(ctx.sizes.concurrencies.map((c) => [c, results.throughput[s.id][c]?.jobsPerSecond])),
      })),
  }));
}

/** A table of one c=32 workload: each system's rate and its share of its backend's floor. */
function oneColumn(lines: string[], title: string, rows: Record<string, ThroughputResult> | undefined, ctx: ReportContext, extra?: (r: ThroughputResult) => string) {
  if (!rows || Object.keys(rows).length === 0) return;
  lines.push(title, '', `| system | jobs/s (share of the floor) |${extra ? ' efficiency |' : ''}`, `|---|--:|${extra ? '--:|' : ''}`);
  for (const s of ctx.systems) {
    const r = rows[s.id];
    if (!r) continue;
    lines.push(`| ${name(s)} | ${withShare(r, rows[ctx.floorOf[s.backend]], !!s.floor)} |${extra ? ` ${extra(r)} |` : ''}`);
  }
  lines.push('');
}

export function report(results: Results, meta: Record<string, unknown>, targetRows: Target[], ctx: ReportContext): string {
  const { sizes } = ctx;
  const lines: string[] = [];
  const label = (id: string) => {
    const s = ctx.systems.find((x) => x.id === id);
    return s ? name(s) : id;
  };
  const cs = sizes.concurrencies;
  if (Object.keys(results.throughput).length > 0) {
    lines.push(`### Processing throughput (jobs/s and share of the backend's floor; ${n(sizes.jobs)} queued no-op jobs; higher is better)`, '');
    lines.push(`| system | ${cs.map((c) => `c=${c}`).join(' | ')} |`, `|---|${cs.map(() => '--:').join('|')}|`);
    for (const s of ctx.systems) {
      const row = results.throughput[s.id];
      if (!row) continue;
      const floor = results.throughput[ctx.floorOf[s.backend]];
      lines.push(`| ${name(s)} | ${cs.map((c) => withShare(row[c], floor?.[c], !!s.floor)).join(' | ')} |`);
    }
    lines.push('', '![Throughput by system and concurrency](images/bench-throughput.svg)', '');
  }
  if (Object.keys(results.throughput).length + Object.keys(results.finished).length > 0) {
    lines.push('† stopped at its time limit: the figure is the rate until then. ‡ far slower than the others: a tenth of the jobs (at least 100; 50 in a quick run), one round.', '');
  }
  oneColumn(lines, `### Throughput with ${n(sizes.finished)} finished jobs in the store (c=32)`, results.finished, ctx);
  oneColumn(lines, `### Throughput with a backlog of ${n(sizes.backlog)} queued jobs (c=32; the first ${n(sizes.backlogJobs)} jobs)`, results.backlog, ctx);
  const ideal = (32 * 1000) / sizes.taskMs;
  oneColumn(lines, `### I/O-bound jobs (each waits ${sizes.taskMs} ms; c=32, ideal ${n(ideal)} jobs/s; ${n(sizes.ioJobs)} jobs)`, results.io, ctx,
    (r) => `${fmt((r.jobsPerSecond / ideal) * 100)} %`);
  oneColumn(lines, `### ${n(sizes.payloadBytes / 1024)} KB payloads (c=32; ${n(sizes.payloadJobs)} jobs)`, results.payload, ctx);
  if (results.services && Object.keys(results.services).length > 0) {
    lines.push(`### ${sizes.services} services sharing one store (each its own processor at concurrency 1; ${n(sizes.servicesJobs)} jobs round robin)`, '');
    lines.push('| system | jobs/s | one service at c=32 |', '|---|--:|--:|');
    for (const [id, r] of Object.entries(results.services)) lines.push(`| ${label(id)} | ${cell(r)} | ${cell(results.throughput[id]?.[32])} |`);
    lines.push('');
  }
  if (results.processes && Object.keys(results.processes).length > 0) {
    const ps = sizes.processes;
    lines.push(`### Worker processes on one PostgreSQL database (each at c=32; ${n(sizes.processJobs)} jobs; jobs/s and × one process)`, '');
    lines.push(`| system | ${ps.map((p) => `${p} process${p > 1 ? 'es' : ''}`).join(' | ')} |`, `|---|${ps.map(() => '--:').join('|')}|`);
    for (const [id, row] of Object.entries(results.processes)) {
      const one = row[ps[0]]?.jobsPerSecond;
      lines.push(`| ${label(id)} | ${ps.map((p) => (row[p] ? `${cell(row[p])}${one && p !== ps[0] ? ` (${fmt(row[p].jobsPerSecond / one, 2)}×)` : ''}` : '—')).join(' | ')} |`);
    }
    lines.push('');
  }
  if (results.tries && Object.keys(results.tries).length > 0) {
    const tc = sizes.triesConcurrencies;
    lines.push(`### Settings tried (jobs/s; ${n(sizes.triesJobs)} jobs, one run each)`, '');
    lines.push(`| system | setting | ${tc.map((c) => `c=${c}`).join(' | ')} |`, `|---|---|${tc.map(() => '--:').join('|')}|`);
    for (const t of ctx.tries) {
      const row = results.tries[t.id];
      if (row) lines.push(`| ${t.label} | ${t.setting} | ${tc.map((c) => cell(row[c])).join(' | ')} |`);
    }
    lines.push('');
  }
  if (results.features && Object.keys(results.features).length > 0) {
    lines.push(`### Cost of features (c=32; ${n(sizes.featureJobs ?? sizes.jobs)} jobs; ${sizes.featureReps ?? sizes.reps} rounds, each a run with the feature on every job and one without, back to back; jobs/s are medians, the cost is 1 − the median of the rounds' ratios)`, '');
    lines.push('| feature | system | without | with | cost | the rounds\' ratios, lowest–highest |', '|---|---|--:|--:|--:|--:|');
    for (const [feature, rows] of Object.entries(results.features)) {
      for (const [id, r] of Object.entries(rows)) {
        const spread = r.ratios && r.ratios.length > 0 ? `${fmt(r.ratios[0], 3)}–${fmt(r.ratios[r.ratios.length - 1], 3)}` : '';
        lines.push(`| ${feature} | ${label(id)} | ${fmt(r.without)} | ${fmt(r.with)} | ${fmt((1 - featureRatio(r)) * 100, 1)} % | ${spread} |`);
      }
    }
    lines.push('');
  }
  if (Object.keys(results.enqueue).length > 0) {
    lines.push('### Enqueue throughput (jobs/s; no worker running)', '');
    lines.push(`| system | one at a time (awaited) | batches of ${sizes.batchSize} |`, '|---|--:|--:|');
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
    lines.push(`### HTTP (autocannon, 32 connections, ${sizes.httpSeconds} s)`, '');
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
    for (const r of Object.values(results.memory)) lines.push(`| ${n(r.jobs)} | ${fmt(r.rssMiB, 1)} | ${fmt(r.peakMiB, 1)} |`);
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
  lines.push(`_${ctx.quick ? 'quick run' : 'full run'}, ${String(meta.date)}; machine: ${JSON.stringify(meta.machine)}_`);
  return lines.join('\n');
}
