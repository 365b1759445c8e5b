import { describe, expect, it } from 'vitest';
import type { ProcessBeat } from '../process-registry.js';
import type { ContractContext } from './contract-context.contract.js';
import { SERVICE, T0, newJob } from './fixtures.contract.js';

export function beat(overrides: Partial<ProcessBeat> = {}): ProcessBeat {
  return {
    id: 'w1',
    host: 'alpha',
    pid: 101,
    role: 'worker',
    version: '0.1.0',
    services: [{ address: SERVICE, concurrency: 4 }],
    started: T0,
    heartbeat: T0,
    ttl: 30_000,
    ...overrides,
  };
}

/** The contract of recordProcess, removeProcess and listProcesses. */
export function processRegistryContract(t: ContractContext): void {
  describe('the registry of processes', () => {
    it('lists what each process said in its last beat, by host and pid', async () => {
      await t.store.recordProcess(beat({ id: 'w2', host: 'beta', pid: 7 }));
      await t.store.recordProcess(beat());
      await t.store.recordProcess(beat({ heartbeat: T0 + 5_000, services: [] }));
      const listed = await t.store.listProcesses(T0 + 5_000);
      expect(listed.map((process) => [process.id, process.host, process.pid])).toEqual([
        ['w1', 'alpha', 101],
        ['w2', 'beta', 7],
      ]);
      expect(listed[0]).toEqual({ ...beat({ heartbeat: T0 + 5_000, services: [] }), draining: false, lost: false, jobs: [] });
    });

    it('shows a process lost once its last beat is older than its ttl', async () => {
      await t.store.recordProcess(beat());
      expect((await t.store.listProcesses(T0 + 30_000))[0].lost).toBe(false);
      expect((await t.store.listProcesses(T0 + 30_001))[0].lost).toBe(true);
    });

    it('lists the jobs each process holds, from their leases', async () => {
      await t.store.recordProcess(beat());
      await t.store.recordProcess(beat({ id: 'w2', host: 'beta' }));
      const mine = await t.claimJob((await t.store.insert(newJob({ task: 'a' }))).id, T0, 'w1');
      const theirs = await t.claimJob((await t.store.insert(newJob({ task: 'b' }))).id, T0 + 1, 'w2');
      await t.store.insert(newJob());
      const done = await t.claimJob((await t.store.insert(newJob())).id, T0, 'w1');
      await t.store.finish([{ id: done.id, workerId: 'w1', now: T0 + 2, kind: 'completed', result: null }]);
      const [w1, w2] = await t.store.listProcesses(T0 + 3);
      expect(w1.jobs).toEqual([{ id: mine.id, service: SERVICE, task: 'a', started: T0 }]);
      expect(w2.jobs).toEqual([{ id: theirs.id, service: SERVICE, task: 'b', started: T0 + 1 }]);
    });

    it('removes a process that stopped cleanly, and says whether it was there', async () => {
      await t.store.recordProcess(beat());
      expect(await t.store.removeProcess('w1')).toBe(true);
      expect(await t.store.removeProcess('w1')).toBe(false);
      expect(await t.store.listProcesses(T0)).toEqual([]);
    });
  });
}
