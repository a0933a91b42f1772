// A token bucket per channel: paces sends to what the provider accepts (e.g. 1 SMS segment a second on a long code).

export class SendRate {
  private tokens: number;
  private updatedAt: number | null = null;

  /** `perSecond` of Infinity means unpaced. */
  constructor(
    readonly perSecond: number,
    private readonly burst = Math.max(1, Math.min(perSecond, 50)),
  ) {
    this.tokens = this.burst;
  }

  private refill(now: number): void {
    if (this.updatedAt !== null) this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }

  /** Milliseconds until `cost` tokens are available (0: now). */
  waitMs(cost: number, now: number): number {
    if (this.perSecond === Infinity) return 0;
    this.refill(now);
    const need = Math.min(cost, this.burst) - this.tokens;
    return need <= 0 ? 0 : Math.ceil((need / this.perSecond) * 1000);
  }

  /** Takes `cost` tokens (the balance may go negative for a message larger than the burst; later sends wait it out). */
  take(cost: number, now: number): void {
    if (this.perSecond === Infinity) return;
    this.refill(now);
    this.tokens -= cost;
  }
}
