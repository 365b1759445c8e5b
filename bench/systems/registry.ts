import { join } from 'node:path';
import type { SystemFactory } from '../lib/system.js';
import { BullmqSystem } from './bullmq.js';
import { FloorPostgresSystem } from './floor-postgres.js';
import { FloorSqliteSystem } from './floor-sqlite.js';
import { GraphileSystem, type GraphileSettings } from './graphile.js';
import { LITEQUE_BEST, LitequeSystem, type LitequeSettings } from './liteque.js';
import { PGBOSS_BEST, PgBossSystem, type PgBossSettings } from './pgboss.js';
import { PlainjobSystem } from './plainjob.js';
import { RemotetaskSystem, type RemotetaskBackend } from './remotetask.js';
import { SIDEQUEST_BEST, SidequestSystem, type SidequestSettings } from './sidequest.js';

/**
 * The workloads, in the order a run makes them. `features` is the place for the cost of a
 * feature (priorities, unique keys, cross-process events, retention): each entry
 * names a feature and the systems that have it (see features()), each measured with the feature and without.
 */
export const WORKLOADS = [
  'enqueue', 'throughput', 'latency', 'finished', 'backlog', 'io', 'payload', 'services', 'processes', 'tries', 'features', 'http', 'memory',
] as const;
export type Workload = (typeof WORKLOADS)[number];

/**
 * A feature whose cost the `features` workload measures: c=32 throughput of each listed system with
 * the feature used on every job (`use`: the job options or setting it takes) against without.
 * Empty until remotetask has priorities, unique keys, cross-process events or retention; a
 * feature is added here with the peers that have it (pg-boss and graphile-worker have priorities
 * and unique keys, Sidequest uniqueness and priorities, BullMQ all four).
 */
export interface Feature {
  feature: 'priorities' | 'unique keys' | 'cross-process events' | 'retention' | 'keys and priorities' | 'retention sweep';
  /** Each system with the feature used (`create`), and the same system without it (`without`). */
  systems: (SystemFactory & { use: string; without: SystemFactory['create'] })[];
  /** Finished jobs put into the store first, both with and without (the run's `finished` size). */
  finishedBefore?: boolean;
}

/** remotetask on both backends, for a feature entry: made with `use`, or plain. */
function remotetaskRows(scratch: string, use: string, options: ConstructorParameters<typeof RemotetaskSystem>[1]) {
  const backends: [string, RemotetaskBackend][] = [
    ['remotetask-pg', { kind: 'postgres', database: 'bench_remotetask' }],
    ['remotetask-sqlite', { kind: 'sqlite', dir: join(scratch, 'remotetask') }],
  ];
  return backends.map(([id, where]) => ({
    id, backend: where.kind, label: `remotetask (${where.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`, use,
    create: () => new RemotetaskSystem(where, options), without: () => new RemotetaskSystem(where),
  }));
}

export function features(scratch: string): Feature[] {
  return [
    // The target: within 10% of plain jobs (each part alone too, to tell which one costs).
    { feature: 'unique keys', systems: remotetaskRows(scratch, 'a key of its own on every job', { keys: true }) },
    { feature: 'priorities', systems: remotetaskRows(scratch, 'one of 5 priorities, in turn, on every job', { priorities: true }) },
    { feature: 'keys and priorities', systems: remotetaskRows(scratch, 'a key of its own and one of 5 priorities on every job', { keys: true, priorities: true }) },
    // The target: the processing costs under 15% more while the sweep runs.
    { feature: 'retention sweep', finishedBefore: true,
      systems: remotetaskRows(scratch, 'a sweep of every prefilled finished job from the start of processing', { sweep: true }) },
  ];
}

export interface SystemEntry extends SystemFactory {
  /** The workloads it takes part in. */
  workloads: Workload[];
  /** One round instead of several, and a shorter time limit (a system far slower than the others). */
  slow?: boolean;
  /** The floor of its backend: the ceiling the other rows are a fraction of. */
  floor?: boolean;
  /** A shorter label for the chart. */
  short?: string;
}

/** The floor of each backend, by backend. */
export const FLOOR_OF: Record<string, string> = { postgres: 'floor-pg', sqlite: 'floor-sqlite' };

export const GW_BATCH: GraphileSettings = { localQueueSize: 2_000, completeJobBatchDelay: 0 };

const MANY = ['throughput', 'io', 'payload'] as const satisfies Workload[];

export function allSystems(scratch: string): SystemEntry[] {
  return [
    { id: 'floor-pg', label: 'floor: raw SQL loop (PostgreSQL)', short: 'floor', backend: 'postgres', floor: true,
      workloads: [...MANY, 'finished', 'backlog', 'processes'], create: () => new FloorPostgresSystem() },
    { id: 'remotetask-pg', label: 'remotetask (PostgreSQL)', backend: 'postgres',
      workloads: ['enqueue', ...MANY, 'latency', 'finished', 'backlog', 'services', 'processes'],
      create: () => new RemotetaskSystem({ kind: 'postgres', database: 'bench_remotetask' }) },
    { id: 'graphile-worker', label: 'graphile-worker (defaults)', backend: 'postgres', slow: true, workloads: ['enqueue', 'throughput', 'latency'],
      create: () => new GraphileSystem({}, 'graphile-worker (defaults)') },
    { id: 'graphile-worker-batched', label: `graphile-worker (localQueue ${GW_BATCH.localQueueSize}, completeJobBatchDelay ${GW_BATCH.completeJobBatchDelay})`, short: 'graphile-worker (batched)',
      backend: 'postgres', workloads: [...MANY, 'latency', 'backlog'], create: () => new GraphileSystem(GW_BATCH, 'graphile-worker (batched)') },
    { id: 'pg-boss', label: 'pg-boss (batchSize c, burstWhenBatchFull, LISTEN/NOTIFY)', short: 'pg-boss', backend: 'postgres', slow: true,
      workloads: ['enqueue', ...MANY, 'latency', 'finished', 'backlog'], create: () => new PgBossSystem() },
    { id: 'sidequest-pg', label: 'Sidequest (PostgreSQL)', backend: 'postgres', slow: true, workloads: ['enqueue', ...MANY, 'latency'],
      create: () => new SidequestSystem({ kind: 'postgres', database: 'bench_sidequest' }) },
    { id: 'floor-sqlite', label: 'floor: raw SQL loop (SQLite)', short: 'floor', backend: 'sqlite', floor: true,
      workloads: [...MANY, 'finished', 'backlog'], create: () => new FloorSqliteSystem(join(scratch, 'floor')) },
    { id: 'remotetask-sqlite', label: 'remotetask (SQLite)', backend: 'sqlite',
      workloads: ['enqueue', ...MANY, 'latency', 'finished', 'backlog', 'services'],
      create: () => new RemotetaskSystem({ kind: 'sqlite', dir: join(scratch, 'remotetask') }) },
    { id: 'plainjob', label: 'plainjob (SQLite)', backend: 'sqlite', workloads: ['enqueue', ...MANY, 'latency', 'finished', 'backlog'],
      create: () => new PlainjobSystem(join(scratch, 'plainjob')) },
    { id: 'liteque', label: 'liteque (SQLite)', backend: 'sqlite', slow: true, workloads: ['enqueue', ...MANY, 'latency', 'backlog'],
      create: () => new LitequeSystem(join(scratch, 'liteque')) },
    { id: 'sidequest-sqlite', label: 'Sidequest (SQLite)', backend: 'sqlite', slow: true, workloads: ['enqueue', ...MANY, 'latency'],
      create: () => new SidequestSystem({ kind: 'sqlite', dir: join(scratch, 'sidequest') }) },
    { id: 'bullmq', label: 'BullMQ (Redis)', backend: 'redis', workloads: ['enqueue', ...MANY, 'latency'], create: () => new BullmqSystem() },
  ];
}

/** A setting tried for a peer: `of` is the row whose setting it is a candidate for. */
export interface Try extends SystemFactory {
  of: string;
  setting: string;
}

/**
 * The candidate settings of each peer, measured by the `tries` workload (c=8 and c=32, one run
 * each): the rows above use the fastest, or the documented default where none was faster.
 */
export function tries(scratch: string): Try[] {
  const gw = (s: GraphileSettings): Try => ({
    id: `try-gw-${s.localQueueSize}-${s.completeJobBatchDelay}`, of: 'graphile-worker-batched', backend: 'postgres', label: 'graphile-worker',
    setting: `localQueue.size ${s.localQueueSize}, completeJobBatchDelay ${s.completeJobBatchDelay}`, create: () => new GraphileSystem(s, 'graphile-worker'),
  });
  const boss = (s: PgBossSettings, setting: string): Try => ({
    id: `try-boss-${s.batchSize}-${s.burst}-${s.notify}`, of: 'pg-boss', backend: 'postgres', label: 'pg-boss', setting,
    create: () => new PgBossSystem(s, 'pg-boss'),
  });
  const sq = (kind: 'postgres' | 'sqlite', s: SidequestSettings): Try => ({
    id: `try-sq-${kind}-${s.pollMs}`, of: kind === 'postgres' ? 'sidequest-pg' : 'sidequest-sqlite', backend: kind, label: `Sidequest (${kind})`,
    setting: `jobPollingInterval ${s.pollMs} ms`,
    create: () => new SidequestSystem(kind === 'postgres' ? { kind, database: 'bench_sidequest' } : { kind, dir: join(scratch, 'sidequest') }, s),
  });
  const lq = (s: LitequeSettings): Try => ({
    id: `try-lq-${s.pollMs}`, of: 'liteque', backend: 'sqlite', label: 'liteque', setting: `pollIntervalMs ${s.pollMs}`,
    create: () => new LitequeSystem(join(scratch, 'liteque'), s),
  });
  return [
    ...[100, 500, 1000, 2000].map((size) => gw({ localQueueSize: size, completeJobBatchDelay: 0 })),
    gw({ localQueueSize: 500, completeJobBatchDelay: 10 }),
    boss(PGBOSS_BEST, 'batchSize c, burstWhenBatchFull, LISTEN/NOTIFY'),
    boss({ ...PGBOSS_BEST, notify: false }, 'batchSize c, burstWhenBatchFull, polling only'),
    boss({ ...PGBOSS_BEST, burst: false }, 'batchSize c, LISTEN/NOTIFY, no burst'),
    boss({ ...PGBOSS_BEST, batchSize: 100 }, 'batchSize 100 (run c at a time), burstWhenBatchFull, LISTEN/NOTIFY'),
    sq('postgres', { pollMs: 100 }), sq('postgres', SIDEQUEST_BEST), sq('sqlite', { pollMs: 100 }), sq('sqlite', SIDEQUEST_BEST),
    lq({ pollMs: 1000 }), lq(LITEQUE_BEST),
  ];
}
