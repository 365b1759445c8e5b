import { afterEach, expect, it } from 'vitest';
import { httpServerOf } from '../plugins/http/index.js';
import { createIsolationKernel, HEAVY, type IsolationKernel } from './fixtures/isolation/isolation-kernel.js';
import { isolationFixtures } from './fixtures/isolation/isolation-fixtures.js';

let running: IsolationKernel | undefined;
afterEach(async () => {
  await running?.kernel.close();
  running = undefined;
});

it('a CPU-bound task in a thread leaves the service thread free: other services run jobs and the HTTP server answers', async () => {
  running = await createIsolationKernel({
    plugins: ['echo', 'http', isolationFixtures],
    http: { host: '127.0.0.1', port: 0 },
    sites: { '': { services: { Heavy: HEAVY, Light: {} } } },
  });
  const { kernel, events, seen, ended } = running;
  const url = httpServerOf(kernel)!.url;
  const heavy = kernel.getService('@Heavy');
  const light = kernel.getService('@Light');
  heavy.startProcessing();
  light.startProcessing();

  // ~2 s of a busy loop that never yields; it says "spinning" just before the loop.
  const cpuJob = await heavy.add('busy-thread', { ms: 2_000 });
  await seen((event) => event.jobId === cpuJob && event.type === 'progress');

  // While it spins: echo jobs, one after the other, on another service of the same kernel…
  const echoJobs: number[] = [];
  for (let i = 0; i < 4; i++) {
    const id = await light.add('echo', { i });
    echoJobs.push(id);
    await ended(id);
  }
  // …and a health check over real HTTP.
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  const eventsWhenHealthAnswered = events.length;

  const cpuEnd = await ended(cpuJob);
  expect(cpuEnd.type).toBe('completed');
  expect((await heavy.getResult(cpuJob)) as { spins: number }).toMatchObject({ spins: expect.any(Number) });

  // The order is the proof: every echo job and the health check finished after the CPU job had
  // started spinning and before it completed.
  const index = (match: (event: (typeof events)[number]) => boolean) => events.findIndex(match);
  const spinning = index((event) => event.jobId === cpuJob && event.type === 'progress');
  const cpuCompleted = index((event) => event.jobId === cpuJob && event.type === 'completed');
  for (const id of echoJobs) {
    const completed = index((event) => event.jobId === id && event.type === 'completed');
    expect(completed).toBeGreaterThan(spinning);
    expect(completed).toBeLessThan(cpuCompleted);
  }
  expect(cpuCompleted).toBeGreaterThanOrEqual(eventsWhenHealthAnswered);
  expect(await light.jobs.countByStatus()).toMatchObject({ completed: 4 });
});
