/**
 * Limits and serial queues over the service API, REST, XML-RPC and the config: a job names a
 * queue, shows its queue or limit, and, read alone, why it waits; bad limits and queues are
 * refused saying what would be right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedLimits, gateOf } from '../core/service/limit-options.js';
import { validateConfig } from '../core/config/validate-config.js';
import { serveHttpTestKernel, jobCount, type ServedTestKernel } from './helpers/http-test-kernel.js';

describe('limit options', () => {
  it('reads rate windows in ms or with a unit, and refuses what limits nothing or is malformed', () => {
    expect(checkedLimits({ a: { concurrency: 2, rate: { count: 100, per: '1m' } }, b: { rate: { count: 5, per: 250 } } })).toEqual({
      a: { concurrency: 2, rate: { count: 100, perMs: 60_000 } },
      b: { rate: { count: 5, perMs: 250 } },
    });
    expect(() => checkedLimits({ a: {} })).toThrow(/limit "a" limits nothing: give it a concurrency, a rate/);
    expect(() => checkedLimits({ a: { concurrency: 0 } })).toThrow(/concurrency must be a whole number, at least 1; got 0/);
    expect(() => checkedLimits({ a: { rate: { count: 1, per: '1 minute' } } })).toThrow(/rate.per must be a window .* like '500ms', '1s', '1m', '1h'; got "1 minute"/);
  });

  it('gives a job the gate of its queue, its task’s limit or the service-wide one, per partition', () => {
    const limits = checkedLimits({ convert: { concurrency: 1, partitionBy: 'customer' }, '*': { rate: { count: 1, per: '1s' } } });
    expect(gateOf('convert', { customer: 'acme' }, undefined, limits)).toBe('["limit","convert","acme"]');
    expect(gateOf('other', null, undefined, limits)).toBe('["limit","*"]');
    expect(gateOf('other', null, undefined, undefined)).toBeNull();
    expect(gateOf('other', null, 'q', undefined)).toBe('["queue","q"]');
    expect(() => gateOf('convert', { customer: { id: 1 } }, undefined, limits)).toThrow(
      /the limit "convert" applies per value of the input's field "customer": give the input a string, number or boolean "customer"; got \{"id":1\}/,
    );
    expect(() => gateOf('convert', { customer: 'a' }, 'q', limits)).toThrow(/task "convert" is under the limit "convert"; its jobs cannot also name a queue/);
  });

  it('checks limits in the config file, naming the key', () => {
    const problems = (limits: unknown) => {
      try {
        validateConfig({ sites: { '': { services: { S: { limits } } } } } as never, 'remotetask.config.ts');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({ convert: { concurrency: 2, rate: { count: 100, per: '1m' }, partitionBy: 'customer' } })).toBe('');
    expect(problems({ convert: { concurency: 2 } })).toMatch(/limits\.convert/);
    expect(problems({ convert: { rate: { count: 1, per: 'soon' } } })).toMatch(/limits\.convert\.rate\.per/);
  });
});

describe('limits and serial queues through REST and XML-RPC', () => {
  let served: ServedTestKernel;
  const api = (path: string) => `${served.base}/api/services/@RootTaskService${path}`;
  const send = (method: string, path: string, body: unknown) =>
    fetch(api(path), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    served = await serveHttpTestKernel({
      sites: { '': { services: { RootTaskService: { limits: { echo: { concurrency: 1, partitionBy: 'customer' } } } } } },
    });
  });
  afterAll(async () => {
    await served.close();
  });

  it('adds jobs to a serial queue and shows the queue, and why the second waits', async () => {
    const first = (await (await send('POST', '/jobs', { task: 'steps', input: 1, queue: 'orders-7' })).json()) as { id: number };
    const second = (await (await send('POST', '/jobs', { task: 'steps', input: 2, queue: 'orders-7' })).json()) as { id: number };
    expect(await (await fetch(api(`/jobs/${first.id}`))).json()).toMatchObject({ queue: 'orders-7', limit: null, heldBy: null });
    expect(await (await fetch(api(`/jobs/${second.id}`))).json()).toMatchObject({
      queue: 'orders-7', heldBy: { queue: 'orders-7', reason: `job ${first.id} of the queue comes first` },
    });
    const plain = (await (await send('POST', '/jobs', { task: 'steps' })).json()) as { id: number };
    expect(await (await fetch(api(`/jobs/${plain.id}`))).json()).toMatchObject({ queue: null, limit: null, heldBy: null });
  });

  it('shows a limited job’s limit and partition, and why it waits once the partition is busy', async () => {
    const service = served.kernel.getService('@RootTaskService');
    const a1 = await service.add('echo', { customer: 'a' });
    const a2 = await service.add('echo', { customer: 'a' });
    expect(await (await fetch(api(`/jobs/${a1}`))).json()).toMatchObject({ limit: { name: 'echo', partition: 'a' }, heldBy: null });
    await served.kernel.store.claim({
      service: service.address, now: Date.now(), workerId: 'w', leaseMs: 60_000, limit: 1, jobId: a1, nextRunAt: () => null, limits: service.limits,
    });
    expect(await (await fetch(api(`/jobs/${a2}`))).json()).toMatchObject({ heldBy: { limit: 'echo', partition: 'a', reason: 'concurrency 1 reached' } });
  });

  it('refuses a bad queue name or a job its limit cannot place, storing nothing', async () => {
    const before = await jobCount(served.kernel);
    const tooLong = await send('POST', '/jobs', { task: 'steps', queue: 'q'.repeat(201) });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(await tooLong.json())).toMatch(/queue/);
    const unplaced = await send('POST', '/jobs', { task: 'echo', input: { nobody: 1 } });
    expect(unplaced.status).toBe(400);
    expect(await unplaced.json()).toMatchObject({ error: { code: 'invalid_gate_options' } });
    const both = await send('POST', '/jobs', { task: 'echo', input: { customer: 'a' }, queue: 'q' });
    expect(both.status).toBe(400);
    expect(JSON.stringify(await both.json())).toMatch(/cannot also name a queue/);
    expect(await jobCount(served.kernel)).toBe(before);
  });

  it('adds to a queue over XML-RPC', async () => {
    const answer = await fetch(`${served.base}/xmlrpc/@RootTaskService`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>addWithOptions</methodName><params><param><value><string>steps</string></value></param>' +
        '<param><value><nil/></value></param><param><value><struct><member><name>queue</name><value><string>x</string></value></member></struct></value></param></params></methodCall>',
    }).then((response) => response.text());
    const id = Number(/<int>(\d+)<\/int>/.exec(answer)![1]);
    expect((await served.kernel.store.get(id))?.gate).toBe('["queue","x"]');
  });
});
