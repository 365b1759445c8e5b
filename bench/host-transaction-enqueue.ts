/**
 * Enqueueing inside the host application's transaction on PostgreSQL, 100 jobs per transaction,
 * beside plain `addMany` of 100 (the store's own connection and commit); rounds of the variants
 * alternate in one run (the machine's load changes between runs), the median round is reported.
 * No worker runs. Variants:
 *
 * - `addMany`: plain, 100 jobs in one store write;
 * - `addMany { client }`: BEGIN, one host row, addMany of 100 on the host's client, COMMIT;
 * - `add { client } ×100`: BEGIN, one host row, 100 awaited adds on the host's client, COMMIT;
 * - `add_job ×100 (SQL)`: BEGIN, one host row, 100 `SELECT add_job(…)` statements, COMMIT.
 *
 *     npx tsx bench/host-transaction-enqueue.ts [transactions per round] [rounds]
 */
import pg from 'pg';
import { createKernel } from '../core/index.js';
import { createTemporaryDatabase } from '../test/helpers/temporary-postgres.js';
import { captureLog } from '../test/helpers/capture-log.js';

const TRANSACTIONS = Number(process.argv[2] ?? 20);
const ROUNDS = Number(process.argv[3] ?? 5);
const JOBS = 100;

async function main(): Promise<void> {
  const database = await createTemporaryDatabase('host_transaction_enqueue');
  const kernel = await createKernel(
    {
      store: { kind: 'postgres', url: database.url, schema: 'bench', poolSize: 4 },
      plugins: ['echo'],
      sites: { '': { services: { S: {} } } },
      autostart: [],
    },
    { logger: captureLog().logger },
  );
  const service = kernel.getService('@S');
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const inputs = (t: number) => Array.from({ length: JOBS }, (_, n) => ({ t, n }));
  const inTransaction = async (work: (client: pg.PoolClient) => Promise<unknown>) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO orders (total) VALUES (1)');
      await work(client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const variants: Record<string, (t: number) => Promise<unknown>> = {
    addMany: (t) => service.addMany('echo', inputs(t)),
    'addMany { client }': (t) => inTransaction((client) => service.addMany('echo', inputs(t), { client })),
    'add { client } ×100': (t) =>
      inTransaction(async (client) => {
        for (const input of inputs(t)) await service.add('echo', input, { client });
      }),
    'add_job ×100 (SQL)': (t) =>
      inTransaction(async (client) => {
        for (const input of inputs(t)) await client.query({ name: 'add-job', text: `SELECT bench.add_job('@S', 'echo', $1)`, values: [input] });
      }),
  };
  const rates = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  try {
    await pool.query('CREATE TABLE orders (id serial PRIMARY KEY, total int)');
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, run] of Object.entries(variants)) {
        const started = performance.now();
        for (let t = 0; t < TRANSACTIONS; t++) await run(t);
        // Round 0 warms up.
        if (round > 0) rates.get(name)!.push((TRANSACTIONS * JOBS) / ((performance.now() - started) / 1000));
      }
    }
    const expected = (ROUNDS + 1) * TRANSACTIONS * JOBS * Object.keys(variants).length;
    const queued = (await service.jobs.countByStatus()).queued;
    if (queued !== expected) throw new Error(`${queued} jobs queued, ${expected} expected`);
  } finally {
    await pool.end();
    await kernel.close();
    await database.drop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const base = median(rates.get('addMany')!);
  for (const [name, values] of rates) {
    console.log(`${name.padEnd(20)} ${String(Math.round(median(values))).padStart(6)} jobs/s  (${(median(values) / base).toFixed(2)} of addMany; rounds: ${values.map(Math.round).join(' ')})`);
  }
  console.log(`${TRANSACTIONS} transactions of ${JOBS} jobs per variant and round, ${ROUNDS} rounds`);
}

await main();
