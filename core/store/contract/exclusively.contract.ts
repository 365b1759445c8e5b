import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';

/** The contract of exclusively. */
export function exclusivelyContract(t: ContractContext): void {
  describe('exclusively', () => {
    it('runs callers of one lock name one after another, and other names alongside', async () => {
      const events: string[] = [];
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstStarted!: () => void;
      const started = new Promise<void>((resolve) => (firstStarted = resolve));
      const first = t.store.exclusively('boot', async () => {
        events.push('first in');
        firstStarted();
        await firstHolds;
        events.push('first out');
        return 1;
      });
      await started;
      const second = t.store.exclusively('boot', async () => {
        events.push('second in');
        return 2;
      });
      const other = await t.store.exclusively('other', async () => {
        events.push('other');
        return 3;
      });
      expect(other).toBe(3);
      releaseFirst();
      expect(await Promise.all([first, second])).toEqual([1, 2]);
      expect(events).toEqual(['first in', 'other', 'first out', 'second in']);
    });

    it('releases the lock when the callback throws', async () => {
      await expect(
        t.store.exclusively('boot', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await t.store.exclusively('boot', async () => 'free')).toBe('free');
    });
  });
}
