// Limits hold across instances on one PostgreSQL database (issue 14, "shared limits"): two instances, each with its
// own connection pool, count the same wrong query codes, binding-code requests and chat messages. Each instance here
// is the limit as the server makes it, over its own pool's attempt log; with a log per process (the SQLite
// deployment's) the guesses alternating between the two would each see half and the limit would not hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createPostgresAttemptLog } from '../../db/postgres/attempt-log.ts';
import { createInMemoryAttemptLog, type AttemptLog } from '../../server/limits/attempt-log.ts';
import { createQueryCodeGuesses, WRONG_QUERY_CODES_PER_PAIR, WRONG_QUERY_CODES_PER_ACCOUNT } from '../../server/customers/query-code-guesses.ts';
import { UNDER_ATTACK_AFTER, type UnderAttack } from '../../server/limits/guess-limits.ts';
import { createWindowLimit } from '../../server/limits/window-limit.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';

const T0 = Date.parse('2026-11-24T10:00:00+08:00');
const ACCOUNT = '5300123456';

describe('limits shared by two instances on one PostgreSQL database', () => {
  let target: TestPostgres;
  let a: PostgresDatabase;
  let b: PostgresDatabase;
  beforeAll(async () => {
    target = await freshPostgresDatabase();
    a = await openPostgres(target.url, { poolSize: 2 });
    b = await openPostgres(target.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await target.drop();
  });

  /** Wrong codes from one client at one account, alternating between the instances; the wait each then answers. */
  async function alternate(logA: AttemptLog, logB: AttemptLog, accountNo: string) {
    const instances = [createQueryCodeGuesses(logA), createQueryCodeGuesses(logB)];
    const attempt = { accountNo, clientAddress: '10.0.0.66', kiosk: false };
    for (let i = 0; i < WRONG_QUERY_CODES_PER_PAIR; i++) {
      const instance = instances[i % 2]!;
      expect(await instance.retryAfterSeconds(attempt, T0 + i * 1000)).toBe(0);
      await instance.wrong(attempt, T0 + i * 1000);
    }
    const now = T0 + WRONG_QUERY_CODES_PER_PAIR * 1000;
    return Promise.all(instances.map((instance) => instance.retryAfterSeconds(attempt, now)));
  }

  it('the wrong-code limit for one account holds when the guesses alternate between A and B', async () => {
    const waits = await alternate(createPostgresAttemptLog(a.db), createPostgresAttemptLog(b.db), ACCOUNT);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[1]).toBeGreaterThan(0);
  });

  it('(each instance counting only its own, as one SQLite process does, would let the guesser go on)', async () => {
    const waits = await alternate(createInMemoryAttemptLog(), createInMemoryAttemptLog(), ACCOUNT);
    expect(waits).toEqual([0, 0]);
  });

  it('reports an account guessed at from several addresses once, whichever instance the guesses reach', async () => {
    const notices: UnderAttack[] = [];
    const instances = [createQueryCodeGuesses(createPostgresAttemptLog(a.db), (n) => notices.push(n)), createQueryCodeGuesses(createPostgresAttemptLog(b.db), (n) => notices.push(n))];
    const accountNo = '5300999999';
    for (let i = 0; i < UNDER_ATTACK_AFTER + 4; i++) {
      await instances[i % 2]!.wrong({ accountNo, clientAddress: `10.1.0.${i}`, kiosk: false }, T0 + i * 1000);
    }
    expect(notices).toEqual([{ kind: 'query_code', subject: accountNo, wrongGuesses: UNDER_ATTACK_AFTER, addresses: UNDER_ATTACK_AFTER, at: T0 + (UNDER_ATTACK_AFTER - 1) * 1000 }]);
  });

  it('the account\'s hourly ceiling counts the guesses both instances saw, from any addresses', async () => {
    const instances = [createQueryCodeGuesses(createPostgresAttemptLog(a.db)), createQueryCodeGuesses(createPostgresAttemptLog(b.db))];
    const accountNo = '5300888888';
    for (let i = 0; i < WRONG_QUERY_CODES_PER_ACCOUNT; i++) await instances[i % 2]!.wrong({ accountNo, clientAddress: `10.2.${i >> 8}.${i & 255}`, kiosk: false }, T0 + i);
    const fresh = { accountNo, clientAddress: '10.3.0.1', kiosk: false };
    expect(await instances[0]!.retryAfterSeconds(fresh, T0 + WRONG_QUERY_CODES_PER_ACCOUNT)).toBeGreaterThan(0);
    expect(await instances[1]!.retryAfterSeconds(fresh, T0 + WRONG_QUERY_CODES_PER_ACCOUNT)).toBeGreaterThan(0);
    // a kiosk with its device key is not held by the ceiling
    expect(await instances[1]!.retryAfterSeconds({ ...fresh, kiosk: true }, T0 + WRONG_QUERY_CODES_PER_ACCOUNT)).toBe(0);
  });

  it('a chat session\'s message limit counts the messages both instances took', async () => {
    const limit = { maxFailures: 20, windowMs: 60_000 };
    const [onA, onB] = [createWindowLimit(createPostgresAttemptLog(a.db), 'chat/session', limit), createWindowLimit(createPostgresAttemptLog(b.db), 'chat/session', limit)];
    for (let i = 0; i < 20; i++) await (i % 2 ? onB : onA).add('kiosk-session-00000001', T0 + i * 100);
    expect(await onA.retryAfterSeconds('kiosk-session-00000001', T0 + 2000)).toBe(58);
    expect(await onB.retryAfterSeconds('kiosk-session-00000001', T0 + 2000)).toBe(58);
    expect(await onB.retryAfterSeconds('kiosk-session-00000002', T0 + 2000)).toBe(0);
  });
});
