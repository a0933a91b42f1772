// The kiosk forgets a customer after a while without a touch. 60 s by default; `/kiosk?idle=SECONDS` sets another
// time (1–3600), e.g. for tests or a hall that wants longer.
export const DEFAULT_IDLE_SECONDS = 60;
/** how long before the reset the warning shows (only when the idle time is long enough to make it useful) */
const WARN_SECONDS = 10;

export function idleSecondsFrom(search: string): number {
  const raw = new URLSearchParams(search).get('idle');
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 1 && value <= 3600 ? value : DEFAULT_IDLE_SECONDS;
}

export class IdleTimer {
  private last = performance.now();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly idleMs: number,
    private readonly onIdle: () => void,
    private readonly onWarn: (secondsLeft: number | null) => void,
    /** false while there is nothing to forget (the untouched start screen): no warning, no reset */
    private readonly hasSomething: () => boolean,
  ) {
    const touch = () => this.touch();
    for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const) {
      window.addEventListener(type, touch, { capture: true, passive: true });
    }
    this.timer = setInterval(() => this.tick(), 250);
  }

  touch(): void {
    this.last = performance.now();
    this.onWarn(null);
  }

  private tick(): void {
    const left = this.idleMs - (performance.now() - this.last);
    if (!this.hasSomething()) {
      this.onWarn(null);
      return;
    }
    if (left <= 0) {
      this.last = performance.now();
      this.onWarn(null);
      this.onIdle();
      return;
    }
    const warnFrom = this.idleMs >= 2 * WARN_SECONDS * 1000 ? WARN_SECONDS * 1000 : 0;
    this.onWarn(left <= warnFrom ? Math.ceil(left / 1000) : null);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
