// The risk statistics and the exposure report at their edges (review of issue 17): a month or date the data cannot
// hold is a 400, not a 500; the response rate counts the ratings asked in the range that were answered, so it never
// exceeds 100%; what belongs to no team is an admin's row of its own.
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';
import { api, grantAdmin, hurryScenario, listen, signIn } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);

async function setUp() {
  const fake = await fakeTwilioForTest();
  const t = await buildNoticeApp(fake, { now: at('2026-12-02T09:00:00+08:00'), deps: { startSweeper: false } });
  await hurryScenario(t);
  await grantAdmin(t, 'H002');
  const base = await listen(t);
  return { t, base, admin: await signIn(t, base, 'H002') };
}

describe('risk statistics and the exposure report at their edges', () => {
  it('answers 400 JD_INVALID_REQUEST for a month or date outside 1970–2999', async () => {
    const { base, admin } = await setUp();
    for (const month of ['0000-01', '0001-01', '0099-12', '0100-01', '1969-12', '9999-12', '3000-01']) {
      const reply = await api(base, 'GET', `/api/v1/stats/exposure?month=${month}`, { token: admin.token });
      expect(reply.status, month).toBe(400);
      expect(reply.body.code, month).toBe('JD_INVALID_REQUEST');
    }
    for (const month of ['1970-01', '2026-11', '2999-12']) expect((await api(base, 'GET', `/api/v1/stats/exposure?month=${month}`, { token: admin.token })).status, month).toBe(200);
    for (const range of ['from=0000-01-01&to=2026-11-30', 'from=2026-11-01&to=9999-12-31']) {
      const reply = await api(base, 'GET', `/api/v1/stats/risk?${range}&groupBy=team`, { token: admin.token });
      expect(reply.status, range).toBe(400);
      expect(reply.body.code).toBe('JD_INVALID_REQUEST');
    }
  });

  it('takes the response rate over the ratings asked in the range: answered / asked, never above 100%', async () => {
    const { t, base, admin } = await setUp();
    const insert = (...values: unknown[]) => t.sql('INSERT INTO ratings (application_no, team_id, handler_id, asked_at, score, first_rated_at, rated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', ...values);
    const october = at('2026-10-30T10:00:00+08:00');
    const november = at('2026-11-02T10:00:00+08:00');
    // two asked in October and answered in November; one asked in November and answered, one asked and not answered
    await insert('A1', 'T01', 'H001', october, 5, november, november);
    await insert('A2', 'T01', 'H001', october, 4, november, november);
    await insert('A3', 'T01', 'H001', november, 3, november + 1000, november + 1000);
    await insert('A4', 'T01', 'H001', november, null, null, null);
    // asked of an application with no team
    await insert('A5', null, null, november, 2, november, november);
    const reply = await api(base, 'GET', '/api/v1/stats/risk?from=2026-11-01&to=2026-11-30&groupBy=team', { token: admin.token });
    expect(reply.status).toBe(200);
    const byKey = Object.fromEntries(reply.body.rows.map((r: { key: string }) => [r.key, r]));
    // the satisfaction counts every rating given in November; the response rate the November questions only
    expect(byKey.T01).toMatchObject({ ratingsAsked: 2, ratings: 3, satisfaction: 4, responseRate: 0.5 });
    expect(byKey['']).toMatchObject({ name: '无班组', ratingsAsked: 1, ratings: 1, responseRate: 1 });
    for (const row of reply.body.rows) expect(row.responseRate ?? 0).toBeLessThanOrEqual(1);
  });
});
