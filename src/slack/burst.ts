/**
 * Acknowledgements first. Slack wants every request acknowledged within 3 s and users feel anything past a few
 * hundred ms; the work after an acknowledgement (Slack API calls, diagnoses) shares the one event loop. When
 * requests arrive in a burst (an incident: dozens of commands, a storm of alerts), that work waits until the
 * requests have stopped arriving for `quietMs`, so that each is acknowledged at the cost of its own parsing
 * alone; it never waits longer than `maxWaitMs`, so a steady stream of requests cannot starve it.
 */
export class Burst {
  private last = Number.NEGATIVE_INFINITY;
  /** Work waiting for the burst to pass, with the time it stops waiting regardless. */
  private waiting: Array<{ until: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly quietMs = 50,
    private readonly maxWaitMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A request arrived. */
  arrived(): void {
    this.last = this.now();
  }

  /** Resolves once no request arrived for quietMs (at once when none is arriving), at most maxWaitMs from now. */
  settled(): Promise<void> {
    const now = this.now();
    if (now >= this.last + this.quietMs) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push({ until: now + this.maxWaitMs, resolve });
      this.arm();
    });
  }

  /** One timer for all the waiting work (hundreds of requests in a burst must not mean hundreds of timers). */
  private arm(): void {
    if (this.timer || !this.waiting.length) return;
    let next = this.last + this.quietMs;
    for (const w of this.waiting) if (w.until < next) next = w.until;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = this.now();
        const quiet = now >= this.last + this.quietMs;
        const go = quiet ? this.waiting : this.waiting.filter((w) => now >= w.until);
        this.waiting = quiet ? [] : this.waiting.filter((w) => now < w.until);
        for (const w of go) w.resolve();
        this.arm();
      },
      Math.max(1, next - this.now() + 1),
    );
  }
}
