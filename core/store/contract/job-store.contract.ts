import { afterEach, beforeEach, describe } from 'vitest';
import type { JobStore } from '../job-store.js';
import { makeContractContext } from './contract-context.contract.js';
import { insertAndGetContract } from './insert-and-get.contract.js';
import { claimContract } from './claim.contract.js';
import { claimTasksContract } from './claim-tasks.contract.js';
import { finishContract } from './finish.contract.js';
import { leasesContract } from './leases.contract.js';
import { managingContract } from './managing.contract.js';
import { listingContract } from './listing.contract.js';
import { countingContract } from './counting.contract.js';
import { wakeUpsContract } from './wake-ups.contract.js';
import { cancelRequestsContract } from './cancel-requests.contract.js';
import { exclusivelyContract } from './exclusively.contract.js';
import { durabilityContract } from './durability.contract.js';
import { retryContract } from './retry.contract.js';
import { snoozeContract } from './snooze.contract.js';
import { processRegistryContract } from './process-registry.contract.js';
import { servicePausesContract } from './service-pauses.contract.js';
import { prioritiesContract } from './priorities.contract.js';
import { uniqueKeysContract } from './unique-keys.contract.js';
import { retentionContract } from './retention.contract.js';
import { processDrainContract } from './process-drain.contract.js';
import { completionsContract } from './completions.contract.js';
import { attemptsContract } from './attempts.contract.js';
import { limitsContract } from './limits.contract.js';
import { serialQueuesContract } from './serial-queues.contract.js';
import { dependenciesContract } from './dependencies.contract.js';
import { batchesContract } from './batches.contract.js';

/**
 * The one suite every JobStore runs. It pins the semantics the task services rely upon, so that
 * memory, SQLite and PostgreSQL behave alike. Notes for implementers:
 * - `makeStore` returns an open store with no jobs in it; `dispose` (default: close) ends it.
 * - `reopen`, for durable stores, closes the store and opens it again on the same data.
 * - Strings sort by code point (SQLite's BINARY); PostgreSQL needs `COLLATE "C"` on task and status.
 * - In listings a null (`started`, `completed`) sorts after every value; `-key` is the exact reverse.
 * - Only `recoverExpired` takes a lease back: `claim` never takes a leased job, expired or not.
 * - A cancel requested while a job ran wins over an outcome that would make it wait again
 *   (retry, release, a cron job's next occurrence, a lost lease): the job ends `cancelled`.
 */
export interface JobStoreContractOptions {
  reopen?: (store: JobStore) => Promise<JobStore>;
}

export function describeJobStoreContract(
  name: string,
  makeStore: () => Promise<JobStore>,
  dispose: (store: JobStore) => Promise<void> = (store) => store.close(),
  options: JobStoreContractOptions = {},
): void {
  describe(`JobStore contract: ${name}`, () => {
    const t = makeContractContext();

    beforeEach(async () => {
      t.store = await makeStore();
    });
    afterEach(async () => {
      await dispose(t.store);
    });

    insertAndGetContract(t);
    claimContract(t);
    claimTasksContract(t);
    finishContract(t);
    leasesContract(t);
    managingContract(t);
    listingContract(t);
    countingContract(t);
    wakeUpsContract(t);
    cancelRequestsContract(t);
    exclusivelyContract(t);
    retryContract(t);
    snoozeContract(t);
    processRegistryContract(t);
    servicePausesContract(t);
    prioritiesContract(t);
    uniqueKeysContract(t);
    retentionContract(t);
    processDrainContract(t);
    completionsContract(t);
    attemptsContract(t);
    limitsContract(t);
    serialQueuesContract(t);
    dependenciesContract(t);
    batchesContract(t);
    if (options.reopen) durabilityContract(t, options.reopen);
  });
}
