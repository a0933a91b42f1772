// One instance at a time: of several instances contending for a lease exactly one holds it, and when the holder
// dies (its connection closes or is cut) another takes over.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLease, type Lease } from '../../db/postgres/lease.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('leases on PostgreSQL', () => {
  let database: TestPostgres;
  const leases: Lease[] = [];
  const lease = (name: string) => {
    const l = createLease({ url: database.url, name, retryMs: 50 });
    leases.push(l);
    return l;
  };
  beforeEach(async () => {
    database = await freshPostgresDatabase();
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((l) => l.close()));
    await database.drop();
  });

  it('is held by exactly one of three instances, and by another when the holder stops', async () => {
    const contenders = [lease('sweeper'), lease('sweeper'), lease('sweeper')];
    await until(() => contenders.some((l) => l.held()), 'a holder');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(contenders.filter((l) => l.held())).toHaveLength(1);

    const first = contenders.find((l) => l.held())!;
    await first.close();
    await until(() => contenders.some((l) => l !== first && l.held()), 'a new holder');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(contenders.filter((l) => l.held())).toHaveLength(1);
  });

  it('tells the holder it lost the lease when its connection is cut, and another instance takes over', async () => {
    const a = lease('wechaty');
    await until(() => a.held(), 'A to hold');
    const b = lease('wechaty');
    const changes: boolean[] = [];
    a.onChange((held) => changes.push(held));

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // the holder's session: the one with an advisory lock in this test's database (other test files run beside it
      // on the same cluster, with advisory locks of their own)
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
    } finally {
      await admin.end();
    }
    await until(() => b.held() || a.held() !== true, 'the cut to be noticed');
    await until(() => [a, b].filter((l) => l.held()).length === 1, 'one holder again');
    expect(changes[0]).toBe(false);
  });

  it('keeps different leases apart', async () => {
    const sweep = lease('sweeper');
    const bot = lease('wechaty');
    await until(() => sweep.held() && bot.held(), 'both held');
  });
});
