// Alerts another process commits to the same database (`npm run jiedian -- sla:sweep` beside the server on its SQLite
// file; another instance on PostgreSQL) reach the server's live staff sockets once, and the server's own alerts still
// arrive once.
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type JiedianApp } from '../../server/app.ts';
import { openDatabase } from '../../db/client.ts';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import { applicationBody, sharedTestDatabase, testConfig, type TestDatabase } from '../support/app.ts';
import { api, listen, LiveClient, signIn, type Frame } from '../support/live.ts';
import { inDesignReview, syncStaff } from '../support/sla.ts';

const at = (iso: string) => Date.parse(iso);
const NO1 = 'YX2026-0001';
const NO2 = 'YX2026-0002';
/** how often the server looks for other processes' commits here (1 s in production) */
const FEED_MS = 100;

/** What `sla:sweep` builds: the app on its own connection to the database, never made ready (no timers, no dispatcher). */
async function otherProcess(database: TestDatabase, now: number): Promise<{ app: JiedianApp; clock: ManualClock }> {
  const clock = new ManualClock(now);
  const config = testConfig(database.env);
  if (database.kind === 'postgres') {
    const backend = await openPostgresBackend({ url: database.env.DATABASE_URL! });
    const app = await buildApp({ config, backend, clock, logger: false });
    others.push(async () => {
      await app.close();
      await backend.close();
    });
    return { app, clock };
  }
  const sqlite = openDatabase(database.env.DATABASE_PATH!);
  const app = await buildApp({ config, database: sqlite, clock, logger: false });
  others.push(async () => {
    await app.close();
    sqlite.close();
  });
  return { app, clock };
}
const others: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of others.splice(0)) await close();
});

const alertFrames = (client: LiveClient) => client.frames.filter((f) => f.type === 'alert');
const summary = (f: Frame) => [f.alert.applicationNo, f.alert.level];

describe('alerts raised by another process on the same database', () => {
  it("reach the running server's staff socket exactly once, and the server's own alerts still exactly once", async () => {
    const database = await sharedTestDatabase();
    const t = await database.build({ now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false, alertFeedIntervalMs: FEED_MS } });
    await syncStaff(t);
    // NO1 is warned 11-26 08:30 and overdue after 11-26 23:59; NO2 is warned 11-27 08:30
    await inDesignReview(t, NO1, '2026-11-24T09:30:00+08:00');
    await inDesignReview(t, NO2, '2026-11-25T09:30:00+08:00');
    // the team lead's page, signed in for the next 12 hours
    t.clock.set(at('2026-11-26T13:00:00+08:00'));
    const base = await listen(t);
    const { token } = await signIn(t, base, 'L001');
    const live = await LiveClient.open(base);
    await live.subscribeStaff(token);

    // `sla:sweep` in another process raises NO1's warning: the server pushes it without sweeping itself
    const cli = await otherProcess(database, at('2026-11-26T08:30:00+08:00'));
    expect(await cli.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, overdue: 0 });
    const timeout = { timeoutMs: 20 * FEED_MS };
    const warning = await live.next((f) => f.type === 'alert' && f.alert.applicationNo === NO1, 'NO1 warning', timeout);
    // the very frame the in-process path sends: the alert as the queue shows it
    const queue = await api(base, 'GET', '/api/v1/staff/queue', { token });
    expect(warning.frame).toEqual({ type: 'alert', alert: queue.body.alerts.find((a: { applicationNo: string }) => a.applicationNo === NO1) });
    expect(warning.frame.alert).toMatchObject({ level: 'warning', stepName: '设计文件审核', handlerName: '李明', raisedAt: '2026-11-26T08:30:00+08:00' });

    // The server's own sweep raises NO1's overdue alert and pushes it at once; straight after it (before the feed looks
    // again) the other process commits NO2's warning, so the feed's next read spans the server's own row too.
    t.clock.set(at('2026-11-27T00:00:30+08:00'));
    cli.clock.set(at('2026-11-27T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, overdue: 1 });
    expect(await cli.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, overdue: 0 });
    await live.next((f) => f.type === 'alert' && f.alert.applicationNo === NO1 && f.alert.level === 'overdue', 'NO1 overdue', timeout);
    await live.next((f) => f.type === 'alert' && f.alert.applicationNo === NO2, 'NO2 warning', timeout);

    // another process's write that raises nothing (a sync) makes the feed read again: it publishes nothing again
    const resync = await cli.app.inject({ method: 'PUT', url: `/api/v1/sync/applications/${NO2}`, headers: t.sync, payload: applicationBody({ requestedConnectDate: '2027-05-31', acceptedAt: '2026-11-20T09:00:00+08:00' }) });
    expect(resync.statusCode).toBe(200);
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, overdue: 0 });
    await new Promise((resolve) => setTimeout(resolve, 5 * FEED_MS));
    await live.settle();
    expect(alertFrames(live).map(summary)).toEqual([
      [NO1, 'warning'],
      [NO1, 'overdue'],
      [NO2, 'warning'],
    ]);
    expect(new Set(alertFrames(live).map((f) => f.alert.id)).size).toBe(3);
  });
});
