import type { CancelListener, WakeListener } from './job-store.js';
import { CancelHub } from './cancel-hub.js';
import { type FlowChange, FlowChangeHub, type FlowChangeListener } from './flow-change-hub.js';
import { LocalLocks } from './local-locks.js';
import { WakeHub } from './wake-hub.js';
import { type ControlListener, ControlHub } from './service-pauses.js';

/**
 * Wake-ups, cancel requests and locks of a store that one process holds (memory, SQLite): they
 * never leave the process, so hubs and locks within it are enough.
 */
export abstract class SingleProcessSignals {
  protected readonly wakes = new WakeHub();
  protected readonly cancels = new CancelHub();
  protected readonly controls = new ControlHub();
  protected readonly flowChanges = new FlowChangeHub((change) => this.flowChangeStands(change));
  private readonly locks = new LocalLocks();

  onControl(listener: ControlListener): () => void {
    return this.controls.subscribe(listener);
  }

  onWake(service: string, listener: WakeListener): () => void {
    return this.wakes.subscribe(service, listener);
  }

  onCancelRequested(listener: CancelListener): () => void {
    return this.cancels.subscribe(listener);
  }

  onFlowChanged(listener: FlowChangeListener): () => void {
    return this.flowChanges.subscribe(listener);
  }

  /** Whether a reported flow change is still the job's state when it is delivered (a rolled-back write's is not). */
  protected flowChangeStands(change: FlowChange): boolean {
    void change;
    return true;
  }

  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  tryExclusively<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.locks.tryRun(name, fn);
  }

  /** Drops every subscription (the store closes). */
  protected clearSignals(): void {
    this.wakes.clear();
    this.cancels.clear();
    this.controls.clear();
    this.flowChanges.clear();
  }
}
