// The loop `npm run demo` prints: its accounts' hurries reach the staff login it prints, an admin login sees every
// team, and each account's state is read from the database at start (so a restart prints what is true then).
import { describe, expect, it } from 'vitest';
import { advanceDemo, demoAdmin, demoServicesOf, demoStaffMember, describeAccountNow, seedDemo } from '../../db/seed/demo.ts';
import { createRng } from '../../db/seed/demo-data.ts';
import { buildTestApp } from '../support/app.ts';
import { api, hurry, listen, PASSWORD, viewToken } from '../support/live.ts';

describe('the demo loop', () => {
  it('prints a team lead whose queue gets the printed accounts\' hurries, and an admin who sees every team', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const services = demoServicesOf(t.app, t.database);
    const { demoAccounts } = await seedDemo(services, t.clock.now());
    const base = await listen(t);

    const member = (await demoStaffMember(services, t.app.staff, demoAccounts))!;
    const printed = member.accounts.slice(0, 2);
    await t.app.staff.auth.setPassword(member.handlerId, PASSWORD);
    const lead = (await api(base, 'POST', '/api/v1/staff/login', { body: { handlerId: member.handlerId, password: PASSWORD } })).body.token as string;

    let hurried = 0;
    for (const account of printed) {
      const token = await viewToken(base, account.accountNo, account.queryCode);
      for (const applicationNo of account.applicationNos) {
        expect((await api(base, 'GET', `/api/v1/staff/applications/${applicationNo}`, { token: lead })).status).toBe(200);
        const reply = await hurry(base, token, applicationNo);
        if (reply.status === 202) hurried++;
      }
    }
    expect(hurried).toBeGreaterThan(0);
    const queue = await api(base, 'GET', '/api/v1/staff/queue', { token: lead });
    expect(queue.body.hurries).toHaveLength(hurried);

    const admin = (await demoAdmin(services))!;
    await t.app.staff.auth.setPassword(admin.handlerId, PASSWORD);
    const adminToken = (await api(base, 'POST', '/api/v1/staff/login', { body: { handlerId: admin.handlerId, password: PASSWORD } })).body;
    expect(adminToken.handler.role).toBe('admin');
    for (const account of demoAccounts) {
      for (const applicationNo of account.applicationNos) {
        expect((await api(base, 'GET', `/api/v1/staff/applications/${applicationNo}`, { token: adminToken.token })).status).toBe(200);
      }
    }
  });

  it('describes each account as the database has it now, so a restart after the applications moved prints the new state', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    const services = demoServicesOf(t.app, t.database);
    const { demoAccounts } = await seedDemo(services, t.clock.now());
    const active = new Set<string>();
    for (const a of demoAccounts) for (const n of a.applicationNos) if ((await services.views.staffView(n))!.status === 'active') active.add(n);
    const account = demoAccounts.find((a) => a.applicationNos.some((no) => active.has(no)))!;
    const no = account.applicationNos.find((n) => active.has(n))!;
    const before = (await describeAccountNow(services, account));
    const view = (await services.views.staffView(no))!;
    expect(before.join('\n')).toContain(`${no} ${view.processName} 办理中，当前“${view.currentStep!.name}”`);

    const rng = createRng(7);
    for (let i = 0; i < 200 && (await describeAccountNow(services, account)).join() === before.join(); i++) await advanceDemo(services, t.clock.now(), rng);
    const after = (await describeAccountNow(services, account));
    expect(after).not.toEqual(before);
    const now = (await services.views.staffView(no))!;
    expect(after.join('\n')).toContain(now.status === 'active' ? `当前“${now.currentStep!.name}”` : `${no} ${now.processName} 已完成`);
  });
});
