// The 1-working-day handling limit of a low rating's 预警 item (review of issue 17, gap 7): once it passes with the item
// still open, the sweep raises the item to 紧急 (top of the queue, flagged overdue) and its team lead is texted once.
import { describe, expect, it } from 'vitest';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { eventually, fakeTwilioForTest } from '../support/notices.ts';
import { APPLICATION_NO, APPLICATION_PHONE, chatApp, postSms, switchOn } from '../support/chat.ts';

const at = (iso: string) => Date.parse(iso);
const LEAD_PHONE = '+8613900009999';
const leadTexts = (fake: FakeTwilio) => fake.requests.filter((r) => r.to === LEAD_PHONE && r.body?.includes('紧急风险'));

describe('the handling limit of a low rating', () => {
  it('an item still open after its working day rises to 紧急, is flagged overdue, and texts the team lead once', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { deps: { startSweeper: false } });
    await switchOn(t);
    await postSms(t, APPLICATION_PHONE, '2 太慢了');
    const risks = t.app.risks.items;
    expect(await risks.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'warning', handleBy: '2026-11-25T10:00:00+08:00', overdue: false });

    // at the limit itself: not yet
    t.clock.set(at('2026-11-25T10:00:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect(await risks.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'warning', overdue: false });

    t.clock.set(at('2026-11-25T10:01:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect(await risks.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'urgent', tierName: '紧急', overdue: true, raisedAt: '2026-11-25T10:01:00+08:00', textedAt: '2026-11-25T10:01:00+08:00' });
    await t.app.notices.dispatcher.idle();
    await eventually(() => leadTexts(fake).length === 1, 'the text to the team lead');

    // later sweeps neither raise nor text again
    t.clock.set(at('2026-11-25T15:00:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    await t.app.timeLimits.sweeper.sweep();
    await t.app.notices.dispatcher.idle();
    expect(leadTexts(fake)).toHaveLength(1);
    const audit = (await risks.auditOf((await risks.ofApplication(APPLICATION_NO))!.id)).map((a) => `${a.action} ${a.detail ?? ''}`);
    expect(audit.filter((a) => a.startsWith('raised'))).toEqual(['raised warning → urgent: not handled by 2026-11-25T10:00:00+08:00']);
  });

  it('an item closed within its limit is left alone', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { deps: { startSweeper: false } });
    await switchOn(t);
    await postSms(t, APPLICATION_PHONE, '1分');
    const risks = t.app.risks.items;
    const id = (await risks.ofApplication(APPLICATION_NO))!.id;
    t.clock.set(at('2026-11-24T15:00:00+08:00'));
    await risks.close({ role: 'admin', handlerId: 'H009', teamId: 'T01', name: '王建国', teamName: '业扩一班' } as never, id, '已回电，客户认可');
    t.clock.set(at('2026-11-26T10:00:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect(await risks.ofApplication(APPLICATION_NO)).toMatchObject({ tier: 'warning', status: 'closed', overdue: false });
    await t.app.notices.dispatcher.idle();
    expect(leadTexts(fake)).toHaveLength(0);
  });
});
