/**
 * Remote agents end to end, with real processes: a server (`remotetask serve`) on SQLite and on
 * PostgreSQL, two Node agents (`remotetask agent`) and the Python example agent, none of which
 * has any access to the database; they reach the server over HTTP only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../plugins/http/auth/hash-token.js';
import { type RunningProcess, spawnRemotetask, spawnWatched } from './helpers/spawn-remotetask.js';
import { createTemporaryDatabase, freePort } from './helpers/temporary-postgres.js';
import { waitUntil } from './helpers/wait-for.js';

const FIXTURE_TASKS = fileURLToPath(new URL('./fixtures/agent-tasks-plugin.ts', import.meta.url));
const PYTHON_AGENT_DIR = fileURLToPath(new URL('../examples/python-agent/', import.meta.url));

const token = () => randomBytes(24).toString('base64url');
const TOKENS = { boss: token(), node: token(), python: token(), echoOnly: token(), elsewhere: token() };

interface Backend {
  name: string;
  store(dir: string): Promise<{ config: Record<string, unknown>; drop(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  { name: 'SQLite', store: async (dir) => ({ config: { kind: 'sqlite', path: join(dir, 'jobs.db') }, drop: async () => {} }) },
  {
    name: 'PostgreSQL',
    async store() {
      const database = await createTemporaryDatabase('agents');
      return { config: { kind: 'postgres', url: database.url }, drop: () => database.drop() };
    },
  },
];

function serverConfig(store: Record<string, unknown>): Record<string, unknown> {
  const agent = (secret: string, scopes: Record<string, string[]>) => ({ role: 'agent', tokenHash: hashToken(secret), scopes });
  return {
    store,
    plugins: ['agents'],
    http: {
      users: {
        boss: { role: 'manager', tokenHash: hashToken(TOKENS.boss) },
        node: agent(TOKENS.node, { services: ['@Agents'] }),
        python: agent(TOKENS.python, { services: ['@Agents'], tasks: ['echo', 'upper', 'slow', 'wait-for-cancel'] }),
        echoOnly: agent(TOKENS.echoOnly, { services: ['@Agents', '@Video'], tasks: ['echo'] }),
        elsewhere: agent(TOKENS.elsewhere, { services: ['@Video'] }),
      },
    },
    // video-convert has no agent in this test: its declared schema checks the input meanwhile.
    agents: { tasks: { 'video-convert': { description: 'Converts a video.', inputSchema: { type: 'object', required: ['source'] } } } },
    sites: { '': { services: { Agents: { leaseMs: 2_000, maxAttempts: 5 }, Video: {} } } },
    autostart: [],
    log: { level: 'info' },
  };
}

describe.each(BACKENDS)('agents with the server on $name', (backend) => {
  let dir: string;
  let configFile: string;
  let agentConfigFile: string;
  let port: number;
  let url: string;
  let server: RunningProcess;
  let drop: () => Promise<void>;
  const agents = new Map<string, RunningProcess>();

  async function startServer(): Promise<void> {
    server = spawnRemotetask(['serve', '--config', configFile, '--port', String(port), '--no-dashboard'], { REMOTETASK_LOG_FORMAT: 'pretty' });
    await server.waitForOutput(/listening on http/);
  }

  function startNodeAgent(name: string, secret: string, service = '@Agents'): RunningProcess {
    const agent = spawnRemotetask(
      ['agent', '--config', agentConfigFile, '--server', url, '--service', service, '--name', name, '--concurrency', '8'],
      { REMOTETASK_TOKEN: secret, REMOTETASK_LOG_FORMAT: 'pretty' },
    );
    agents.set(name, agent);
    return agent;
  }

  function startPythonAgent(name: string): RunningProcess {
    const agent = spawnWatched('python3', ['example_agent.py', '--server', url, '--name', name, '--concurrency', '8'], {
      cwd: PYTHON_AGENT_DIR, env: { REMOTETASK_TOKEN: TOKENS.python, PYTHONUNBUFFERED: '1' },
    });
    agents.set(name, agent);
    return agent;
  }

  async function api(method: string, path: string, body?: unknown, secret = TOKENS.boss): Promise<{ status: number; body: any }> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function add(task: string, input: unknown, service = '@Agents'): Promise<number> {
    const answer = await api('POST', `/api/services/${service}/jobs`, { task, input });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body.id;
  }

  const job = async (id: number, service = '@Agents') => (await api('GET', `/api/services/${service}/jobs/${id}`)).body;

  async function jobsIn(status: string): Promise<Array<{ id: number; input: unknown; result: unknown }>> {
    const found = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `/api/services/@Agents/jobs?status=${status}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      found.push(...page.body.jobs);
      cursor = page.body.nextCursor;
    } while (cursor);
    return found;
  }

  /** The agent whose output says it started the job. */
  async function agentRunning(id: number, task: string): Promise<string> {
    let holder: string | undefined;
    const started = new RegExp(`job ${id} \\(${task}\\) started`);
    await waitUntil(() => (holder = [...agents].find(([, agent]) => started.test(agent.output()))?.[0]) !== undefined, {
      timeout: 15_000, interval: 20, what: `an agent starting job ${id}`,
    });
    return holder!;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'remotetask-agents-'));
    const store = await backend.store(dir);
    drop = store.drop;
    configFile = join(dir, 'server.config.mjs');
    writeFileSync(configFile, `export default ${JSON.stringify(serverConfig(store.config), null, 2)};\n`);
    agentConfigFile = join(dir, 'agent.config.mjs');
    writeFileSync(agentConfigFile, `export default ${JSON.stringify({ plugins: ['echo', FIXTURE_TASKS], defaults: { stopTimeout: 1_000 } })};\n`);
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await startServer();
    const started = [startNodeAgent('node-1', TOKENS.node), startNodeAgent('node-2', TOKENS.node), startPythonAgent('py-1')];
    await Promise.all(started.map((agent) => agent.waitForOutput(/agent (\S+ )?serves/, 30_000)));
  }, 60_000);

  afterAll(async () => {
    for (const agent of agents.values()) agent.child.kill('SIGTERM');
    await Promise.all([...agents.values()].map((agent) => agent.exited));
    server?.child.kill('SIGTERM');
    await server?.exited;
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('runs 1,000 jobs on the agents: every one completes with its result, run by one of them', async () => {
    const ids: number[] = [];
    for (let start = 0; start < 1000; start += 50) {
      ids.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => add('echo', { n: start + i })))));
    }
    await waitUntil(async () => (await jobsIn('completed')).length >= 1000, {
      timeout: 60_000, interval: 250, what: '1,000 jobs completed',
    });
    const completed = await jobsIn('completed');
    const byId = new Map(completed.map((done) => [done.id, done]));
    ids.forEach((id, n) => expect(byId.get(id)?.result).toEqual({ n }));
    // Every job ran on an agent with a token for it: each is in the output of one of the three.
    // An agent logs a completion once its outcome was applied: just after the server shows it.
    const ranBy = new Set<number>();
    const unlogged = () => {
      for (const agent of agents.values()) for (const [, id] of agent.output().matchAll(/job (\d+) \(echo\) completed/g)) ranBy.add(Number(id));
      return ids.filter((id) => !ranBy.has(id));
    };
    await waitUntil(() => unlogged().length === 0, { timeout: 10_000, what: 'every completion in an agent\'s log', detail: () => `not logged: ${unlogged().slice(0, 10).join(', ')}` });
    expect(unlogged()).toEqual([]);
  }, 90_000);

  it('lists agent-served tasks with their agents, and checks input against the announced or the declared schema', async () => {
    const { body } = await api('GET', '/api/services/@Agents/tasks');
    const tasks = new Map<string, { description: string; inputSchema: unknown }>(body.tasks.map((task: any) => [task.name, task]));
    expect(tasks.get('upper')?.description).toContain('py-1 (connected)');
    expect(tasks.get('echo')?.description).toMatch(/node-1 \(connected\)/);
    expect(tasks.get('video-convert')?.description).toContain('none has announced it yet');
    // upper: the schema the Python agent announced; video-convert: the one the config declares.
    expect((await api('POST', '/api/services/@Agents/jobs', { task: 'upper', input: { text: 5 } })).status).toBe(422);
    expect((await api('POST', '/api/services/@Agents/jobs', { task: 'video-convert', input: {} })).status).toBe(422);
    const listed = await api('GET', '/api/services/@Agents/agents');
    expect(listed.body.agents.map((agent: { agent: string }) => agent.agent).sort()).toEqual(['node-1', 'node-2', 'py-1']);
    const openapi = await api('GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toContain('/api/services/{address}/agents/{agent}/claim');
  });

  it('refuses what a token does not cover: a token scoped to echo claims no video-convert job (403), a token of another service is no agent of this one', async () => {
    const id = await add('video-convert', { source: 'in.webm' }, '@Video');
    const base = '/api/services/@Video/agents/intruder';
    expect((await api('POST', base, { tasks: [{ name: 'video-convert' }] }, TOKENS.echoOnly)).status).toBe(403);
    expect((await api('POST', base, { tasks: [{ name: 'echo' }] }, TOKENS.echoOnly)).status).toBe(200);
    const refused = await api('POST', `${base}/claim`, { limit: 10, tasks: ['video-convert'] }, TOKENS.echoOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('video-convert');
    // Claiming its own tasks does not hand it the video-convert job either.
    const own = await api('POST', `${base}/claim`, { limit: 10 }, TOKENS.echoOnly);
    expect(own.body.jobs).toEqual([]);
    const after = await job(id, '@Video');
    expect([after.status, after.attempts]).toEqual(['queued', 0]);
    // An agent may use the agent protocol only; and a token for @Video serves nothing of @Agents.
    expect((await api('GET', '/api/services/@Agents/jobs', undefined, TOKENS.echoOnly)).status).toBe(403);
    const outsider = startNodeAgent('outsider', TOKENS.elsewhere);
    const exit = await outsider.exited;
    agents.delete('outsider');
    expect(exit.code).not.toBe(0);
    expect(outsider.output()).toContain('403');
    expect(outsider.output()).not.toMatch(/job \d+ .* started/);
  }, 30_000);

  it('cancels a job running on an agent: the task sees its signal', async () => {
    const id = await add('wait-for-cancel', null);
    const holder = await agentRunning(id, 'wait-for-cancel');
    expect((await api('POST', `/api/services/@Agents/jobs/${id}/cancel`)).status).toBe(200);
    await agents.get(holder)!.waitForOutput(new RegExp(`job ${id} saw its cancel`), 10_000);
    await waitUntil(async () => (await job(id)).status === 'cancelled', { timeout: 10_000, interval: 50, what: `job ${id} cancelled` });
  }, 30_000);

  it('goes on when the server is away for a while: the agents reconnect and finish the jobs', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => add('slow', { ms: 400 })));
    await waitUntil(async () => (await job(ids[0])).status !== 'queued', { timeout: 15_000, interval: 20, what: 'the first job started' });
    const before = new Map([...agents].map(([name, agent]) => [name, agent.output().length]));
    server.child.kill('SIGTERM');
    await server.exited;
    // Every agent notices (its event stream drops, its calls fail) before the server comes back.
    await waitUntil(() => [...agents].every(([name, agent]) => /lost|does not answer|failed|away/.test(agent.output().slice(before.get(name)))), {
      timeout: 20_000, interval: 50, what: 'every agent noticing the server is away',
    });
    await startServer();
    await waitUntil(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await job(id)).status));
      return statuses.every((status) => status === 'completed');
    }, { timeout: 45_000, interval: 250, what: 'the 30 slow jobs completed after the restart' });
  }, 90_000);

  it('returns the job of an agent killed mid-job to the queue after its lease, and another agent completes it', async () => {
    const id = await add('slow', { ms: 2_000 });
    const holder = await agentRunning(id, 'slow');
    agents.get(holder)!.child.kill('SIGKILL');
    await agents.get(holder)!.exited;
    agents.delete(holder);
    await waitUntil(async () => (await job(id)).status === 'completed', { timeout: 30_000, interval: 100, what: `job ${id} completed elsewhere` });
    let finisher: [string, { output(): string }] | undefined;
    await waitUntil(() => (finisher = [...agents].find(([, agent]) => new RegExp(`job ${id} \\(slow\\) completed`).test(agent.output()))) !== undefined, {
      timeout: 10_000, what: `job ${id}'s completion in an agent's log`,
    });
    expect(finisher?.[0]).toBeDefined();
    expect(finisher?.[0]).not.toBe(holder);
    expect((await job(id)).attempts).toBeGreaterThanOrEqual(2);
  }, 45_000);

  it('hands its jobs back when stopped with SIGTERM: another agent runs the job, no attempt spent', async () => {
    const id = await add('slow', { ms: 60_000 });
    const holder = await agentRunning(id, 'slow');
    const stopped = agents.get(holder)!;
    agents.delete(holder);
    stopped.child.kill('SIGTERM');
    // The running job gets the service's stopTimeout (1 s here), is aborted and handed back.
    expect((await stopped.exited).code, stopped.output().slice(-2000)).toBe(0);
    await agentRunning(id, 'slow');
    expect((await job(id)).attempts).toBe(1);
    await api('POST', `/api/services/@Agents/jobs/${id}/cancel`);
    await waitUntil(async () => (await job(id)).status === 'cancelled', { timeout: 10_000, interval: 50, what: `job ${id} cancelled` });
  }, 45_000);
});
