// /metrics counts the hurry requests still waiting for an answer (API.md §6).
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';
import { api, customerA, customerB, hurry, hurryScenario, listen, signIn, viewToken } from '../support/live.ts';

describe('open hurries in /metrics', () => {
  it('rise with each new request, not with repeated presses, and fall when one is answered', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { deps: { startSweeper: false } });
    await hurryScenario(t);
    const base = await listen(t);
    const openHurries = async () => {
      const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^jiedian_open_hurries(?:\{\})? (\d+)$/m.exec(body)?.[1]);
    };
    expect(await openHurries()).toBe(0);

    const a = await viewToken(base, customerA.accountNo, customerA.queryCode);
    const first = await hurry(base, a, customerA.applicationNo);
    expect((await hurry(base, a, customerA.applicationNo)).status).toBe(429);
    expect((await hurry(base, await viewToken(base, customerB.accountNo, customerB.queryCode), customerB.applicationNo)).status).toBe(202);
    expect(await openHurries()).toBe(2);

    const handler = await signIn(t, base, 'H001');
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${first.body.hurry.id}/reply`, { token: handler.token, body: { text: '今天处理。' } })).status).toBe(200);
    expect(await openHurries()).toBe(1);
  });
});
