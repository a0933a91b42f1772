// The staff module as a plugin over its store port: what the port answers on SQLite (the contract a second database
// implements too), and the plugin's declared dependency on the stores.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/shared/metrics.ts';
import { createInProcessHub } from '../../server/realtime/hub.ts';
import { createInMemoryAttemptLog } from '../../server/limits/attempt-log.ts';
import { staffPlugin } from '../../server/staff/plugin.ts';
import { systemClock } from '../../server/shared/clock.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { postEvents, putApplication, putHandler, started } from '../support/notices.ts';

async function staffWorld(): Promise<TestApp> {
  const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
  await putHandler(t, 'H001');
  await putHandler(t, 'H002', { name: '张伟', phone: '13900002222', teamId: 'T02', teamName: '业扩二班' });
  // the account manager is an id the marketing system has not synced as a handler
  await putApplication(t, 'YX2026-0001', { accountManagerId: 'M404' });
  await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00', 'H002')]);
  return t;
}

describe('the staff accounts store port', () => {
  it('names a synced handler as a session would, and nobody for an id that was never synced', async () => {
    const { app } = await staffWorld();
    expect(await app.stores.staff.member('H002')).toEqual({ handlerId: 'H002', role: 'handler', teamId: 'T02', name: '张伟', teamName: '业扩二班', phone: '13900002222' });
    expect(await app.stores.staff.member('H999')).toBeNull();
  });

  it('keeps a password hash through a unit of work, and refuses one for a handler that does not exist', async () => {
    const { app } = await staffWorld();
    expect(await app.stores.staff.passwordHash('H001')).toBeNull();
    expect(await app.transact((stores) => stores.staff.setPasswordHash('H001', 'scrypt$stored'))).toBe(true);
    expect(await app.stores.staff.passwordHash('H001')).toBe('scrypt$stored');
    expect(await app.transact((stores) => stores.staff.setPasswordHash('H999', 'scrypt$stored'))).toBe(false);
    expect(await app.stores.staff.passwordHash('H999')).toBeNull();
  });

  it('lists who works on an application with their teams (null for an unsynced id), and nothing for an unknown application', async () => {
    const { app } = await staffWorld();
    const workers = await app.stores.staff.workersOf('YX2026-0001');
    expect(workers?.sort((a, b) => a.handlerId.localeCompare(b.handlerId))).toEqual([
      { handlerId: 'H002', teamId: 'T02' },
      { handlerId: 'M404', teamId: null },
    ]);
    expect(await app.stores.staff.workersOf('YX2099-0001')).toBeNull();
  });
});

describe('the staff plugin', () => {
  it('decides who may open an application from the port: the step\'s handler and their team lead yes, another team\'s handler no', async () => {
    const t = await staffWorld();
    await putHandler(t, 'L002', { name: '王班长', phone: '13900003333', teamId: 'T02', teamName: '业扩二班', role: 'team_lead' });
    const { auth, access } = t.app.staff;
    const who = async (id: string) => (await auth.principal(id))!;
    expect(await access.canSee(await who('H002'), 'YX2026-0001')).toBe(true);
    expect(await access.canSee(await who('L002'), 'YX2026-0001')).toBe(true);
    expect(await access.canSee(await who('H001'), 'YX2026-0001')).toBe(false);
  });

  it('will not start without the stores plugin it depends on, and says which', async () => {
    const app = Fastify();
    app.register(staffPlugin, { secret: 'x'.repeat(32), clock: systemClock, timeZone: 'Asia/Shanghai', metrics: createMetrics(), hub: createInProcessHub(), attempts: createInMemoryAttemptLog() });
    await expect(app.ready()).rejects.toThrow(/stores/);
  });
});
