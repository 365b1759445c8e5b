/** The agent protocol's routes in process (a real fastify app, the memory store): answers, bad input, roles. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../core/index.js';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { buildHttpApp } from '../plugins/http/index.js';
import { createHttpTestKernel, httpTestTasks, jobCount } from './helpers/http-test-kernel.js';
import { waitUntil } from './helpers/wait-for.js';

const AGENT = 'Bearer agent-token';
const BOSS = 'Bearer boss-token';
const VIEWER = 'Bearer viewer-token';
const BASE = '/api/services/@RootTaskService/agents/a1';

describe('the agent protocol', () => {
  let kernel: Kernel;
  let app: FastifyInstance;

  beforeAll(async () => {
    kernel = await createHttpTestKernel({
      plugins: ['echo', httpTestTasks, 'agents'],
      http: {
        users: {
          boss: { role: 'manager', tokenHash: hashToken('boss-token') },
          viewer: { role: 'viewer', tokenHash: hashToken('viewer-token') },
          worker: { role: 'agent', tokenHash: hashToken('agent-token'), scopes: { services: ['@RootTaskService'], tasks: ['remote-upper', 'echo'] } },
        },
      },
    });
    app = await buildHttpApp(kernel);
  });

  afterAll(async () => {
    await app.close();
    await kernel.close();
  });

  const post = (url: string, payload: unknown, authorization = AGENT) => app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization } });

  it('needs a hello first: 409 agent_unknown names what to do', async () => {
    const answer = await post(`${BASE}/claim`, { limit: 1 });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().error).toMatchObject({ code: 'agent_unknown' });
    expect(answer.json().error.message).toContain(`POST ${BASE}`);
  });

  it('refuses a schema that is none, bad bodies and outcomes, with what was wrong', async () => {
    const bad = await post(BASE, { tasks: [{ name: 'remote-upper', inputSchema: { type: 'no-such-type' } }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toContain('task "remote-upper": its inputSchema is not a JSON Schema');
    expect((await post(BASE, { tasks: 'echo' })).statusCode).toBe(400);
    expect((await post(BASE, { tasks: [{ name: 'echo' }] })).statusCode).toBe(200);
    expect((await post(`${BASE}/claim`, { limit: 0 })).statusCode).toBe(400);
    const noDelay = await post(`${BASE}/finish`, { outcomes: [{ id: 1, kind: 'retry', error: 'x' }] });
    expect(noDelay.statusCode).toBe(400);
    expect(noDelay.json().error.message).toContain('retryInMs');
    expect((await post(`${BASE}/progress`, { id: 1, progress: 2 })).statusCode).toBe(400);
  });

  it('keeps agents to the protocol and the protocol to agents and managers', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/services/@RootTaskService/jobs', headers: { authorization: AGENT } })).statusCode).toBe(403);
    expect((await post(BASE, { tasks: [{ name: 'echo' }] }, VIEWER)).statusCode).toBe(403);
    const outside = await post(BASE, { tasks: [{ name: 'greet' }] });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error.message).toContain('not greet');
    expect((await post('/api/services/site1@Svc/agents/a1', { tasks: [{ name: 'echo' }] })).statusCode).toBe(403);
  });

  it('claims, renews, records progress and finishes for the lease holder only; the announced schema checks add', async () => {
    const schema = { type: 'object', required: ['text'], properties: { text: { type: 'string' } } };
    expect((await post(BASE, { tasks: [{ name: 'remote-upper', description: 'Upper-cases.', inputSchema: schema }, { name: 'echo' }] })).statusCode).toBe(200);
    const service = kernel.getService('@RootTaskService');
    const before = await jobCount(kernel);
    await expect(service.add('remote-upper', { text: 1 })).rejects.toThrow('/text must be string');
    expect(await jobCount(kernel)).toBe(before);
    expect((await service.getAvailableTasks())['remote-upper'].description).toBe('Upper-cases. [served by agents: a1 (connected)]');

    const id = await service.add('remote-upper', { text: 'abc' });
    const claimed = (await post(`${BASE}/claim`, { limit: 10, tasks: ['remote-upper'] })).json().jobs;
    expect(claimed.map((job: { id: number }) => job.id)).toEqual([id]);
    expect((await post(`${BASE}/renew`, { ids: [id] })).json()).toEqual({ renewed: [id], cancel: [] });
    await service.cancel(id);
    expect((await post(`${BASE}/renew`, { ids: [id] })).json()).toEqual({ renewed: [id], cancel: [id] });
    expect((await post(`${BASE}/progress`, { id, progress: 0.5, message: 'half' })).json()).toEqual({ recorded: true });
    // Another agent of the same user cannot finish a job it does not hold.
    await post('/api/services/@RootTaskService/agents/a2', { tasks: [{ name: 'remote-upper' }] });
    expect((await post('/api/services/@RootTaskService/agents/a2/finish', { outcomes: [{ id, kind: 'completed', result: 'X' }] })).json()).toEqual({ applied: [] });
    const finished = await post(`${BASE}/finish`, { outcomes: [{ id, kind: 'cancelled' }] });
    expect(finished.json()).toEqual({ applied: [{ id, status: 'cancelled' }] });
    expect((await service.getJob(id)).progress).toBe(0.5);

    const retried = await service.add('remote-upper', { text: 'again' });
    await post(`${BASE}/claim`, { limit: 1 });
    expect((await post(`${BASE}/finish`, { outcomes: [{ id: retried, kind: 'retry', error: 'busy', retryInMs: 60_000 }] })).json().applied[0].status).toBe('queued');
    const job = await service.getJob(retried);
    expect([job.error, job.runAt > Date.now() + 30_000]).toEqual(['busy', true]);
  });

  it('hands out nothing of a service paused for every process, and again after the resume', async () => {
    await post(BASE, { tasks: [{ name: 'remote-upper' }] });
    const service = kernel.getService('@RootTaskService');
    const id = await service.add('remote-upper', { text: 'paused' });
    await service.pauseEverywhere();
    await waitUntil(() => service.pausedEverywhere);
    expect((await post(`${BASE}/claim`, { limit: 10, tasks: ['remote-upper'] })).json()).toEqual({ jobs: [] });
    expect((await service.getJob(id)).status).toBe('queued');
    await service.resumeEverywhere();
    await waitUntil(() => !service.pausedEverywhere);
    const claimed = (await post(`${BASE}/claim`, { limit: 10, tasks: ['remote-upper'] })).json().jobs;
    expect(claimed.map((job: { id: number }) => job.id)).toContain(id);
    await post(`${BASE}/finish`, { outcomes: claimed.map((job: { id: number }) => ({ id: job.id, kind: 'completed', result: null })) });
  });

  it('takes a snooze: the job waits delayed, the attempt given back', async () => {
    await post(BASE, { tasks: [{ name: 'remote-upper' }] });
    const service = kernel.getService('@RootTaskService');
    const id = await service.add('remote-upper', { text: 'later' });
    const [claimed] = (await post(`${BASE}/claim`, { limit: 1, tasks: ['remote-upper'] })).json().jobs;
    expect(claimed.id).toBe(id);
    expect((await post(`${BASE}/finish`, { outcomes: [{ id, kind: 'snoozed' }] })).statusCode).toBe(400);
    expect((await post(`${BASE}/finish`, { outcomes: [{ id, kind: 'snoozed', snoozeInMs: 60_000 }] })).json()).toEqual({ applied: [{ id, status: 'delayed' }] });
    const job = await service.getJob(id);
    expect([job.status, job.attempts, job.runAt > Date.now() + 30_000]).toEqual(['delayed', 0, true]);
  });

  it('claims only the tasks it asks for: a job of another task is neither taken nor touched', async () => {
    await post(BASE, { tasks: [{ name: 'remote-upper' }, { name: 'echo' }] });
    const service = kernel.getService('@RootTaskService');
    const echo = await service.add('echo', { n: 1 });
    const upper = await service.add('remote-upper', { text: 'mine' });
    // The echo job is first in the queue: a claim of one still gets the job of its task.
    const claimed = (await post(`${BASE}/claim`, { limit: 1, tasks: ['remote-upper'] })).json().jobs;
    expect(claimed.map((job: { id: number }) => job.id)).toEqual([upper]);
    const left = await service.getJob(echo);
    expect([left.status, left.attempts]).toEqual(['queued', 0]);
    await post(`${BASE}/finish`, { outcomes: [{ id: upper, kind: 'completed', result: null }] });
    const rest = (await post(`${BASE}/claim`, { limit: 10, tasks: ['echo'] })).json().jobs;
    expect(rest.map((job: { id: number }) => job.id)).toEqual([echo]);
    await post(`${BASE}/finish`, { outcomes: [{ id: echo, kind: 'completed', result: null }] });
  });
});
