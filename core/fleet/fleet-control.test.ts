import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/helpers/capture-log.js';
import { createKernel } from '../kernel/create-kernel.js';

describe('FleetControl and the drain order', () => {
  it('applies a drain whose notification it never heard with the next beat, and the undrain too', async () => {
    const kernel = await createKernel({ store: { kind: 'memory' }, sites: { '': { services: { S: {} } } }, autostart: ['@S'] }, { logger: captureLog().logger });
    try {
      const service = kernel.getService('@S');
      await kernel.heartbeat.beat();
      expect((await kernel.store.listProcesses(kernel.clock())).map((process) => process.id)).toEqual([kernel.workerId]);
      // Deaf to notifications, as a process whose LISTEN connection dropped.
      kernel.fleetControl.stop();
      expect(await kernel.store.setProcessDraining(kernel.workerId, true)).toBe(true);
      expect(service.draining).toBe(false);
      await kernel.heartbeat.beat();
      expect(service.draining).toBe(true);
      expect(service.processor?.paused).toBe(true);
      await kernel.store.setProcessDraining(kernel.workerId, false);
      await kernel.heartbeat.beat();
      expect(service.draining).toBe(false);
      expect(service.processor?.paused).toBe(false);
    } finally {
      await kernel.close();
    }
  });

  it('keeps a service paused everywhere paused when its process is undrained', async () => {
    const kernel = await createKernel({ store: { kind: 'memory' }, sites: { '': { services: { S: {} } } }, autostart: ['@S'] }, { logger: captureLog().logger });
    try {
      const service = kernel.getService('@S');
      await kernel.heartbeat.beat();
      await kernel.store.setProcessDraining(kernel.workerId, true);
      await kernel.heartbeat.beat();
      service.setPausedEverywhere(true);
      await kernel.store.setProcessDraining(kernel.workerId, false);
      await kernel.heartbeat.beat();
      expect(service.processor?.paused).toBe(true);
      service.setPausedEverywhere(false);
      expect(service.processor?.paused).toBe(false);
    } finally {
      await kernel.close();
    }
  });
});
