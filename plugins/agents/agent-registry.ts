import type { JsonSchema, Token } from 'remotetask';
import type { AnnouncedTask } from './protocol.js';

/** One agent process as the server knows it. */
export interface AgentSession {
  /** The agent's own name for itself (`{agent}` in its routes). */
  agent: string;
  /** The user (token) it authenticated as. */
  user: string;
  service: string;
  /** Its name in the store's leases: `agent:<user>:<agent>`. */
  workerId: string;
  tasks: Map<string, AnnouncedTask>;
  /** Jobs it claimed and has not finished, with their tasks: where a cancel request is pushed to. */
  held: Map<number, string>;
  /** When it last spoke (ms), and how many event streams it has open. */
  lastSeen: number;
  streams: number;
  /** Pushes an event down its open streams. */
  push: Set<(event: 'wake' | 'cancel', data: unknown) => void>;
}

/** An agent serving a task, as the task list shows it. */
export interface TaskServer {
  agent: string;
  user: string;
  service: string;
  connected: boolean;
}

/**
 * The agents this server process knows, kept in its memory. The seam for a process registry
 * shared across server processes: everything else reads agents through this interface.
 */
export interface AgentDirectory {
  hello(session: Omit<AgentSession, 'held' | 'lastSeen' | 'streams' | 'push'>): AgentSession;
  find(user: string, agent: string): AgentSession | undefined;
  goodbye(user: string, agent: string): void;
  sessions(): AgentSession[];
  /** Who serves the task, connected ones first. */
  serversOf(task: string): TaskServer[];
  /** The input schema a connected agent announced for the task, if any. */
  announcedSchema(task: string): { inputSchema?: JsonSchema; outputSchema?: JsonSchema; description?: string } | undefined;
  /** The session holding this job, if any agent here does. */
  holderOf(jobId: number): AgentSession | undefined;
  /** Bookkeeping of who holds which job: claimed (`held`), then finished or handed back (`released`). */
  held(session: AgentSession, jobs: ReadonlyArray<{ id: number; task: string }>): void;
  released(session: AgentSession, ids: readonly number[]): void;
  isConnected(session: AgentSession): boolean;
}

export const AgentDirectoryToken: Token<AgentDirectory> = Symbol.for('remotetask.agents.directory');

/** In memory, for one server process. An agent is connected while a stream is open or it spoke within `connectedForMs`. */
export class MemoryAgentDirectory implements AgentDirectory {
  readonly #sessions = new Map<string, AgentSession>();
  readonly #holders = new Map<number, AgentSession>();

  constructor(
    private readonly clock: () => number,
    private readonly connectedForMs: number,
  ) {}

  hello(fields: Omit<AgentSession, 'held' | 'lastSeen' | 'streams' | 'push'>): AgentSession {
    const key = `${fields.user}\u0000${fields.agent}`;
    const before = this.#sessions.get(key);
    const session: AgentSession = {
      ...fields,
      held: before?.held ?? new Map(),
      lastSeen: this.clock(),
      streams: before?.streams ?? 0,
      push: before?.push ?? new Set(),
    };
    this.#sessions.set(key, session);
    for (const id of session.held.keys()) this.#holders.set(id, session);
    return session;
  }

  find(user: string, agent: string): AgentSession | undefined {
    const session = this.#sessions.get(`${user}\u0000${agent}`);
    if (session) session.lastSeen = this.clock();
    return session;
  }

  goodbye(user: string, agent: string): void {
    const session = this.#sessions.get(`${user}\u0000${agent}`);
    if (!session) return;
    for (const id of session.held.keys()) this.#holders.delete(id);
    this.#sessions.delete(`${user}\u0000${agent}`);
  }

  sessions(): AgentSession[] {
    return [...this.#sessions.values()];
  }

  isConnected(session: AgentSession): boolean {
    return session.streams > 0 || this.clock() - session.lastSeen < this.connectedForMs;
  }

  serversOf(task: string): TaskServer[] {
    return this.sessions()
      .filter((session) => session.tasks.has(task))
      .map((session) => ({ agent: session.agent, user: session.user, service: session.service, connected: this.isConnected(session) }))
      .sort((a, b) => Number(b.connected) - Number(a.connected));
  }

  announcedSchema(task: string): AnnouncedTask | undefined {
    for (const session of this.#sessions.values()) {
      if (this.isConnected(session) && session.tasks.has(task)) return session.tasks.get(task);
    }
    return undefined;
  }

  holderOf(jobId: number): AgentSession | undefined {
    return this.#holders.get(jobId);
  }

  held(session: AgentSession, jobs: ReadonlyArray<{ id: number; task: string }>): void {
    for (const { id, task } of jobs) {
      session.held.set(id, task);
      this.#holders.set(id, session);
    }
  }

  released(session: AgentSession, ids: readonly number[]): void {
    for (const id of ids) {
      session.held.delete(id);
      if (this.#holders.get(id) === session) this.#holders.delete(id);
    }
  }
}
