import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-context.contract.js';
import { OTHER, SERVICE, T0, bounded } from './fixtures.contract.js';

/** The contract of setServicePaused, pausedServices and onControl. */
export function servicePausesContract(t: ContractContext): void {
  describe('fleet-wide pauses', () => {
    it('pauses a service once, lists it with the time, and resumes it once', async () => {
      expect(await t.store.pausedServices()).toEqual([]);
      expect(await t.store.setServicePaused(SERVICE, true, T0)).toBe(true);
      expect(await t.store.setServicePaused(SERVICE, true, T0 + 5)).toBe(false);
      expect(await t.store.setServicePaused(OTHER, true, T0 + 1)).toBe(true);
      expect(await t.store.pausedServices()).toEqual([{ service: OTHER, since: T0 + 1 }, { service: SERVICE, since: T0 }]);
      expect(await t.store.setServicePaused(SERVICE, false, T0 + 2)).toBe(true);
      expect(await t.store.setServicePaused(SERVICE, false, T0 + 3)).toBe(false);
      expect(await t.store.pausedServices()).toEqual([{ service: OTHER, since: T0 + 1 }]);
    });

    it('tells control listeners of each change, and of no non-change', async () => {
      const heard: (string | null)[] = [];
      let resolve: () => void = () => undefined;
      const unsubscribe = t.store.onControl((service) => {
        heard.push(service);
        if (heard.length === 2) resolve();
      });
      const twoHeard = new Promise<void>((done) => (resolve = done));
      await t.store.setServicePaused(SERVICE, true, T0);
      await t.store.setServicePaused(SERVICE, true, T0);
      await t.store.setServicePaused(SERVICE, false, T0);
      await bounded(twoHeard, 'two control changes heard');
      unsubscribe();
      expect(heard).toEqual([SERVICE, SERVICE]);
    });
  });
}
