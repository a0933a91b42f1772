// The whole product on PostgreSQL: `DATABASE_URL` selects it, the app runs on its backend (the same use cases as on
// SQLite), /healthz says so, and a database server that goes away is a 503 the service recovers from, never a crash.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type JiedianApp } from '../../server/app.ts';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import type { Backend } from '../../server/backend.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import { DEFAULT_NOW, SECRET, SYNC_TOKEN, applicationBody, handlerBody, testConfig } from '../support/app.ts';
import { fakeTwilioForTest, twilioEnv } from '../support/notices.ts';
import { freshPostgresDatabase } from '../support/postgres.ts';
import { send, start } from '../support/server-process.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sync = { authorization: `Bearer ${SYNC_TOKEN}` };

async function postgresApp(env: Record<string, string> = {}, url?: string): Promise<{ app: JiedianApp; backend: Backend; clock: ManualClock }> {
  let databaseUrl = url;
  if (!databaseUrl) {
    const target = await freshPostgresDatabase();
    cleanups.push(() => target.drop());
    databaseUrl = target.url;
  }
  const backend = await openPostgresBackend({ url: databaseUrl, leaseRetryMs: 100 });
  cleanups.push(() => backend.close());
  const clock = new ManualClock(DEFAULT_NOW);
  const app = await buildApp({ config: testConfig({ ...env, DATABASE_URL: databaseUrl }), backend, clock, logger: false, startSweeper: false });
  cleanups.push(() => app.close());
  await app.ready();
  return { app, backend, clock };
}

/** A TCP relay to the PostgreSQL server that a test can cut (connections dropped, new ones refused) and restore. */
async function relayTo(url: string) {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const relayed = new URL(url);
  relayed.port = String(port);
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: relayed.toString(),
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async restore() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
  };
}

describe('Jiedian on PostgreSQL', () => {
  it('mirrors, plans, notifies and answers a customer on PostgreSQL, and /healthz says which database and what this instance holds', async () => {
    const fake = await fakeTwilioForTest();
    const { app } = await postgresApp(twilioEnv(fake));

    expect((await app.inject({ method: 'PUT', url: '/api/v1/sync/handlers/H001', headers: sync, payload: handlerBody() })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/sync/applications/YX2026-0001', headers: sync, payload: applicationBody() })).statusCode).toBe(201);
    const events = [
      { eventId: 'EV-1', applicationNo: 'YX2026-0001', stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' },
      { eventId: 'EV-2', applicationNo: 'YX2026-0001', stepCode: 'accept', type: 'step_completed', at: '2026-11-20T11:00:00+08:00', handlerId: 'H001' },
    ];
    const posted = await app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: sync, payload: { events } });
    expect(posted.json()).toMatchObject({ accepted: 2, rejected: [] });
    // the same batch again changes nothing: the mirror is idempotent on PostgreSQL too
    expect((await app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: sync, payload: { events } })).json()).toMatchObject({ accepted: 0, duplicates: 2, rejected: [] });

    const query = await app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: '5300123456', queryCode: '482913' } });
    expect(query.statusCode).toBe(200);
    const [application] = query.json().applications as { applicationNo: string; steps: { code: string; status: string }[] }[];
    expect(application!.applicationNo).toBe('YX2026-0001');
    expect(application!.steps.find((s) => s.code === 'accept')?.status).toBe('done');
    const read = await app.inject({ method: 'GET', url: '/api/v1/progress/YX2026-0001', headers: { authorization: `Bearer ${query.json().viewToken}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json().application.steps).toEqual(application!.steps);

    // each notice reaches the customer once, through the claim the PostgreSQL outbox makes
    await app.notices.dispatcher.idle();
    const sent = fake.requests.filter((r) => r.to === '+8613800001111');
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((r) => r.idempotencyToken)).size).toBe(sent.length);

    await expect.poll(async () => (await app.inject({ method: 'GET', url: '/healthz' })).json(), { timeout: 5000 }).toEqual({
      status: 'ok',
      database: 'ok',
      databaseKind: 'postgres',
      leases: { sweeper: true, wechatBot: true },
    });
  });

  it('answers 503 while the PostgreSQL server cannot be reached, keeps nothing half-done, and takes writes again when it is back', async () => {
    const target = await freshPostgresDatabase();
    cleanups.push(() => target.drop());
    const relay = await relayTo(target.url);
    const { app } = await postgresApp({}, relay.url);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/sync/handlers/H001', headers: sync, payload: handlerBody() })).statusCode).toBe(200);

    await relay.cut();
    const refused = await app.inject({ method: 'PUT', url: '/api/v1/sync/applications/YX2026-0001', headers: sync, payload: applicationBody() });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ statusCode: 503, code: 'JD_UNAVAILABLE' });
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json().message).toContain('cannot be reached');

    await relay.restore();
    await expect.poll(async () => (await app.inject({ method: 'GET', url: '/healthz' })).statusCode, { timeout: 10_000 }).toBe(200);
    // the refused write left nothing behind: the same request now creates the application
    const again = await app.inject({ method: 'PUT', url: '/api/v1/sync/applications/YX2026-0001', headers: sync, payload: applicationBody() });
    expect(again.statusCode).toBe(201);
  });

  const serverEnv = { SYNC_TOKEN, JIEDIAN_SECRET: SECRET, PORT: '0', QUIET_HOURS: '', LATE_EVENT_HORIZON_HOURS: '8784', LEASE_RETRY_MS: '200' };

  it('runs `npm start` on DATABASE_URL, and stops cleanly on SIGTERM', async () => {
    const target = await freshPostgresDatabase();
    cleanups.push(() => target.drop());
    const server = start({ ...serverEnv, DATABASE_URL: target.url });
    const origin = await server.origin;
    expect((await send(origin, 'PUT', '/api/v1/sync/handlers/H001', handlerBody())).status).toBe(200);
    expect((await send(origin, 'PUT', '/api/v1/sync/applications/YX2026-0001', applicationBody())).status).toBe(201);
    await expect.poll(async () => (await fetch(`${origin}/healthz`)).json(), { timeout: 10_000 }).toMatchObject({ databaseKind: 'postgres', leases: { sweeper: true } });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('stops start-up in one line that hides the password when the PostgreSQL server cannot be reached', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const unreachable = start({ ...serverEnv, DATABASE_URL: `postgres://jiedian:hunter2-secret@127.0.0.1:${closedPort}/jiedian` });
    expect(await unreachable.exited).toBe(3);
    const lines = unreachable.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^jiedian: cannot open the database DATABASE_URL=postgres:\/\/jiedian:\*\*\*@127\.0\.0\.1:\d+\/jiedian: the database server cannot be reached/);
    expect(unreachable.stdout() + unreachable.stderr()).not.toContain('hunter2-secret');
  }, 60_000);
});
