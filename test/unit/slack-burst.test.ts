/** Acknowledgements first: work after an ack waits for a burst of requests to stop arriving, within a bound. */
import { describe, expect, it } from 'vitest';
import { Burst } from '../../src/slack/burst.js';

describe('Burst', () => {
  it('lets work start at once when nothing is arriving', async () => {
    const b = new Burst(15, 1_000);
    const t0 = performance.now();
    await b.settled();
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('holds work while requests keep arriving, and releases it quietMs after the last', async () => {
    const b = new Burst(30, 5_000);
    b.arrived();
    const t0 = performance.now();
    const timer = setInterval(() => b.arrived(), 10);
    setTimeout(() => clearInterval(timer), 200);
    await b.settled();
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(waited).toBeLessThan(600);
  });

  it('never holds work longer than maxWaitMs under a steady stream', async () => {
    const b = new Burst(50, 150);
    const timer = setInterval(() => b.arrived(), 5);
    try {
      b.arrived();
      const t0 = performance.now();
      await b.settled();
      const waited = performance.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(140);
      expect(waited).toBeLessThan(500);
    } finally {
      clearInterval(timer);
    }
  });

  it('is deterministic with an injected clock', async () => {
    let now = 1_000;
    const b = new Burst(15, 1_000, () => now);
    b.arrived();
    now = 1_016;
    const t0 = performance.now();
    await b.settled();
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
