// The satisfaction follow-up (回访) asked at the kiosk the next time the customer queries (the rating routes the
// kiosk uses), an application muted by its customer, and the rule "total time limit nearly used while the requested
// date is infeasible" raising its item from the sweeper.
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, completed, fakeTwilioForTest, postEvents, putApplication, started } from '../support/notices.ts';
import { APPLICATION_NO, QUERY_CODE, ACCOUNT_NO, chatApp, switchOn } from '../support/chat.ts';
import { api, customerA, hurryScenario, listen, signIn, viewToken } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);
const ratingPath = `/api/v1/applications/${APPLICATION_NO}/rating`;

async function switchedOnApp() {
  const fake = await fakeTwilioForTest();
  const t = await chatApp(fake, { deps: { startSweeper: false } });
  const base = await listen(t);
  return { fake, t, base };
}

describe('the rating question at the kiosk', () => {
  it('is not asked before switch-on; after it the kiosk reads it, and a 2 with a comment is stored like a chat reply and opens a 预警 item', async () => {
    const { t, base } = await switchedOnApp();
    const token = await viewToken(base, ACCOUNT_NO, QUERY_CODE);
    expect((await api(base, 'GET', ratingPath, { token })).body).toEqual({ rating: null });
    const early = await api(base, 'PUT', ratingPath, { token, body: { score: 5 }, headers: { 'x-jiedian-channel': 'kiosk' } });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('JD_CONFLICT');
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toBeNull();

    await switchOn(t);
    expect((await api(base, 'GET', ratingPath, { token })).body).toEqual({ rating: { score: null, comment: null, ratedAt: null, open: true, changeableUntil: null } });

    const rated = await api(base, 'PUT', ratingPath, { token, body: { score: 2, comment: ' 太慢了 ' }, headers: { 'x-jiedian-channel': 'kiosk' } });
    expect(rated.status).toBe(200);
    expect(rated.body).toEqual({
      rating: { score: 2, comment: '太慢了', ratedAt: '2026-11-24T10:00:00+08:00', open: true, changeableUntil: '2026-12-01T10:00:00+08:00' },
      followUp: true,
    });
    // stored as the chat stores an SMS or WeChat answer: the staff view shows it, and a risk item waits for a person
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 2, comment: '太慢了', channel: 'kiosk' });
    const item = (await t.app.risks.items.ofApplication(APPLICATION_NO))!;
    expect(item).toMatchObject({ tier: 'warning', status: 'open', handleBy: '2026-11-25T10:00:00+08:00' });
    expect(item.signals).toEqual([expect.objectContaining({ kind: 'rating', source: 'kiosk', score: 2, rules: ['low_rating'], detail: '2分：太慢了' })]);
    const lead = await signIn(t, base, 'H009');
    expect((await api(base, 'GET', `/api/v1/staff/applications/${APPLICATION_NO}`, { token: lead.token })).body.rating).toMatchObject({ score: 2, channel: 'kiosk' });

    // a second answer within 7 days replaces the first; after them the window is closed
    t.clock.set(at('2026-11-26T10:00:00+08:00'));
    const better = await api(base, 'PUT', ratingPath, { token: await viewToken(base, ACCOUNT_NO, QUERY_CODE), body: { score: 5 } });
    expect(better.body).toMatchObject({ rating: { score: 5, comment: null, open: true }, followUp: false });
    t.clock.set(at('2026-12-01T10:00:01+08:00'));
    const lateToken = await viewToken(base, ACCOUNT_NO, QUERY_CODE);
    expect((await api(base, 'GET', ratingPath, { token: lateToken })).body.rating).toMatchObject({ score: 5, open: false });
    const late = await api(base, 'PUT', ratingPath, { token: lateToken, body: { score: 1 } });
    expect(late.status).toBe(409);
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: 5, channel: 'kiosk' });
  });

  it('refuses bad input and strangers with clear 4xx errors and stores nothing', async () => {
    const { t, base } = await switchedOnApp();
    await switchOn(t);
    const token = await viewToken(base, ACCOUNT_NO, QUERY_CODE);
    for (const body of [{ score: 0 }, { score: 6 }, { score: 2.5 }, { score: '5' }, {}, { score: 4, comment: 'x'.repeat(501) }]) {
      const reply = await api(base, 'PUT', ratingPath, { token, body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.code).toBe('JD_INVALID_REQUEST');
    }
    expect((await api(base, 'PUT', ratingPath, { body: { score: 5 } })).status).toBe(401);
    // another account's token does not reach this application
    await putApplication(t, 'YX2026-0099', { accountNo: '5300999999', queryCode: '731264', phone: '13800002222' });
    const stranger = await viewToken(base, '5300999999', '731264');
    expect((await api(base, 'PUT', ratingPath, { token: stranger, body: { score: 1 } })).status).toBe(404);
    expect((await api(base, 'GET', ratingPath, { token: stranger })).status).toBe(404);
    expect(await t.app.risks.ratings.ofApplication(APPLICATION_NO)).toMatchObject({ score: null, ratedAt: null });
    expect(await t.app.risks.items.ofApplication(APPLICATION_NO)).toBeNull();
  });
});

describe('a muted application', () => {
  it('is not sent the connection text with the rating question, but the kiosk still asks it when the customer queries', async () => {
    const { t, base } = await switchedOnApp();
    const token = await viewToken(base, ACCOUNT_NO, QUERY_CODE);
    expect((await api(base, 'PUT', `/api/v1/applications/${APPLICATION_NO}/notifications`, { token, body: { muted: true } })).status).toBe(200);
    await switchOn(t);
    // the question rides on the connection notice, which a mute holds back
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'connected')).toEqual([]);
    expect((await api(base, 'GET', ratingPath, { token })).body.rating).toMatchObject({ score: null, open: true });
  });
});

describe('the total time limit nearly used while the requested date is infeasible', () => {
  it('raises a 预警 item in the team lead\'s queue once less than 20% of the limit is left, and only once', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: at('2026-11-23T09:00:00+08:00'), deps: { startSweeper: false } });
    await hurryScenario(t);
    // hv_single: 22 workdays in all; asked for 2026-12-04, which the process cannot make
    const tight = 'YX2026-0003';
    await putApplication(t, tight, {
      accountNo: customerA.accountNo,
      queryCode: customerA.queryCode,
      phone: customerA.phone,
      processCode: 'hv_single',
      requestedConnectDate: '2026-12-04',
      acceptedAt: '2026-11-23T09:00:00+08:00',
    });
    await postEvents(t, [
      started(tight, 'accept', '2026-11-23T09:00:00+08:00', 'H001'),
      completed(tight, 'accept', '2026-11-23T09:30:00+08:00', 'H001'),
      started(tight, 'survey', '2026-11-23T10:00:00+08:00', 'H001'),
    ]);
    const base = await listen(t);
    const risks = t.app.risks.items;

    // Monday 14 December: the 16th workday, 6 of 22 left (27%)
    t.clock.set(at('2026-12-14T10:00:00+08:00'));
    expect(await risks.raiseLimitRisks()).toBe(0);
    expect(await risks.ofApplication(tight)).toBeNull();

    // Thursday 17 December: the 19th workday, 3–4 of 22 left (< 20%)
    t.clock.set(at('2026-12-17T10:00:00+08:00'));
    expect(await risks.raiseLimitRisks()).toBe(1);
    const lead = await signIn(t, base, 'L001');
    const queue = await api(base, 'GET', '/api/v1/staff/queue', { token: lead.token });
    expect(queue.body.risks).toEqual([
      expect.objectContaining({
        applicationNo: tight,
        tier: 'warning',
        tierName: '预警',
        status: 'open',
        signals: [expect.objectContaining({ kind: 'limit', source: 'system', rules: ['limit_nearly_used'], tier: 'warning' })],
      }),
    ]);

    // the sweep runs every minute: the rule fires once
    t.clock.set(at('2026-12-17T10:01:00+08:00'));
    expect(await risks.raiseLimitRisks()).toBe(0);
    expect((await risks.ofApplication(tight))!.signals).toHaveLength(1);
  });

  it('does not fire for an application whose requested date can be met', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: at('2026-11-23T09:00:00+08:00'), deps: { startSweeper: false } });
    await hurryScenario(t);
    const roomy = 'YX2026-0004';
    await putApplication(t, roomy, { processCode: 'hv_single', requestedConnectDate: '2027-03-01', acceptedAt: '2026-11-23T09:00:00+08:00' });
    await postEvents(t, [started(roomy, 'accept', '2026-11-23T09:00:00+08:00', 'H001'), completed(roomy, 'accept', '2026-11-23T09:30:00+08:00', 'H001'), started(roomy, 'survey', '2026-11-23T10:00:00+08:00', 'H001')]);
    t.clock.set(at('2026-12-17T10:00:00+08:00'));
    expect(await t.app.risks.items.raiseLimitRisks()).toBe(0);
    expect(await t.app.risks.items.ofApplication(roomy)).toBeNull();
  });
});
