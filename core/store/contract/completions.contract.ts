import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { OTHER, SERVICE, T0, newJob } from './fixtures.contract.js';

const MINUTE = 60_000;
/** A minute start near T0 (T0 itself is not on a minute). */
const M0 = Math.floor(T0 / MINUTE) * MINUTE;

/** The contract of completionsPerMinute: finished jobs by the minute of their completion time. */
export function completionsContract(t: ContractContext): void {
  describe('completions per minute', () => {
    async function finish(kind: 'completed' | 'failed', at: number, service = SERVICE, workerId = 'w1'): Promise<void> {
      const { id } = await t.store.insert(newJob({ service }));
      await t.claimJob(id, at - 10, workerId, service);
      await t.finishOne(kind === 'completed'
        ? { id, workerId, now: at, kind: 'completed', result: null }
        : { id, workerId, now: at, kind: 'failed', error: 'boom', errorStack: null });
    }

    it('counts completed and failed jobs of the service per minute since the time asked, whichever worker ran them', async () => {
      await finish('completed', M0 + 1_000);
      await finish('completed', M0 + MINUTE + 5, SERVICE, 'w2');
      await finish('failed', M0 + MINUTE + 59_999);
      await finish('completed', M0 + 3 * MINUTE, SERVICE, 'w2');
      await finish('completed', M0 + MINUTE + 10, OTHER);
      // Neither running nor waiting jobs count.
      await t.claimJob((await t.store.insert(newJob())).id, M0 + MINUTE);
      await t.store.insert(newJob());
      expect(await t.store.completionsPerMinute(SERVICE, M0 + 1_000)).toEqual([
        { start: M0, completed: 1, failed: 0 },
        { start: M0 + MINUTE, completed: 1, failed: 1 },
        { start: M0 + 3 * MINUTE, completed: 1, failed: 0 },
      ]);
      // `since` is inclusive and cuts within a minute.
      expect(await t.store.completionsPerMinute(SERVICE, M0 + MINUTE + 6)).toEqual([
        { start: M0 + MINUTE, completed: 0, failed: 1 },
        { start: M0 + 3 * MINUTE, completed: 1, failed: 0 },
      ]);
      expect(await t.store.completionsPerMinute('@Nothing', M0)).toEqual([]);
    });
  });
}
