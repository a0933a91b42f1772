// The applications module as a plugin: its decorator, its place after the modules it depends on, and the mirror's
// writes through the application store (a re-synced handler, an application moved to another process).
import Fastify from 'fastify';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { applicationsPlugin, type ApplicationsPluginOptions } from '../../server/applications/plugin.ts';
import { applicationBody, buildTestApp, handlerBody, type TestApp } from '../support/app.ts';

async function sync(t: TestApp, url: string, body: object) {
  const res = await supertest(t.app.server).put(`/api/v1/sync${url}`).set(t.sync).send(body);
  expect(res.status, res.text).toBeLessThan(300);
  return res.body;
}

const stepsOf = (t: TestApp, applicationNo: string) =>
  t.sql('SELECT step_code AS code, position, status FROM application_steps WHERE application_no = ? ORDER BY position', applicationNo);

describe('the applications plugin', () => {
  it('decorates the app with the ingest, the staff re-plan, the plan refresh and the progress views', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
    const { applications } = t.app;
    expect(Object.keys(applications).sort()).toEqual(['ingest', 'planRefresh', 'replanning', 'views']);
    // the module is their one home: no bag of services is left to hold them too
    expect(t.app.hasDecorator('jiedian')).toBe(false);
  });

  it('will not start without the notices and time-limits modules it depends on, and says which', async () => {
    const app = Fastify();
    app.register(applicationsPlugin, {} as ApplicationsPluginOptions);
    await expect(app.ready()).rejects.toThrow(/stores|notices|time-limits/);
  });
});

describe('the mirror through the application store', () => {
  it('a re-synced handler replaces their contacts and keeps the admin role granted in Jiedian; the team takes the new name', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
    await sync(t, '/handlers/H001', handlerBody({ email: 'liming@example.cn', wecomUserId: 'liming' }));
    await t.sql("UPDATE handlers SET role = 'admin' WHERE id = 'H001'");
    const reply = await sync(t, '/handlers/H001', handlerBody({ phone: '13912340000', teamName: '业扩一班（城区）' }));
    expect(reply.handler).not.toHaveProperty('email');
    expect(await t.sql("SELECT role, phone, email, wecom_user_id AS wecom FROM handlers WHERE id = 'H001'")).toEqual([{
      role: 'admin',
      phone: '13912340000',
      email: null,
      wecom: null,
    }]);
    expect(await t.sql("SELECT name FROM teams WHERE id = 'T01'")).toEqual([{ name: '业扩一班（城区）' }]);
  });

  it('an application moved to another process keeps the steps both have, in the new order, and loses the others', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
    await sync(t, '/handlers/H001', handlerBody());
    await sync(t, '/applications/YX2026-0001', applicationBody({ processCode: 'lv_business', requestedConnectDate: null }));
    expect(await stepsOf(t, 'YX2026-0001')).toEqual(['accept', 'survey', 'plan_reply', 'external_works', 'connect'].map((code, position) => ({ code, position, status: 'pending' })));
    await supertest(t.app.server)
      .post('/api/v1/sync/events')
      .set(t.sync)
      .send({ events: [{ eventId: 'E1', applicationNo: 'YX2026-0001', stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' }] })
      .expect(200);
    await sync(t, '/applications/YX2026-0001', applicationBody({ processCode: 'lv_resident', requestedConnectDate: null }));
    expect(await stepsOf(t, 'YX2026-0001')).toEqual([
      { code: 'accept', position: 0, status: 'in_progress' },
      { code: 'survey', position: 1, status: 'pending' },
      { code: 'connect', position: 2, status: 'pending' },
    ]);
    expect(await t.sql("SELECT process_code AS process FROM applications WHERE application_no = 'YX2026-0001'")).toEqual([{ process: 'lv_resident' }]);
  });
});
