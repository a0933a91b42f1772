import { describe, expect, it } from 'vitest';
import { advanceDemo, demoServicesOf, seedDemo } from '../../db/seed/demo.ts';
import { createRng, generateDemoData } from '../../db/seed/demo-data.ts';
import type { ProgressView } from '../../server/domain/progress-view.ts';
import { buildTestApp, DEFAULT_NOW } from '../support/app.ts';

const processes = ['lv_resident', 'lv_business', 'hv_single', 'hv_dual'];

describe('demo data', () => {
  it('seeds ~200 applications over all four processes, every step of every process current somewhere', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const services = demoServicesOf(t.app, t.database);

    const result = await seedDemo(services, t.clock.now());
    expect(result.seeded).toBe(true);
    expect(result.applications).toBeGreaterThanOrEqual(180);
    expect(result.applications).toBeLessThanOrEqual(220);
    expect(result.demoAccounts.length).toBeGreaterThanOrEqual(2);

    const data = generateDemoData({ now: t.clock.now(), catalog: services.context.catalog, calendar: services.context.calendar, timeZone: services.context.timeZone });
    const views = await Promise.all(data.applications.map(async (a) => (await services.views.staffView(a.applicationNo))!));
    expect(views.every(Boolean)).toBe(true);

    const perProcess = new Map<string, ProgressView[]>();
    for (const v of views) perProcess.set(v.processCode, [...(perProcess.get(v.processCode) ?? []), v]);
    expect([...perProcess.keys()].sort()).toEqual([...processes].sort());
    const count = (code: string) => perProcess.get(code)!.length;
    expect(count('lv_resident')).toBeGreaterThan(count('lv_business'));
    expect(count('lv_business')).toBeGreaterThan(count('hv_single'));
    expect(count('hv_single')).toBeGreaterThan(count('hv_dual'));

    for (const [code, list] of perProcess) {
      const process = services.context.catalog.processes.find((p) => p.code === code)!;
      const current = new Set(list.filter((v) => v.status === 'active').map((v) => v.currentStep?.code));
      expect([...current].sort(), code).toEqual(process.steps.map((s) => s.code).sort());
    }

    const infeasible = views.filter((v) => v.status === 'active' && v.plan.feasible === false);
    expect(infeasible.length).toBeGreaterThanOrEqual(5);
    expect(views.filter((v) => v.requestedConnectDate === null).length).toBeGreaterThanOrEqual(20);
    const completed = views.filter((v) => v.status === 'completed');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(completed.every((v) => v.steps.every((s) => s.status === 'done'))).toBe(true);
    expect(views.filter((v) => v.status === 'suspended').length).toBeGreaterThanOrEqual(1);
    expect(views.filter((v) => v.status === 'suspended').length).toBeLessThanOrEqual(2);

    // Handlers of a step come from one team per application.
    const teamOf = new Map(data.handlers.map((h) => [h.name, h.teamId]));
    for (const v of views) {
      const teams = new Set(v.steps.filter((s) => s.handler).map((s) => teamOf.get(s.handler!.name)));
      expect(teams.size, v.applicationNo).toBeLessThanOrEqual(1);
    }
  });

  it('generates the same data for the same now, with every event in the past and in step order', async () => {
    const t = await buildTestApp();
    const { catalog, calendar, timeZone } = t.app.context;
    const a = generateDemoData({ now: DEFAULT_NOW, catalog, calendar, timeZone });
    const b = generateDemoData({ now: DEFAULT_NOW, catalog, calendar, timeZone });
    expect(a).toEqual(b);

    const accepted = a.applications.map((x) => Date.parse(x.acceptedAt));
    expect(Math.min(...accepted)).toBeGreaterThan(DEFAULT_NOW - 100 * 86_400_000);
    for (const ms of accepted) {
      const local = new Date(ms + 8 * 3_600_000);
      const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
      expect(calendar.isWorkday(local.toISOString().slice(0, 10))).toBe(true);
      expect(minutes).toBeGreaterThanOrEqual(8 * 60 + 30);
      expect(minutes).toBeLessThanOrEqual(17 * 60 + 30);
    }

    const byApplication = new Map<string, typeof a.events>();
    for (const e of a.events) byApplication.set(e.applicationNo, [...(byApplication.get(e.applicationNo) ?? []), e]);
    for (const application of a.applications) {
      const steps = catalog.processes.find((p) => p.code === application.processCode)!.steps.map((s) => s.code);
      const events = byApplication.get(application.applicationNo) ?? [];
      expect(events[0]?.at).toBe(application.acceptedAt);
      let last = -Infinity;
      let lastPosition = -1;
      for (const e of events) {
        const at = Date.parse(e.at);
        expect(at).toBeLessThan(DEFAULT_NOW);
        expect(at).toBeGreaterThan(last);
        expect(steps.indexOf(e.stepCode)).toBeGreaterThanOrEqual(lastPosition);
        last = at;
        lastPosition = steps.indexOf(e.stepCode);
      }
    }
    expect(new Set(a.applications.map((x) => x.applicationNo)).size).toBe(a.applications.length);
    expect(a.applications.every((x) => /^53\d{8}$/.test(x.accountNo) && /^\d{6}$/.test(x.queryCode) && /^1[358]\d{9}$/.test(x.phone))).toBe(true);
  });

  it('does not seed a database that already has applications', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const services = demoServicesOf(t.app, t.database);
    const first = await seedDemo(services, t.clock.now());
    const second = await seedDemo(services, t.clock.now());
    expect(second).toMatchObject({ seeded: false, applications: first.applications });
    const total = services.database.sqlite.prepare('select count(*) as n from applications').get() as { n: number };
    expect(total.n).toBe(first.applications);
  });

  it('lets a demo customer query progress with a printed account number and query code', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const { demoAccounts } = await seedDemo(demoServicesOf(t.app, t.database), t.clock.now());
    const account = demoAccounts[0]!;
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: account.accountNo, queryCode: account.queryCode } });
    expect(response.statusCode).toBe(200);
    expect(response.json().applications.map((a: { applicationNo: string }) => a.applicationNo).sort()).toEqual([...account.applicationNos].sort());
  });

  it('advanceDemo completes the current step of a few applications and starts the next', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const services = demoServicesOf(t.app, t.database);
    await seedDemo(services, t.clock.now());
    const before = new Map<string, ProgressView>();
    const all = services.database.sqlite.prepare("select application_no as no from applications where status = 'active'").all() as { no: string }[];
    for (const { no } of all) before.set(no, (await services.views.staffView(no))!);

    t.clock.advance(60_000);
    const moves = await advanceDemo(services, t.clock.now(), createRng(7), 3);

    expect(moves).toHaveLength(3);
    for (const move of moves) {
      const was = before.get(move.applicationNo)!;
      const now = (await services.views.staffView(move.applicationNo))!;
      expect(now.currentStep?.code).toBe(move.to.code);
      expect(now.currentStep?.status).toBe('in_progress');
      expect(now.currentStep?.handler).not.toBeNull();
      if (was.currentStep?.status === 'in_progress') {
        expect(move.from?.code).toBe(was.currentStep.code);
        expect(now.steps.find((s) => s.code === was.currentStep!.code)?.status).toBe('done');
      } else {
        expect(move.to.code).toBe(was.currentStep?.code);
      }
    }
  });
});
