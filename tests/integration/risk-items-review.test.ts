// Risk items after the review of issue 17: an item gathers the earlier signals its rule counted, a double click on
// the hurry button is one press, and a reopened urgent item texts the team lead again only as a new episode.
import { describe, expect, it } from 'vitest';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { buildNoticeApp, eventually, fakeTwilioForTest } from '../support/notices.ts';
import { Compile } from 'typebox/compile';
import { RiskFrameSchema } from '../../server/schemas/risks.ts';
import { api, customerA, hurry, hurryScenario, listen, LiveClient, signIn, viewToken } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);

async function setUp() {
  const fake = await fakeTwilioForTest();
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false } });
  await hurryScenario(t);
  t.clock.set(at('2026-11-24T10:00:00+08:00'));
  const base = await listen(t);
  return { fake, t, base };
}

const press = async (base: string) => hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), customerA.applicationNo);
const urgentTexts = (fake: FakeTwilio) => fake.requests.filter((r) => r.body?.includes('紧急风险'));

describe('a risk item gathers the signals that made its rule fire', () => {
  it('a repeat hurry item holds the first hurry too, with its time and source', async () => {
    const { t, base } = await setUp();
    await press(base);
    t.clock.set(at('2026-11-24T10:30:00+08:00'));
    await press(base);
    const item = (await t.app.risks.items.ofApplication(customerA.applicationNo))!;
    expect(item.signals.map((s) => `${s.kind} ${s.source} ${s.at} ${s.rules.join(',')}`)).toEqual([
      'hurry kiosk 2026-11-24T10:00:00+08:00 ',
      'hurry kiosk 2026-11-24T10:30:00+08:00 repeat_hurry',
    ]);
  });

  it('a repeat contact item holds the earlier contacts of every channel', async () => {
    const { t } = await setUp();
    const risks = t.app.risks.items;
    await risks.record({ applicationNo: customerA.applicationNo, kind: 'progress_question', source: 'sms', detail: '进度呢' });
    t.clock.set(at('2026-11-25T10:00:00+08:00'));
    await risks.record({ applicationNo: customerA.applicationNo, kind: 'consult', source: 'wechat' });
    t.clock.set(at('2026-11-26T10:00:00+08:00'));
    await risks.record({ applicationNo: customerA.applicationNo, kind: 'progress_question', source: 'kiosk' });
    const item = (await risks.ofApplication(customerA.applicationNo))!;
    expect(item.signals.map((s) => `${s.kind} ${s.source} ${s.at}`)).toEqual([
      'progress_question sms 2026-11-24T10:00:00+08:00',
      'consult wechat 2026-11-25T10:00:00+08:00',
      'progress_question kiosk 2026-11-26T10:00:00+08:00',
    ]);
    expect(item.signals[0]!.detail).toBe('进度呢');
  });
});

describe('a double click on the hurry button', () => {
  it('is one press: the refused second press within 5 minutes is no signal and raises no item', async () => {
    const { t, base } = await setUp();
    expect((await press(base)).status).toBe(202);
    t.clock.set(at('2026-11-24T10:00:02+08:00'));
    expect((await press(base)).status).toBe(429);
    expect(await t.app.risks.items.ofApplication(customerA.applicationNo)).toBeNull();
    expect(await t.app.stores.risks.signalsOfApplication(customerA.applicationNo)).toHaveLength(1);
  });
});

describe('a reopened urgent item', () => {
  it('texts the team lead again only when it was closed more than a day before', async () => {
    const { fake, t, base } = await setUp();
    const risks = t.app.risks.items;
    const lead = await signIn(t, base, 'L001');
    const complain = () => risks.record({ applicationNo: customerA.applicationNo, kind: 'complaint', source: 'sms', detail: '我要投诉' });
    const close = async () => {
      const id = (await risks.ofApplication(customerA.applicationNo))!.id;
      expect((await api(base, 'POST', `/api/v1/staff/risks/${id}/close`, { token: lead.token, body: { note: '已回电说明进度' } })).status).toBe(200);
    };
    await complain();
    await t.app.notices.dispatcher.idle();
    await eventually(() => urgentTexts(fake).length === 1, 'the first text');

    // closed at 11:00, complained again at 15:00 the same day: the same episode, no second text
    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    await close();
    t.clock.set(at('2026-11-24T15:00:00+08:00'));
    await complain();
    expect(await risks.ofApplication(customerA.applicationNo)).toMatchObject({ status: 'open', tier: 'urgent', textedAt: '2026-11-24T10:00:00+08:00' });
    await t.app.timeLimits.sweeper.sweep();
    await t.app.notices.dispatcher.idle();
    expect(urgentTexts(fake)).toHaveLength(1);

    // closed at 16:00, complained again two days later: a new episode, texted again
    t.clock.set(at('2026-11-24T16:00:00+08:00'));
    await close();
    t.clock.set(at('2026-11-26T10:00:00+08:00'));
    await complain();
    await t.app.notices.dispatcher.idle();
    await eventually(() => urgentTexts(fake).length === 2, 'the text of the new episode');
    expect(await risks.ofApplication(customerA.applicationNo)).toMatchObject({ textedAt: '2026-11-26T10:00:00+08:00' });
  });
});

describe('the /ws risk frame', () => {
  it('matches its schema (server/schemas/risks.ts RiskFrameSchema)', async () => {
    const { t, base } = await setUp();
    const lead = await signIn(t, base, 'L001');
    const live = await LiveClient.open(base);
    await live.subscribeStaff(lead.token);
    await t.app.risks.items.record({ applicationNo: customerA.applicationNo, kind: 'complaint', source: 'sms', detail: '我要投诉' });
    const { frame } = await live.next((f) => f.type === 'risk', 'risk frame');
    const check = Compile(RiskFrameSchema);
    expect([...check.Errors(frame)]).toEqual([]);
    expect(check.Check(frame)).toBe(true);
    expect(check.Check({ ...frame, risk: { ...frame.risk, overdue: undefined } })).toBe(false);
  });
});
