// How long a timer-driven loop waits after its work failed (the database locked or full): doubling with each
// consecutive failure, jittered, capped, so a broken database is neither hammered nor waited for long once it is back.

export interface Backoff {
  baseMs: number;
  capMs: number;
}

export const LOOP_BACKOFF: Backoff = { baseMs: 250, capMs: 30_000 };

/** The wait after `failures` consecutive failures (≥ 1), `random` in [0, 1): between half the ceiling and the ceiling. */
export function backoffMs(failures: number, random: number, backoff: Backoff = LOOP_BACKOFF): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
