import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../jobs/job.js';
import { HeldJobs } from './held-jobs.js';

const job = (id: number) => ({ id, task: 'echo' }) as JobRecord;

describe('HeldJobs', () => {
  it('says when it becomes busy and idle, and hands waiting jobs out in claim order', () => {
    const changes: boolean[] = [];
    const held = new HeldJobs((busy) => changes.push(busy));
    const [a, b, c] = [held.hold(job(1), true), held.hold(job(2), true), held.hold(job(3), false)];
    expect(changes).toEqual([true]);
    expect([held.size, held.waiting]).toEqual([3, 2]);
    expect(held.next()).toBe(a);
    held.drop(a);
    held.drop(c);
    expect(held.takeWaiting()).toEqual([b]);
    expect(held.next()).toBeUndefined();
    expect(changes).toEqual([true]);
    held.drop(b);
    held.drop(b);
    expect(changes).toEqual([true, false]);
  });

  it('aborts a running job once, with the first reason, and starts its grace period', () => {
    const held = new HeldJobs(() => {});
    const running = held.hold(job(1), false);
    running.phase = 'running';
    let graces = 0;
    running.onAbort = () => graces++;
    expect(held.abort(1, 'cancelled')).toBe(true);
    expect(held.abort(1, 'timeout')).toBe(true);
    expect([running.reason, running.controller?.signal.aborted, graces]).toEqual(['cancelled', true, 1]);
  });

  it('marks a waiting job: a lost lease overrides a cancel, and nothing aborts an outcome being written', () => {
    const held = new HeldJobs(() => {});
    const waiting = held.hold(job(1), true);
    held.abort(1, 'cancelled');
    expect([waiting.reason, waiting.controller]).toEqual(['cancelled', undefined]);
    held.abort(1, 'lease lost');
    held.abort(1, 'cancelled');
    expect(waiting.reason).toBe('lease lost');
    const recording = held.hold(job(2), false);
    recording.phase = 'recording';
    expect(held.abort(2, 'lease lost')).toBe(false);
    expect(held.abort(3, 'cancelled')).toBe(false);
    expect(recording.reason).toBeUndefined();
  });

  it('aborts only the running jobs when asked to stop them all', () => {
    const held = new HeldJobs(() => {});
    const waiting = held.hold(job(1), true);
    const running = held.hold(job(2), false);
    running.phase = 'running';
    held.abortRunning('stopping');
    expect([waiting.reason, running.reason]).toEqual([undefined, 'stopping']);
  });
});
