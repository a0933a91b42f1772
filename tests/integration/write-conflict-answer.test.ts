// A unit of work PostgreSQL kept aborting because other writers collided with it (a deadlock, a serialization
// failure) is passed on once its tries run out (db/postgres/unit-of-work.ts). The client is told to try again, as
// for a database that is briefly unavailable: 503 JD_UNAVAILABLE with Retry-After, never a 500; nothing of the
// request was written, and the marketing system's retry lands.
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { createSqliteBackend } from '../../db/sqlite/backend.ts';
import type { Transact } from '../../server/stores.ts';
import { buildApp } from '../../server/app.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import { DEFAULT_NOW, SYNC_TOKEN, testConfig, type TestApp } from '../support/app.ts';
import { putApplication, putHandler, started } from '../support/notices.ts';

/** What the PostgreSQL unit of work passes on: drizzle's error around node-postgres's, with the SQLSTATE. */
function collision(code: '40P01' | '40001'): Error {
  const cause = new pg.DatabaseError(code === '40P01' ? 'deadlock detected' : 'could not serialize access due to concurrent update', 0, 'error');
  cause.code = code;
  return new DrizzleQueryError('insert into "alerts" ("id", "application_no") values ($1, $2) on conflict do nothing returning "id"', [], cause);
}

describe('a write that kept colliding with others until its tries ran out', () => {
  for (const code of ['40P01', '40001'] as const) {
    it(`(${code}) is answered 503 JD_UNAVAILABLE with Retry-After, writes nothing, and the retry is accepted`, async () => {
      const database = openDatabase(':memory:');
      const backend = createSqliteBackend(database);
      let collide = false;
      // the body runs and is rolled back, as PostgreSQL's abort rolls it back
      const transact: Transact = (work) =>
        backend.transact(async (stores) => {
          const result = await work(stores);
          if (collide) throw collision(code);
          return result;
        });
      const config = testConfig();
      const app = await buildApp({ config, backend: { ...backend, transact }, clock: new ManualClock(DEFAULT_NOW), startSweeper: false, startDispatcher: false });
      onTestFinished(async () => {
        await app.close();
        database.close();
      });
      const t = { app, config, sync: { authorization: `Bearer ${SYNC_TOKEN}` } } as TestApp;
      await putHandler(t, 'H001');
      await putApplication(t, 'YX2026-0001');
      const events = [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00')];

      collide = true;
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events } });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json()).toEqual({
        statusCode: 503,
        code: 'JD_UNAVAILABLE',
        error: 'Service Unavailable',
        message: `the write collided with others writing the same rows at once (${code}); try again later`,
        retryAfterSeconds: 1,
      });
      expect((await t.app.stores.applications.step('YX2026-0001', 'accept'))?.status).toBe('pending');

      collide = false;
      const retried = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events } });
      expect(retried.statusCode).toBe(200);
      // accepted, not a duplicate: the refused try had written nothing
      expect(retried.json()).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await t.app.stores.applications.step('YX2026-0001', 'accept'))?.status).toBe('in_progress');
    });
  }
});
