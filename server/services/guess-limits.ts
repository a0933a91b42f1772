// Limits on guessing a secret that belongs to one subject (an account's query code, a staff member's password),
// shaped so that strangers cannot lock the owner out while enumeration stays blocked:
// - per subject and client address: a few wrong guesses lock that address out of that subject only;
// - per client address: a client guessing at many subjects is stopped whatever it names;
// - per subject from any addresses: a ceiling of wrong guesses an hour that a distributed guesser meets, which
//   trusted clients (a business-hall kiosk with its device key, a staff member's own signed-in browser) do not;
// - a subject drawing many wrong guesses from more than one address is reported once an hour (`onUnderAttack`).
import { FailureLimiter } from '../domain/failure-limiter.ts';

export const GUESS_WINDOW_MS = 15 * 60 * 1000;
/** wrong guesses per subject and client address in GUESS_WINDOW_MS */
export const WRONG_GUESSES_PER_PAIR = 5;
/** wrong guesses per client address in GUESS_WINDOW_MS, whatever subjects it names */
export const WRONG_GUESSES_PER_CLIENT = 20;
export const CEILING_WINDOW_MS = 60 * 60 * 1000;
/** wrong guesses per subject in CEILING_WINDOW_MS from untrusted clients and any addresses */
export const WRONG_GUESSES_PER_SUBJECT = 50;
/** wrong guesses at one subject within CEILING_WINDOW_MS, from at least two addresses, that make it "under attack" */
export const UNDER_ATTACK_AFTER = 10;

export interface Guess {
  /** whose secret: an account number, a handler id */
  subject: string;
  /** the client's network address (or a channel address); null when there is none */
  clientAddress: string | null;
  /** a kiosk with its device key, a browser this staff member signed in with: exempt from the subject's ceiling */
  trusted: boolean;
}

export interface UnderAttack {
  kind: 'query_code' | 'staff_password';
  subject: string;
  wrongGuesses: number;
  addresses: number;
  at: number;
}

export function createGuessLimits(options: { kind: UnderAttack['kind']; onUnderAttack: (notice: UnderAttack) => void }) {
  const perPair = new FailureLimiter({ maxFailures: WRONG_GUESSES_PER_PAIR, windowMs: GUESS_WINDOW_MS });
  const perClient = new FailureLimiter({ maxFailures: WRONG_GUESSES_PER_CLIENT, windowMs: GUESS_WINDOW_MS });
  const perSubject = new FailureLimiter({ maxFailures: WRONG_GUESSES_PER_SUBJECT, windowMs: CEILING_WINDOW_MS });
  /** per subject: the addresses wrong guesses came from this hour, and when it was last reported */
  const watched = new Map<string, { addresses: Map<string, number>; reportedAt: number | null }>();
  const pair = (guess: Guess) => JSON.stringify([guess.subject, guess.clientAddress]);

  function watch(guess: Guess, now: number): void {
    const entry = watched.get(guess.subject) ?? { addresses: new Map<string, number>(), reportedAt: null };
    watched.set(guess.subject, entry);
    for (const [address, at] of entry.addresses) if (at <= now - CEILING_WINDOW_MS) entry.addresses.delete(address);
    entry.addresses.set(guess.clientAddress ?? '', now);
    const wrongGuesses = perSubject.count(guess.subject, now);
    const recentlyReported = entry.reportedAt !== null && entry.reportedAt > now - CEILING_WINDOW_MS;
    if (wrongGuesses >= UNDER_ATTACK_AFTER && entry.addresses.size >= 2 && !recentlyReported) {
      entry.reportedAt = now;
      options.onUnderAttack({ kind: options.kind, subject: guess.subject, wrongGuesses, addresses: entry.addresses.size, at: now });
    }
    if (watched.size > 100_000) {
      for (const subject of watched.keys()) if (perSubject.count(subject, now) === 0) watched.delete(subject);
    }
  }

  return {
    /** Seconds to wait before this guess may be checked, or 0. */
    retryAfterSeconds(guess: Guess, now: number): number {
      return Math.max(
        guess.clientAddress === null ? 0 : perPair.retryAfterSeconds(pair(guess), now),
        guess.clientAddress === null ? 0 : perClient.retryAfterSeconds(guess.clientAddress, now),
        guess.trusted ? 0 : perSubject.retryAfterSeconds(guess.subject, now),
      );
    },
    wrong(guess: Guess, now: number): void {
      if (guess.clientAddress !== null) {
        perPair.fail(pair(guess), now);
        perClient.fail(guess.clientAddress, now);
      }
      // A trusted client's wrong guesses count too: the ceiling is on the subject, and a thief may stand at a kiosk.
      perSubject.fail(guess.subject, now);
      watch(guess, now);
    },
    /**
     * The right secret from this client: its own count at this subject starts again. The subject's hourly count does
     * not: an owner signing in must not hand a guesser a fresh allowance.
     */
    right(guess: Guess): void {
      perPair.reset(pair(guess));
    },
  };
}

export type GuessLimits = ReturnType<typeof createGuessLimits>;
