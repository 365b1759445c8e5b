/**
 * A subscriber of job events in a process of its own, for bench/event-relay-cost.ts: it opens a
 * kernel on the store named by BENCH_PG_URL and BENCH_PG_SCHEMA, prints `READY -`, and records for
 * each `completed` event how long after the event's time (the worker's transition) it arrived
 * here. Once BENCH_EXPECT events arrived it prints `LATENCIES <json array of ms>` and exits.
 */
import { createKernel } from '../../core/index.js';
import { captureLog } from '../../test/helpers/capture-log.js';

const expect = Number(process.env.BENCH_EXPECT);
const kernel = await createKernel(
  {
    store: { kind: 'postgres', url: process.env.BENCH_PG_URL!, schema: process.env.BENCH_PG_SCHEMA!, poolSize: 2 },
    plugins: ['echo'],
    sites: { '': { services: { S: {} } } },
    autostart: [],
  },
  { logger: captureLog().logger },
);
const latencies: number[] = [];
kernel.events.on((event, _id, local) => {
  if (local || event.type !== 'completed') return;
  latencies.push(Date.now() - event.time);
  if (latencies.length === expect) {
    process.stdout.write(`LATENCIES ${JSON.stringify(latencies)}\n`, () => void kernel.close().then(() => process.exit(0)));
  }
});
process.stdout.write('READY -\n');
