/**
 * A counting semaphore: bounds the diagnoses running at once (an alert storm must not open hundreds of AWS
 * sessions at once). Waiters are served in arrival order.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so that nobody slips in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
