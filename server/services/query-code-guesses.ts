// Wrong query codes, counted once for every route a client can type one into — POST /api/v1/progress/query and the
// kiosk/web chat — so that a client (or many clients at one account) get one allowance of guesses, not one per route.
// Created once in app.ts and handed to both services.
import { FailureLimiter } from '../domain/failure-limiter.ts';

export const QUERY_CODE_WINDOW_MS = 15 * 60 * 1000;
/** wrong codes per client address in the window, whatever account or session they name */
export const WRONG_QUERY_CODES_PER_CLIENT = 20;
/** wrong codes per account in the window, whatever client they come from */
export const WRONG_QUERY_CODES_PER_ACCOUNT = 5;

export interface QueryCodeAttempt {
  accountNo: string;
  /** the client's network address; null when the route has none (the per-account limit still applies) */
  clientAddress: string | null;
}

export function createQueryCodeGuesses() {
  const perAccount = new FailureLimiter({ maxFailures: WRONG_QUERY_CODES_PER_ACCOUNT, windowMs: QUERY_CODE_WINDOW_MS });
  const perClient = new FailureLimiter({ maxFailures: WRONG_QUERY_CODES_PER_CLIENT, windowMs: QUERY_CODE_WINDOW_MS });
  return {
    /** Seconds to wait before this attempt may be checked, or 0. */
    retryAfterSeconds({ accountNo, clientAddress }: QueryCodeAttempt, now: number): number {
      return Math.max(perAccount.retryAfterSeconds(accountNo, now), clientAddress === null ? 0 : perClient.retryAfterSeconds(clientAddress, now));
    },
    wrong({ accountNo, clientAddress }: QueryCodeAttempt, now: number): void {
      perAccount.fail(accountNo, now);
      if (clientAddress !== null) perClient.fail(clientAddress, now);
    },
    /** The right code for the account: its count starts again (a client's does not: one client may hold many right codes). */
    right(accountNo: string): void {
      perAccount.reset(accountNo);
    },
  };
}

export type QueryCodeGuesses = ReturnType<typeof createQueryCodeGuesses>;
