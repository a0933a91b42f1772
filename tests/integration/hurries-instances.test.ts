// Hurry requests made at once on two instances of one PostgreSQL database. A reference number is the day's count
// plus one: two presses counting before either has committed would both take the same number (and the second's
// insert would fail on the key). The numbering is held until the unit of work ends, so the second counts the first.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { nextHurryReference } from '../../server/hurries/hurries.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import { testConfig } from '../support/app.ts';
import { freshPostgresDatabase, untilWaitingForALock } from '../support/postgres.ts';
import { STORE_CONTRACT_ROWS } from '../support/store-contract.ts';

/** 2026-11-25 10:00 in Shanghai (STORE_CONTRACT_ROWS' request is of another day) */
const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const { timeZone } = testConfig();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Two instances on one fresh database, each with its own pool, over STORE_CONTRACT_ROWS. */
async function twoInstances(): Promise<{ a: { stores: Stores; transact: Transact }; b: { stores: Stores; transact: Transact }; database: PostgresDatabase }> {
  const target = await freshPostgresDatabase();
  const first = await openPostgres(target.url, { poolSize: 3 });
  const second = await openPostgres(target.url, { poolSize: 3 });
  cleanups.push(async () => {
    await first.close();
    await second.close();
    await target.drop();
  });
  await first.pool.query(STORE_CONTRACT_ROWS);
  return { a: createPostgresStores(first), b: createPostgresStores(second), database: first };
}

/** A request on an application's step, numbered as a press numbers it, in the unit of work of `stores`. */
async function makeRequest(stores: Stores, id: string, applicationNo: string, stepCode: string): Promise<void> {
  await stores.hurries.insert({ id, applicationNo, stepCode, handlerId: null, teamId: null, channel: 'kiosk', replyAddress: null, message: null, createdAt: NOW, escalateAt: NOW + 3_600_000 });
}

describe('hurry reference numbers on two instances at once (PostgreSQL)', () => {
  it('numbers two requests made at the same moment one after the other, and both are kept', async () => {
    const { a, b, database } = await twoInstances();
    let aNumbered!: () => void;
    const aHasNumbered = new Promise<void>((resolve) => (aNumbered = resolve));
    let bNumbered!: () => void;
    const bHasNumbered = new Promise<void>((resolve) => (bNumbered = resolve));
    let done = false;

    // A numbers its request and holds its unit of work open until B has numbered too, or waits to
    const onA = a.transact(async (stores) => {
      const id = await nextHurryReference(stores.hurries, NOW, timeZone);
      aNumbered();
      await Promise.race([bHasNumbered, untilWaitingForALock(database.pool, () => done)]);
      await makeRequest(stores, id, 'YX2026-0001', 'survey');
      return id;
    });
    await aHasNumbered;
    const onB = b.transact(async (stores) => {
      const id = await nextHurryReference(stores.hurries, NOW, timeZone);
      bNumbered();
      await makeRequest(stores, id, 'YX2026-0003', 'accept');
      return id;
    });
    const made = await Promise.allSettled([onA, onB]);
    done = true;

    expect(made).toEqual([
      { status: 'fulfilled', value: 'CB2611250001' },
      { status: 'fulfilled', value: 'CB2611250002' },
    ]);
    expect((await a.stores.hurries.byId('CB2611250001'))?.applicationNo).toBe('YX2026-0001');
    expect((await b.stores.hurries.byId('CB2611250002'))?.applicationNo).toBe('YX2026-0003');
  });
});
