// Limits on guessing a secret that belongs to one subject (an account's query code, a staff member's password),
// shaped so that strangers cannot lock the owner out while enumeration stays blocked:
// - per subject and client address: a few wrong guesses lock that address out of that subject only;
// - per client address: a client guessing at many subjects is stopped whatever it names;
// - per subject from any addresses: a ceiling of wrong guesses an hour that a distributed guesser meets, which
//   trusted clients (a business-hall kiosk with its device key, a staff member's own signed-in browser) do not;
// - a subject drawing many wrong guesses from more than one address is reported once an hour (`onUnderAttack`).
// Counted in the AttemptLog, so the limits hold across every instance on one database.
import type { AttemptLog } from './attempt-log.ts';
import { createWindowLimit } from './window-limit.ts';

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

export function createGuessLimits(options: { kind: UnderAttack['kind']; attempts: AttemptLog; onUnderAttack: (notice: UnderAttack) => void }) {
  const { attempts, kind } = options;
  const perPair = createWindowLimit(attempts, `${kind}/pair`, { maxFailures: WRONG_GUESSES_PER_PAIR, windowMs: GUESS_WINDOW_MS });
  const perClient = createWindowLimit(attempts, `${kind}/client`, { maxFailures: WRONG_GUESSES_PER_CLIENT, windowMs: GUESS_WINDOW_MS });
  // tagged with the client's address: how many addresses guessed at the subject this hour
  const perSubject = createWindowLimit(attempts, `${kind}/subject`, { maxFailures: WRONG_GUESSES_PER_SUBJECT, windowMs: CEILING_WINDOW_MS });
  /** when a subject was last reported under attack */
  const reported = createWindowLimit(attempts, `${kind}/reported`, { maxFailures: 1, windowMs: CEILING_WINDOW_MS });
  const pair = (guess: Guess) => JSON.stringify([guess.subject, guess.clientAddress]);

  async function watch(guess: Guess, now: number): Promise<void> {
    const [wrongGuesses, addresses, recentlyReported] = await Promise.all([
      perSubject.count(guess.subject, now),
      perSubject.tags(guess.subject, now),
      reported.count(guess.subject, now),
    ]);
    if (wrongGuesses >= UNDER_ATTACK_AFTER && addresses.size >= 2 && recentlyReported === 0) {
      await reported.add(guess.subject, now);
      options.onUnderAttack({ kind, subject: guess.subject, wrongGuesses, addresses: addresses.size, at: now });
    }
  }

  return {
    /** Seconds to wait before this guess may be checked, or 0. */
    async retryAfterSeconds(guess: Guess, now: number): Promise<number> {
      const waits = await Promise.all([
        guess.clientAddress === null ? 0 : perPair.retryAfterSeconds(pair(guess), now),
        guess.clientAddress === null ? 0 : perClient.retryAfterSeconds(guess.clientAddress, now),
        guess.trusted ? 0 : perSubject.retryAfterSeconds(guess.subject, now),
      ]);
      return Math.max(...waits);
    },
    async wrong(guess: Guess, now: number): Promise<void> {
      if (guess.clientAddress !== null) {
        await perPair.add(pair(guess), now);
        await perClient.add(guess.clientAddress, now);
      }
      // A trusted client's wrong guesses count too: the ceiling is on the subject, and a thief may stand at a kiosk.
      await perSubject.add(guess.subject, now, guess.clientAddress ?? '');
      await watch(guess, now);
    },
    /**
     * The right secret from this client: its own count at this subject starts again. The subject's hourly count does
     * not: an owner signing in must not hand a guesser a fresh allowance.
     */
    async right(guess: Guess): Promise<void> {
      await perPair.reset(pair(guess));
    },
  };
}

export type GuessLimits = ReturnType<typeof createGuessLimits>;
