import type { AppliedOutcome, CancelListener, ClaimOptions, JobOutcome, JobRecord, JobStore } from 'remotetask';
import type { AgentOutcome, ClaimAnswer, FinishAnswer, RenewAnswer } from '../protocol.js';
import type { AgentConnection } from './agent-connection.js';

function notOnAnAgent(what: string): never {
  throw new Error(`${what} is not available on an agent: it reaches its jobs through the agent protocol only (claim, renew, progress, finish)`);
}

function toAgentOutcome(outcome: JobOutcome): AgentOutcome {
  const { id } = outcome;
  switch (outcome.kind) {
    case 'completed': return { id, kind: 'completed', result: outcome.result };
    case 'failed': return { id, kind: 'failed', error: outcome.error, errorStack: outcome.errorStack };
    // The server's clock decides when a retry is due: what crosses is how long to wait.
    case 'retry': return { id, kind: 'retry', error: outcome.error, errorStack: outcome.errorStack, retryInMs: Math.max(0, outcome.runAt - outcome.now) };
    case 'cancelled': return { id, kind: 'cancelled', error: outcome.error };
    case 'snoozed': return { id, kind: 'snoozed', snoozeInMs: Math.max(0, outcome.runAt - outcome.now) };
    case 'released': return { id, kind: 'released' };
  }
}

/**
 * The job store as an agent sees it: the calls the worker side makes (claim, renewLeases,
 * cancelRequestedAmong, finish, setProgress, onWake, onCancelRequested) spoken over HTTP to the
 * server, which applies them to its store for this agent's leases. So an agent runs its tasks with
 * the same processor, job runner, outcome writer and lease keeper as a worker next to the database.
 */
export class HttpJobStore implements JobStore {
  readonly kind = 'agent';
  /** Jobs the last renewal said were asked to stop: the lease keeper asks right after renewing. */
  #cancelAsked = new Set<number>();

  constructor(private readonly connection: AgentConnection) {}

  async open(): Promise<void> {}

  close(): Promise<void> {
    return this.connection.close();
  }

  async claim(options: ClaimOptions): Promise<JobRecord[]> {
    return (await this.connection.call<ClaimAnswer>('/claim', { limit: options.limit ?? 1 })).jobs;
  }

  async renewLeases(ids: number[]): Promise<number[]> {
    const answer = await this.connection.call<RenewAnswer>('/renew', { ids });
    this.#cancelAsked = new Set(answer.cancel);
    return answer.renewed;
  }

  async cancelRequestedAmong(ids: number[]): Promise<number[]> {
    return ids.filter((id) => this.#cancelAsked.has(id));
  }

  async finish(outcomes: JobOutcome[]): Promise<AppliedOutcome[]> {
    return (await this.connection.call<FinishAnswer>('/finish', { outcomes: outcomes.map(toAgentOutcome) })).applied;
  }

  async setProgress(id: number, _workerId: string, progress: number, message: string | null): Promise<boolean> {
    return (await this.connection.call<{ recorded: boolean }>('/progress', { id, progress, message })).recorded;
  }

  onWake(_service: string, listener: () => void): () => void {
    this.connection.wakeListeners.add(listener);
    return () => this.connection.wakeListeners.delete(listener);
  }

  onCancelRequested(listener: CancelListener): () => void {
    const forward = (id: number) => listener({ id, service: '' });
    this.connection.cancelListeners.add(forward);
    return () => this.connection.cancelListeners.delete(forward);
  }

  /** An agent watches no flows: the server's store reports their changes to its own subscribers. */
  onFlowChanged(): () => void {
    return () => {};
  }

  /** Unknown here: the processor sleeps until a wake-up (or its poll interval). */
  async nextRunAt(): Promise<number | null> {
    return null;
  }

  /** The server sweeps expired leases. */
  async recoverExpired(): Promise<number> {
    return 0;
  }

  /** One agent process: nothing to lock against here (the server's store locks its own steps). */
  exclusively<T>(_name: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** The server sweeps its store itself: an agent never gets its locks, so it never sweeps. */
  async tryExclusively(): Promise<{ ran: false }> {
    return { ran: false };
  }

  /** The server lists its agents itself (`GET …/agents`): an agent records no process of its own. */
  async recordProcess(): Promise<{ draining: false }> {
    return { draining: false };
  }
  async removeProcess(): Promise<boolean> {
    return false;
  }
  /** The server holds back a paused service's jobs from every agent (its claim answers none). */
  async pausedServices(): Promise<[]> {
    return [];
  }
  onControl(): () => void {
    return () => undefined;
  }
  listProcesses(): never { return notOnAnAgent('listing processes'); }
  setServicePaused(): never { return notOnAnAgent('pausing services'); }
  setProcessDraining(): never { return notOnAnAgent('draining processes'); }
  completionsPerMinute(): never { return notOnAnAgent('counting completions'); }
  insert(): never { return notOnAnAgent('adding jobs'); }
  insertFlow(): never { return notOnAnAgent('adding flows'); }
  parentsOf(): never { return notOnAnAgent("reading a job's parents (context.parents())"); }
  childrenOf(): never { return notOnAnAgent("reading a job's children"); }
  getBatch(): never { return notOnAnAgent('reading batches (context.batch())'); }
  insertMany(): never { return notOnAnAgent('adding jobs'); }
  retry(): never { return notOnAnAgent('retrying jobs'); }
  insertKeyed(): never { return notOnAnAgent('adding jobs'); }
  setPriority(): never { return notOnAnAgent('changing priorities'); }
  retryAll(): never { return notOnAnAgent('retrying jobs'); }
  get(): never { return notOnAnAgent('reading jobs'); }
  listAttempts(): never { return notOnAnAgent('reading attempt histories'); }
  list(): never { return notOnAnAgent('listing jobs'); }
  countByStatus(): never { return notOnAnAgent('counting jobs'); }
  hasWaiting(): never { return notOnAnAgent('looking for waiting jobs'); }
  heldBy(): never { return notOnAnAgent('reading why a job waits'); }
  start(): never { return notOnAnAgent('starting jobs'); }
  cancel(): never { return notOnAnAgent('cancelling jobs'); }
  cancelAll(): never { return notOnAnAgent('cancelling jobs'); }
  reschedule(): never { return notOnAnAgent('rescheduling jobs'); }
  clean(): never { return notOnAnAgent('cleaning jobs'); }
  finishedPosition(): never { return notOnAnAgent('sweeping finished jobs'); }
  removeFinished(): never { return notOnAnAgent('sweeping finished jobs'); }
}
