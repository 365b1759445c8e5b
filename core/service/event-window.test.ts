import { describe, expect, it } from 'vitest';
import { EventWindow } from './event-window.js';
import { JobEventBus, type JobEvent } from './job-events.js';

const event = (jobId: number): JobEvent => ({ type: 'added', service: '@S', jobId, task: 't', status: 'queued', time: 0 });

describe('EventWindow', () => {
  it('replays what came after an id it holds, and cannot say for one that fell out or lies before a gap', () => {
    const window = new EventWindow<string>(3);
    for (const item of ['a', 'b', 'c', 'd']) window.add(item);
    expect(window.after(4)).toEqual([]);
    expect(window.after(2)?.map(({ item }) => item)).toEqual(['c', 'd']);
    expect(window.after(1)?.map(({ item }) => item)).toEqual(['b', 'c', 'd']);
    expect(window.after(0)).toBeUndefined();
    expect(window.after(5)).toBeUndefined();
    window.gap();
    window.add('e');
    expect(window.after(3)).toBeUndefined();
    expect(window.after(4)?.map(({ item }) => item)).toEqual(['e']);
  });
});

describe('JobEventBus ids', () => {
  it('numbers delivered events and replays by id; an id of another bus means resync', () => {
    const bus = new JobEventBus(100);
    const ids: string[] = [];
    bus.on((_, id) => ids.push(id));
    bus.emit(event(1));
    bus.deliver(event(2));
    bus.emit(event(3));
    expect(bus.since(ids[0]!)?.map(({ event }) => event.jobId)).toEqual([2, 3]);
    expect(bus.since(ids[0]!)?.map(({ id }) => id)).toEqual(ids.slice(1));
    expect(bus.since(`${new JobEventBus().epoch}-1`)).toBeUndefined();
    expect(bus.since('not an id')).toBeUndefined();
  });

  it('publishes what this process made, not what it was delivered', () => {
    const bus = new JobEventBus();
    const published: number[] = [];
    const local: boolean[] = [];
    bus.publishTo((e) => published.push(e.jobId));
    bus.on((_e, _id, made) => local.push(made));
    bus.emit(event(1));
    bus.deliver(event(2));
    expect(published).toEqual([1]);
    expect(local).toEqual([true, false]);
  });
});
