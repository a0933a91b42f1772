// The unit of work on PostgreSQL: a transaction PostgreSQL aborts because another one collided with it (a deadlock
// between two instances writing the same rows in opposite order) is run again and commits whole; any other error
// rolls everything back; the retries are bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { isRetryableConflict } from '../../db/postgres/unit-of-work.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';
import { STORE_CONTRACT_ROWS } from '../support/store-contract.ts';

let target: TestPostgres;
let database: PostgresDatabase;
beforeAll(async () => {
  target = await freshPostgresDatabase();
  database = await openPostgres(target.url);
  await database.pool.query(STORE_CONTRACT_ROWS);
  // a deadlock is found after deadlock_timeout (1 s by default); this database's sessions look sooner
  await database.pool.query(`ALTER DATABASE ${new URL(target.url).pathname.slice(1)} SET deadlock_timeout = '100ms'`);
  await database.close();
  database = await openPostgres(target.url);
});
afterAll(async () => {
  await database?.close();
  await target?.drop();
});

function barrier(parties: number): () => Promise<void> {
  let waiting = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++waiting === parties) open();
    return opened;
  };
}

describe('a unit of work on PostgreSQL', () => {
  it('two transactions deadlocking on the same rows both commit whole: the one PostgreSQL aborts is run again', async () => {
    const retries: unknown[] = [];
    const { stores, transact } = createPostgresStores(database, { onRetry: (_attempt, error) => retries.push(error) });
    const bothHoldOneRow = barrier(2);
    const attempts = { a: 0, b: 0 };
    const writeBoth = (name: 'a' | 'b', first: string, second: string) =>
      transact(async (tx) => {
        attempts[name]++;
        await tx.staff.setPasswordHash(first, `hash-${name}`);
        // only the first attempts meet here, each holding the row the other wants next
        if (attempts[name] === 1) await bothHoldOneRow();
        await tx.staff.setPasswordHash(second, `hash-${name}`);
      });

    await Promise.all([writeBoth('a', 'H001', 'H009'), writeBoth('b', 'H009', 'H001')]);

    expect(retries).toHaveLength(1);
    expect(isRetryableConflict(retries[0])).toBe(true);
    expect(attempts.a + attempts.b).toBe(3);
    // whichever committed last wrote both rows: never one row from each
    const h001 = await stores.staff.passwordHash('H001');
    expect(['hash-a', 'hash-b']).toContain(h001);
    expect(await stores.staff.passwordHash('H009')).toBe(h001);
  });

  it('rolls back every write of a body that throws, and does not run it again', async () => {
    const { stores, transact } = createPostgresStores(database);
    const before = await stores.staff.passwordHash('H101');
    let runs = 0;
    await expect(
      transact(async (tx) => {
        runs++;
        await tx.staff.setPasswordHash('H101', 'half-done');
        throw new Error('the body failed');
      }),
    ).rejects.toThrow('the body failed');
    expect(runs).toBe(1);
    expect(await stores.staff.passwordHash('H101')).toBe(before);
  });

  it('gives up after its attempts and passes the conflict on', async () => {
    const { transact } = createPostgresStores(database, { attempts: 3, maxWaitMs: 1 });
    let runs = 0;
    const conflict = Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
    await expect(
      transact(async () => {
        runs++;
        throw conflict;
      }),
    ).rejects.toBe(conflict);
    expect(runs).toBe(3);
  });
});
