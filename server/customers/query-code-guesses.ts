// Wrong query codes, counted once for every route a client can type one into — POST /api/v1/progress/query and the
// chat — so that a client (or many clients at one account) get one allowance of guesses, not one per route.
// Created once by the customers module and handed to both. The limits themselves are guess-limits.ts'.
import { createGuessLimits, type UnderAttack } from '../limits/guess-limits.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';

export {
  GUESS_WINDOW_MS as QUERY_CODE_WINDOW_MS,
  WRONG_GUESSES_PER_CLIENT as WRONG_QUERY_CODES_PER_CLIENT,
  WRONG_GUESSES_PER_PAIR as WRONG_QUERY_CODES_PER_PAIR,
  WRONG_GUESSES_PER_SUBJECT as WRONG_QUERY_CODES_PER_ACCOUNT,
  CEILING_WINDOW_MS as ACCOUNT_CEILING_WINDOW_MS,
} from '../limits/guess-limits.ts';

export interface QueryCodeAttempt {
  accountNo: string;
  /** the client's network address; null when the route has none (the per-account ceiling still applies) */
  clientAddress: string | null;
  /** a business-hall kiosk that presented the device key (KIOSK_DEVICE_KEY): exempt from the per-account ceiling */
  kiosk: boolean;
}

export function createQueryCodeGuesses(attempts: AttemptLog, onUnderAttack: (notice: UnderAttack) => void = () => {}) {
  const limits = createGuessLimits({ kind: 'query_code', attempts, onUnderAttack });
  const guess = (a: QueryCodeAttempt) => ({ subject: a.accountNo, clientAddress: a.clientAddress, trusted: a.kiosk });
  return {
    /** Seconds to wait before this attempt may be checked, or 0. */
    retryAfterSeconds: (attempt: QueryCodeAttempt, now: number): Promise<number> => limits.retryAfterSeconds(guess(attempt), now),
    wrong: (attempt: QueryCodeAttempt, now: number): Promise<void> => limits.wrong(guess(attempt), now),
    /** The right code from this client: its own count at the account starts again. */
    right: (attempt: QueryCodeAttempt): Promise<void> => limits.right(guess(attempt)),
  };
}

export type QueryCodeGuesses = ReturnType<typeof createQueryCodeGuesses>;
