/** Acknowledgements first: work after an ack waits for a burst of requests to stop arriving, within a bound. */
import { describe, expect, it, vi } from 'vitest';
import { Burst } from '../../src/slack/burst.js';

describe('Burst', () => {
  it('lets work start at once when nothing is arriving', async () => {
    const b = new Burst(15, 1_000);
    const t0 = performance.now();
    await b.settled();
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('holds work while requests keep arriving, and releases it quietMs after the last', async () => {
    // On a clock the test moves: a loaded machine's late timers cannot make a gap in the arrivals.
    vi.useFakeTimers();
    try {
      const b = new Burst(30, 5_000, () => Date.now());
      b.arrived();
      const t0 = Date.now();
      const timer = setInterval(() => b.arrived(), 10);
      setTimeout(() => clearInterval(timer), 200);
      let waited = -1;
      void b.settled().then(() => {
        waited = Date.now() - t0;
      });
      await vi.advanceTimersByTimeAsync(1_000);
      // The last arrival at 190-200 ms, then 30 ms of quiet.
      expect(waited).toBeGreaterThanOrEqual(220);
      expect(waited).toBeLessThan(260);
    } finally {
      vi.useRealTimers();
    }
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
