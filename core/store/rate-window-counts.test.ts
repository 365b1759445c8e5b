import { describe, expect, it } from 'vitest';
import { limitGate } from './gate-rules.js';
import { RateWindowCounts } from './rate-window-counts.js';

const limits = { api: { rate: { count: 100, perMs: 1_000 }, partitionBy: 'customer' } };

describe('RateWindowCounts', () => {
  it('counts claims per service and gate in the current window, afresh in the next one', () => {
    const counts = new RateWindowCounts();
    counts.count('@A', limitGate('api', 1), 3, 1_500, limits);
    counts.count('@A', limitGate('api', 1), 2, 1_900, limits);
    counts.count('@B', limitGate('api', 1), 7, 1_900, limits);
    expect(counts.get('@A', limitGate('api', 1))).toEqual(expect.objectContaining({ windowStart: 1_000, claims: 5 }));
    expect(counts.get('@B', limitGate('api', 1))).toEqual(expect.objectContaining({ windowStart: 1_000, claims: 7 }));
    counts.count('@A', limitGate('api', 1), 1, 2_000, limits);
    expect(counts.get('@A', limitGate('api', 1))).toEqual(expect.objectContaining({ windowStart: 2_000, claims: 1 }));
    // A limit without a rate, or a queue, counts nothing.
    counts.count('@A', limitGate('other'), 1, 2_000, limits);
    expect(counts.get('@A', limitGate('other'))).toBeUndefined();
  });

  it('drops ended windows once there are many: a rate partitioned by customer does not keep every customer ever seen', () => {
    const counts = new RateWindowCounts();
    for (let customer = 0; customer < 5_000; customer++) counts.count('@A', limitGate('api', customer), 1, 10, limits);
    expect(counts.size).toBe(5_000);
    // Later windows: the first 5,000 have ended and go at the next pass; the current ones stay counted.
    for (let customer = 5_000; customer < 10_000; customer++) counts.count('@A', limitGate('api', customer), 1, 5_010, limits);
    expect(counts.size).toBe(5_000);
    expect(counts.get('@A', limitGate('api', 0))).toBeUndefined();
    expect(counts.get('@A', limitGate('api', 9_999))).toEqual(expect.objectContaining({ windowStart: 5_000, claims: 1 }));
  });
});
