import type { KeyedInsert, NewJob, OnKeyTaken } from './job-store.js';
import { inClaimOrder } from './in-claim-order.js';
import { SameTurnQueue } from './same-turn-queue.js';

/** A keyed add: the job, what to do when its key is taken, and the time the key rules are judged at. */
export interface KeyedRequest {
  job: NewJob & { key: string };
  onKeyTaken: OnKeyTaken;
  now: number;
}

/** Each request's answer, in the order given: what happened, or why that one failed. */
export type KeyedAnswer = { insert: KeyedInsert } | { error: unknown };

interface PendingKeyed {
  request: KeyedRequest;
  resolve: (insert: KeyedInsert) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for keyed adds, as InsertBatcher is for the others: those asked for in the same turn
 * of the event loop are written by one call of `write`, which applies the key rules to each in turn
 * in one transaction. One request's failure fails only that request. When every key in the batch
 * is a different one, the batch goes in claim order (in-claim-order.ts); when two requests share a
 * key, in the order asked for, since the first one's job is the one the second finds.
 */
export class KeyedInsertBatcher {
  private readonly queue = new SameTurnQueue<PendingKeyed>(() => void this.flush());

  constructor(private readonly write: (requests: KeyedRequest[]) => KeyedAnswer[] | Promise<KeyedAnswer[]>) {}

  insert(request: KeyedRequest): Promise<KeyedInsert> {
    return new Promise<KeyedInsert>((resolve, reject) => this.queue.push({ request, resolve, reject }));
  }

  /** Writes the keyed adds asked for so far (a store flushes before it closes). */
  async flush(): Promise<void> {
    const asked = this.queue.take();
    if (asked.length === 0) return;
    const keys = new Set(asked.map(({ request }) => `${request.job.service}\u0000${request.job.key}`));
    const pending = keys.size === asked.length ? inClaimOrder(asked, (entry) => entry.request.job) : asked;
    let answers: KeyedAnswer[];
    try {
      answers = await this.write(pending.map((entry) => entry.request));
    } catch (error) {
      for (const entry of pending) entry.reject(error);
      return;
    }
    pending.forEach((entry, index) => {
      const answer = answers[index];
      if (answer && 'insert' in answer) entry.resolve(answer.insert);
      else entry.reject(answer ? answer.error : new Error('the store gave no answer for a keyed add'));
    });
  }
}
