/**
 * Jobs through a remote agent against the same jobs in process, in one run: a server kernel (its
 * web service on loopback) with one `remotetask agent` process (no database access, concurrency
 * `--concurrency`) running no-op `echo` jobs, and the same kernel's own multi processor at the same
 * concurrency. Rounds alternate in-process and agent, so both see the same machine load.
 *
 * - throughput: `--jobs` queued jobs, from the first start to the last completion (server's events);
 * - add → start latency: one job at a time, from before `add` to its `started` event on the server
 *   (for the agent, the event is sent as the claim answers: the job is on its way to the agent).
 *
 *     npx tsx bench/agent-bench.ts [--jobs=20000] [--concurrency=32] [--latency-jobs=300] [--rounds=2]
 *                                  [--store=sqlite|memory] [--cpu-prof=DIR]   # profiles of the agent and this process
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createKernel, type JobEvent, type Kernel, type NewJob } from '../core/index.js';
import { AgentDirectoryToken } from '../plugins/agents/index.js';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { captureLog } from '../test/helpers/capture-log.js';
import { spawnWatched } from '../test/helpers/spawn-remotetask.js';
import { BIN, REPO_ROOT } from '../test/helpers/spawn-remotetask.js';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    'latency-jobs': { type: 'string', default: '300' },
    rounds: { type: 'string', default: '2' },
    store: { type: 'string', default: 'sqlite' },
    'cpu-prof': { type: 'string' },
    /** Leave out the in-process rounds (to profile the agent path alone). */
    'agent-only': { type: 'boolean', default: false },
  },
});
const JOBS = Number(args.jobs);
const CONCURRENCY = Number(args.concurrency);
const LATENCY_JOBS = Number(args['latency-jobs']);
const ROUNDS = Number(args.rounds);
if (!['sqlite', 'memory'].includes(args.store!)) throw new Error(`--store ${args.store}: sqlite or memory`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Resolves when `match` has seen what it waits for; a bound keeps a stuck run from hanging. */
function until(kernel: Kernel, match: (event: JobEvent) => boolean, what: string, ms = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`no ${what} within ${ms} ms`)); }, ms);
    const stop = kernel.events.on((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

async function throughput(kernel: Kernel, service: string, begin: () => Promise<void> | void): Promise<number> {
  const now = Date.now();
  const jobs: NewJob[] = Array.from({ length: JOBS }, (_, n) => ({
    service, task: 'echo', input: { n }, status: 'queued', maxAttempts: 1, created: now, runAt: 0, schedule: null,
  }));
  let first = 0;
  let completed = 0;
  const firstStart = until(kernel, (event) => event.type === 'started' && event.service === service, 'first start').then(() => (first = performance.now()));
  const done = until(kernel, (event) => event.type === 'completed' && event.service === service && ++completed === JOBS, `${JOBS} completions`);
  for (let at = 0; at < JOBS; at += 5_000) await kernel.store.insertMany(jobs.slice(at, at + 5_000));
  await begin();
  await Promise.all([firstStart, done]);
  return JOBS / ((performance.now() - first) / 1000);
}

async function latency(kernel: Kernel, address: string): Promise<number[]> {
  const service = kernel.getService(address);
  const samples: number[] = [];
  // By job id: a job may start before add() has returned its id.
  const startedAt = new Map<number, number>();
  const stop = kernel.events.on((event) => {
    if (event.type === 'started' && event.service === address) startedAt.set(event.jobId, performance.now());
  });
  try {
    for (let n = 0; n < LATENCY_JOBS; n++) {
      let id = -1;
      const completed = until(kernel, (event) => event.type === 'completed' && event.jobId === id, 'a completion');
      const began = performance.now();
      id = await service.add('echo', { n });
      await completed;
      samples.push(startedAt.get(id)! - began);
    }
  } finally {
    stop();
  }
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'remotetask-agent-bench-'));
  const token = randomBytes(24).toString('base64url');
  const kernel = await createKernel({
    store: args.store === 'sqlite' ? { kind: 'sqlite', path: join(dir, 'jobs.db') } : { kind: 'memory' },
    plugins: ['echo', 'agents'],
    http: { users: { bench: { role: 'agent', tokenHash: hashToken(token), scopes: { services: ['@Agents'] } } } },
    sites: { '': { services: { Agents: {}, Local: { processor: 'multi', maxConcurrency: CONCURRENCY } } } },
    autostart: [],
  }, { logger: captureLog('warn').logger });
  const app = await buildHttpApp(kernel);
  const serverMs: Record<string, number> = {};
  app.addHook('onResponse', (request, reply, done) => {
    const key = request.url.replace(/^.*\/agents\/[^/]+/, '') || 'hello';
    serverMs[key] = (serverMs[key] ?? 0) + reply.elapsedTime;
    done();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const agentConfig = join(dir, 'agent.config.mjs');
  // The agent's line per job is left out (level warn), as the server's own log is.
  writeFileSync(agentConfig, `export default ${JSON.stringify({ plugins: ['echo'], log: { level: 'warn' } })};\n`);
  const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
  const agent = spawnWatched(process.execPath, [...profile, BIN, 'agent', '--config', agentConfig, '--server', url, '--service', '@Agents',
    '--name', 'bench-1', '--concurrency', String(CONCURRENCY)], { cwd: REPO_ROOT, env: { REMOTETASK_TOKEN: token } });
  const directory = kernel.lookup(AgentDirectoryToken)!;
  for (const bound = Date.now() + 60_000; !directory.sessions().some((session) => session.streams > 0); ) {
    if (Date.now() > bound) throw new Error(`the agent did not connect: ${agent.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  // How the agent's requests batch: claims and finishes, and the jobs in them.
  const calls = { claims: 0, claimed: 0, finishes: 0, finished: 0 };
  const { claim, finish } = kernel.store;
  kernel.store.claim = async (options) => {
    const jobs = await claim.call(kernel.store, options);
    if (options.service === '@Agents') { calls.claims++; calls.claimed += jobs.length; }
    return jobs;
  };
  kernel.store.finish = async (outcomes) => {
    if (outcomes.some((outcome) => outcome.workerId.startsWith('agent:'))) { calls.finishes++; calls.finished += outcomes.length; }
    return finish.call(kernel.store, outcomes);
  };
  const local = kernel.getService('@Local');
  const figures = { local: [] as number[], agent: [] as number[] };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      if (!args['agent-only']) {
        figures.local.push(await throughput(kernel, '@Local', () => local.startProcessing()));
        await local.stopProcessing();
      }
      figures.agent.push(await throughput(kernel, '@Agents', () => undefined));
      console.log(`  agent requests: ${calls.claims} claims (${(calls.claimed / calls.claims).toFixed(1)} jobs each), ${calls.finishes} finishes (${(calls.finished / calls.finishes).toFixed(1)} each)`);
      console.log(`  server time answering (ms, wall): ${JSON.stringify(Object.fromEntries(Object.entries(serverMs).map(([k, v]) => [k, Math.round(v)])))}`);
      for (const key of Object.keys(serverMs)) delete serverMs[key];
      Object.assign(calls, { claims: 0, claimed: 0, finishes: 0, finished: 0 });
      console.log(`round ${round}: in process ${Math.round(figures.local.at(-1) ?? NaN)} jobs/s, through the agent ${Math.round(figures.agent.at(-1)!)} jobs/s`);
      await local.clean(['completed']);
      await kernel.getService('@Agents').clean(['completed']);
    }
    await local.startProcessing();
    const localLatency = args['agent-only'] ? [NaN] : await latency(kernel, '@Local');
    await local.stopProcessing();
    const agentLatency = await latency(kernel, '@Agents');
    const line = (name: string, jobsPerSecond: number[], samples: number[]) =>
      `| ${name} | ${Math.round(median(jobsPerSecond)).toLocaleString('en-US')} | ${quantile(samples, 0.5).toFixed(2)} | ${quantile(samples, 0.95).toFixed(2)} |`;
    console.log(`\n${JOBS.toLocaleString('en-US')} no-op jobs, concurrency ${CONCURRENCY}, ${args.store} store, median of ${ROUNDS} rounds; latency of ${LATENCY_JOBS} jobs one at a time\n`);
    console.log('| | jobs/s | add → start p50 (ms) | p95 (ms) |\n|---|---:|---:|---:|');
    console.log(line('in process', figures.local, localLatency));
    console.log(line('one agent over loopback', figures.agent, agentLatency));
    console.log(`\nslowest starts: in process ${localLatency.slice(-3).map((ms) => ms.toFixed(1)).join(', ')} ms; through the agent ${agentLatency.slice(-3).map((ms) => ms.toFixed(1)).join(', ')} ms`);
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
    await app.close();
    await kernel.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
