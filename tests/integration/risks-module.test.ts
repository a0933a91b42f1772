// The complaint-risk module as a plugin: it will not start without the modules it depends on, its timed jobs run on
// the time-limits sweeper, its gauge is on /metrics, and its services are what the rest of the app reaches it by.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { risksPlugin } from '../../server/risks/plugin.ts';
import { createMetrics } from '../../server/shared/metrics.ts';
import { buildTestApp } from '../support/app.ts';
import { postEvents, putApplication, putHandler, started } from '../support/notices.ts';

describe('the risks plugin', () => {
  it('will not start without the stores it depends on, and says which', async () => {
    const app = Fastify();
    app.register(risksPlugin, { ctx: {} as never, hub: {} as never, rules: {} as never, workingHours: {} as never, metrics: createMetrics() });
    await expect(app.ready()).rejects.toThrow(/stores/);
  });

  it("runs its jobs on the sweeper's timer: an application's owed limit risk is raised by a sweep", async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
    await putHandler(t, 'H001');
    await putApplication(t, 'YX2026-0001');
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00')]);
    await t.sql("UPDATE applications SET risk_limit_at = ? WHERE application_no = 'YX2026-0001'", t.clock.now() - 1);
    expect(await t.app.risks.items.ofApplication('YX2026-0001')).toBeNull();
    await t.app.timeLimits.sweeper.sweep();
    expect(await t.app.risks.items.ofApplication('YX2026-0001')).toMatchObject({ tier: 'warning', status: 'open', signals: [{ kind: 'limit', source: 'system' }] });
    expect(await t.app.stores.risks.limitRisksDue(t.clock.now())).toEqual([]);
  });

  it('counts open items by tier on /metrics', async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false, startSweeper: false } });
    await putHandler(t, 'H001');
    await putApplication(t, 'YX2026-0001');
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00')]);
    await t.app.risks.items.record({ applicationNo: 'YX2026-0001', kind: 'complaint', source: 'sms', detail: '我要投诉' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('jiedian_open_risk_items{tier="urgent"} 1');
  });
});
