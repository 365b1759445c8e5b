import { describe, expect, it } from 'vitest';
import { processControlKey } from '../process-registry.js';
import type { ContractContext } from './contract-context.contract.js';
import { T0, bounded } from './fixtures.contract.js';
import { beat } from './process-registry.contract.js';

/** The contract of setProcessDraining and the orders recordProcess answers. */
export function processDrainContract(t: ContractContext): void {
  describe('draining a process', () => {
    it('answers each beat with the orders stored for the process: drain until undone', async () => {
      expect(await t.store.recordProcess(beat())).toEqual({ draining: false });
      await t.store.recordProcess(beat({ id: 'w2', host: 'beta' }));
      expect(await t.store.setProcessDraining('w1', true)).toBe(true);
      // The order outlives the process's own beats: they replace what it says, not what it was told.
      expect(await t.store.recordProcess(beat({ heartbeat: T0 + 1_000 }))).toEqual({ draining: true });
      expect(await t.store.recordProcess(beat({ id: 'w2', host: 'beta' }))).toEqual({ draining: false });
      expect((await t.store.listProcesses(T0 + 1_000)).map((process) => [process.id, process.draining])).toEqual([
        ['w1', true],
        ['w2', false],
      ]);
      expect(await t.store.setProcessDraining('w1', false)).toBe(true);
      expect(await t.store.recordProcess(beat({ heartbeat: T0 + 2_000 }))).toEqual({ draining: false });
    });

    it('says false for a process it does not know, and a process recorded again after a clean stop starts afresh', async () => {
      expect(await t.store.setProcessDraining('nobody', true)).toBe(false);
      expect(await t.store.listProcesses(T0)).toEqual([]);
      await t.store.recordProcess(beat());
      await t.store.setProcessDraining('w1', true);
      await t.store.removeProcess('w1');
      expect(await t.store.recordProcess(beat())).toEqual({ draining: false });
    });

    it('tells control listeners under the process key, not a service address', async () => {
      await t.store.recordProcess(beat());
      let heard: (value: string | null) => void = () => undefined;
      const first = new Promise<string | null>((resolve) => (heard = resolve));
      const unsubscribe = t.store.onControl((key) => heard(key));
      await t.store.setProcessDraining('w1', true);
      expect(await bounded(first, 'the drain order heard')).toBe(processControlKey('w1'));
      unsubscribe();
    });
  });
}
